package org.attune.positional.bias;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.attune.api.position.EncodingForm;
import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;

class PatchOrderEncodingTest extends EncodingContract {

    @Override
    PositionalEncoding method() {
        return new PatchOrderEncoding();
    }

    @Override
    EncodingForm form() {
        return EncodingForm.ABSOLUTE;
    }

    @Override
    List<String> claims() {
        return List.of();
    }

    @Override
    Map<String, String> params() {
        return Map.of("order", "hilbert", "width", "5", "height", "4");
    }

    /** The reference's orders on a 3-wide, 2-high grid (cells y·3 + x), written out by hand. */
    @Test
    void ordersVisitTheCellsAsTheReferenceDoes() {
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, PatchOrderings.of("row-major", 3, 2).scan());
        assertArrayEquals(new int[] {0, 3, 1, 4, 2, 5}, PatchOrderings.of("column-major", 3, 2).scan());
        assertArrayEquals(new int[] {3, 0, 4, 1, 5, 2}, PatchOrderings.of("diagonal", 3, 2).scan());
        assertArrayEquals(new int[] {0, 1, 3, 4, 2, 5}, PatchOrderings.of("snake-diagonal", 3, 2).scan());
        assertArrayEquals(new int[] {0, 1, 2, 5, 4, 3}, PatchOrderings.of("spiral", 3, 2).scan());
        // the 4×4 Hilbert square cropped to rows 0–1, columns 0–2: d = 0 (0,0), 1 (1,0), 2 (1,1), 3 (0,1), 4 (0,2),
        // then (1,2) at d = 7; as printed by the reference's argsort(squareify) for (3, 2)
        assertArrayEquals(new int[] {0, 3, 4, 1, 2, 5}, PatchOrderings.of("hilbert", 3, 2).scan());
    }

    /** Each order is a bijection and rank is its inverse; consecutive Hilbert cells of a square are neighbours. */
    @Test
    void everyOrderIsABijectionWithItsInverse() {
        for (String name : PatchOrderings.NAMES) {
            PatchOrderings o = PatchOrderings.of(name, 7, 5);
            boolean[] seen = new boolean[35];
            for (int i = 0; i < 35; i++) {
                seen[o.scan()[i]] = true;
                assertEquals(i, o.rank()[o.scan()[i]], name);
                assertEquals(i, o.scan()[o.rank()[i]], name);
            }
            for (boolean s : seen) {
                assertEquals(true, s, name);
            }
        }
        int[] h = PatchOrderings.of("hilbert", 8, 8).scan();
        for (int i = 1; i < 64; i++) {
            int dy = Math.abs(h[i] / 8 - h[i - 1] / 8), dx = Math.abs(h[i] % 8 - h[i - 1] % 8);
            assertEquals(1, dx + dy, "step " + i);
        }
    }

    /** PE(rank_O(p)) added to patch p; row-major is the sinusoidal encoding itself. */
    @Test
    void addsTheSinusoidOfEachPatchsScanIndex() {
        Fixtures f = new Fixtures(9);
        Tensor q = f.uniform(DType.FLOAT64, 1, 2, 6, 4), k = f.uniform(DType.FLOAT64, 1, 2, 8, 4);
        Map<String, String> params = Map.of("order", "spiral", "width", "3", "height", "3");
        var r = method().encode(PositionalCall.tokens(q, k).withOffsets(3, 1).withParams(params), Fixtures.BACKEND);
        int[] rank = {0, 1, 2, 7, 8, 3, 6, 5, 4};
        double[] expected = q.toDoubleArray();
        for (int h = 0; h < 2; h++) {
            for (int t = 0; t < 6; t++) {
                for (int e = 0; e < 4; e++) {
                    int c = h * 4 + e;
                    double angle = rank[3 + t] / Math.pow(10000, 2.0 * (c / 2) / 8);
                    expected[(h * 6 + t) * 4 + e] += c % 2 == 0 ? Math.sin(angle) : Math.cos(angle);
                }
            }
        }
        Fixtures.assertClose("q", expected, r.q(), 1e-14);
        var rowMajor = method().encode(PositionalCall.tokens(q, k).withParams(Map.of("width", "4", "height", "2")),
            Fixtures.BACKEND);
        var sinusoidal = new SinusoidalPositionEncoding().encode(PositionalCall.tokens(q, k), Fixtures.BACKEND);
        Fixtures.assertSame("row-major q", sinusoidal.q(), rowMajor.q(), 0);
        Fixtures.assertSame("row-major k", sinusoidal.k(), rowMajor.k(), 0);
    }

    @Test
    void rejectsUnknownOrdersAndPositionsOffTheGrid() {
        Tensor q = Tensor.zeros(DType.FLOAT64, 1, 2, 5, 4);
        Fixtures.assertArgument("--pe-option order", () -> method().encode(PositionalCall.tokens(q, q)
            .withParams(Map.of("order", "zigzag")), Fixtures.BACKEND));
        Fixtures.assertArgument("--pe-option height", () -> method().encode(PositionalCall.tokens(q, q)
            .withParams(Map.of("width", "2", "height", "2")), Fixtures.BACKEND));
    }
}

package org.attune.positional.rotary;

import static org.attune.positional.rotary.Fixtures.array;
import static org.attune.positional.rotary.Fixtures.assertArgument;
import static org.attune.positional.rotary.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.PositionalResult;
import org.attune.api.position.SymmetryCertificate;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RotaryPositionEmbeddingTest extends RotaryContract {

    @Override
    PositionalEncoding method() {
        return new RotaryPositionEmbedding();
    }

    @Override
    List<String> claims() {
        return List.of(SymmetryCertificate.RELATIVE);
    }

    @ParameterizedTest
    @CsvSource({"FLOAT32, half", "FLOAT32, interleaved", "FLOAT64, half", "FLOAT64, interleaved"})
    void matchesFloat64Reference(DType dtype, String convention) {
        Fixtures f = new Fixtures(1);
        Tensor q = f.uniform(dtype, 2, 4, 63, 60);
        Tensor k = f.uniform(dtype, 2, 2, 100, 60);
        PositionalResult r = method().encode(PositionalCall.tokens(q, k).withOffsets(1000, 7)
            .withParams(Map.of("convention", convention, "base", "500")), Fixtures.BACKEND);
        boolean interleaved = convention.equals("interleaved");
        double[] theta = Float64Rotary.theta(60, 500);
        // float32 rotation of positions ~1000: the angle p·θ is exact in float64, the result rounds once
        assertClose("q", Float64Rotary.rotate(array(q), 1000, theta, interleaved), r.q(), Fixtures.tolerance(dtype));
        assertClose("k", Float64Rotary.rotate(array(k), 7, theta, interleaved), r.k(), Fixtures.tolerance(dtype));
    }

    @ParameterizedTest
    @CsvSource({"half", "interleaved"})
    void scoresDependOnlyOnRelativeOffset(String convention) {
        Fixtures f = new Fixtures(2);
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 1, 64), k = f.uniform(DType.FLOAT64, 1, 1, 1, 64);
        Map<String, String> p = Map.of("convention", convention);
        for (int[] mn : new int[][] {{0, 0}, {5, 2}, {2, 5}, {17, 0}}) {
            double s0 = score(q, k, mn[0], mn[1], p);
            for (int shift : new int[] {1, 1000, 123_457, 1_000_000}) {
                double s = score(q, k, mn[0] + shift, mn[1] + shift, p);
                // float64 angles p·θ at p = 1e6 carry ~1e-10 absolute error
                assertTrue(Math.abs(s - s0) <= 1e-8, "m=" + mn[0] + " n=" + mn[1] + " shift=" + shift + ": " + s + " vs " + s0);
            }
        }
    }

    @Test
    void conventionsAgreeAfterThePairPermutation() {
        Fixtures f = new Fixtures(3);
        int d = 32, m = d / 2;
        Tensor q = f.uniform(DType.FLOAT64, 1, 2, 9, d), k = f.uniform(DType.FLOAT64, 1, 2, 9, d);
        Tensor half = method().encode(PositionalCall.tokens(q, k).withOffsets(40, 3), Fixtures.BACKEND).q();
        Tensor interleaved = method().encode(PositionalCall.tokens(permute(q, m), permute(k, m)).withOffsets(40, 3)
            .withParams(Map.of("convention", "interleaved")), Fixtures.BACKEND).q();
        Fixtures.assertSame("permuted half vs interleaved", permute(half, m), interleaved, 0);
    }

    @Test
    void rejectsAnUnknownConventionAndABaseNotAboveOne() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 1, 4, 8);
        assertArgument("--convention", () -> method().encode(PositionalCall.tokens(x, x)
            .withParams(Map.of("convention", "spiral")), Fixtures.BACKEND));
        assertArgument("--base", () -> method().encode(PositionalCall.tokens(x, x)
            .withParams(Map.of("base", "1")), Fixtures.BACKEND));
    }

    private double score(Tensor q, Tensor k, int m, int n, Map<String, String> p) {
        PositionalResult r = method().encode(PositionalCall.tokens(q, k).withOffsets(m, n).withParams(p), Fixtures.BACKEND);
        double s = 0;
        for (int e = 0; e < q.dim(3); e++) {
            s += r.q().getFlat(e) * r.k().getFlat(e);
        }
        return s;
    }

    /** Channels i → 2i and m + i → 2i + 1: the half layout's pairs as the interleaved layout's. */
    static Tensor permute(Tensor x, int m) {
        Tensor out = Tensor.zeros(x.dtype(), x.shape());
        for (int row = 0; row < x.size() / (2 * m); row++) {
            for (int i = 0; i < m; i++) {
                out.setFlat(row * 2 * m + 2 * i, x.getFlat(row * 2 * m + i));
                out.setFlat(row * 2 * m + 2 * i + 1, x.getFlat(row * 2 * m + m + i));
            }
        }
        return out;
    }
}

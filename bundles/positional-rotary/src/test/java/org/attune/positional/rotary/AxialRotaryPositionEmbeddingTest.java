package org.attune.positional.rotary;

import static org.attune.positional.rotary.Fixtures.array;
import static org.attune.positional.rotary.Fixtures.assertArgument;
import static org.attune.positional.rotary.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
import org.junit.jupiter.params.provider.EnumSource;

class AxialRotaryPositionEmbeddingTest extends RotaryContract {

    @Override
    PositionalEncoding method() {
        return new AxialRotaryPositionEmbedding();
    }

    @Override
    List<String> claims() {
        return List.of(SymmetryCertificate.RELATIVE + "(width=4)");
    }

    @Override
    Map<String, String> params() {
        return Map.of("width", "7");
    }

    @Override
    @Test
    void rejectsAnOddHeadDimension() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 1, 4, 6);
        assertArgument("q", () -> encode(x, x, 0));
    }

    /** rope-vit {@code compute_axial_cis}: complex pairs (2i, 2i+1), the first D/4 by column x, the rest by row y. */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesFloat64Reference(DType dtype) {
        Fixtures f = new Fixtures(30);
        int d = 32, w = 6;
        Tensor q = f.uniform(dtype, 1, 2, 36, d);
        PositionalResult r = method().encode(PositionalCall.tokens(q, q).withParams(Map.of("width", "6",
            "base", "100")), Fixtures.BACKEND);
        double[][][][] x = array(q);
        double[][][][] expected = new double[1][2][36][d];
        for (int h = 0; h < 2; h++) {
            for (int t = 0; t < 36; t++) {
                int col = t % w, row = t / w;
                for (int i = 0; i < d / 2; i++) {
                    int pair = i % (d / 4);
                    double freq = Math.pow(100, -4.0 * pair / d);
                    double angle = (i < d / 4 ? col : row) * freq;
                    double re = x[0][h][t][2 * i], im = x[0][h][t][2 * i + 1];
                    expected[0][h][t][2 * i] = re * Math.cos(angle) - im * Math.sin(angle);
                    expected[0][h][t][2 * i + 1] = re * Math.sin(angle) + im * Math.cos(angle);
                }
            }
        }
        assertClose("q", expected, r.q(), Fixtures.tolerance(dtype));
    }

    @Test
    void aSingleRowIsOneDimensionalRopeOnTheFirstHalf() {
        Fixtures f = new Fixtures(31);
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 10, 16);
        Tensor axial = method().encode(PositionalCall.tokens(q, q).withParams(Map.of("width", "1000")),
            Fixtures.BACKEND).q();
        double[][][][] firstHalf = new double[1][1][10][8];
        double[][][][] x = array(q);
        for (int t = 0; t < 10; t++) {
            System.arraycopy(x[0][0][t], 0, firstHalf[0][0][t], 0, 8);
        }
        double[][][][] rope = Float64Rotary.rotate(firstHalf, 0, Float64Rotary.theta(8, 10000), true);
        for (int t = 0; t < 10; t++) {
            for (int e = 0; e < 16; e++) {
                double want = e < 8 ? rope[0][0][t][e] : x[0][0][t][e];
                assertEquals(want, axial.get(0, 0, t, e), 1e-12, "t=" + t + " e=" + e);
            }
        }
    }

    @Test
    void rejectsANonSquareLengthWithoutAWidth() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 1, 10, 8);
        assertArgument("--pe-option width", () -> method().encode(PositionalCall.tokens(x, x), Fixtures.BACKEND));
    }
}

package org.attune.positional.bias;

import java.util.List;

import org.attune.api.position.EncodingForm;
import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.SymmetryCertificate;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;

class Sinusoidal2dPositionEncodingTest extends EncodingContract {

    @Override
    PositionalEncoding method() {
        return new Sinusoidal2dPositionEncoding();
    }

    @Override
    EncodingForm form() {
        return EncodingForm.ABSOLUTE;
    }

    @Override
    List<String> claims() {
        return List.of(SymmetryCertificate.LINEAR + "(width=4)");
    }

    /**
     * MAE {@code get_2d_sincos_pos_embed(E, grid)}: grid = meshgrid(w, h), so the first E/2 channels encode the
     * column; each half is concat(sin(pos·ω), cos(pos·ω)), ω = 1/10000^(k/(E/4)).
     */
    @Test
    void matchesTheReferenceOnASixBySixGrid() {
        int e = 16;
        Tensor zeros = Tensor.zeros(DType.FLOAT64, 1, 2, 36, 8);
        Tensor pe = method().encode(PositionalCall.tokens(zeros, zeros), Fixtures.BACKEND).q();
        double[] expected = new double[pe.size()];
        for (int t = 0; t < 36; t++) {
            double[] row = new double[e];
            double[] coords = {t % 6, t / 6};
            for (int half = 0; half < 2; half++) {
                for (int k = 0; k < e / 4; k++) {
                    double omega = 1 / Math.pow(10000, k / (e / 4.0));
                    row[half * e / 2 + k] = Math.sin(coords[half] * omega);
                    row[half * e / 2 + e / 4 + k] = Math.cos(coords[half] * omega);
                }
            }
            for (int h = 0; h < 2; h++) {
                System.arraycopy(row, h * 8, expected, (h * 36 + t) * 8, 8);
            }
        }
        Fixtures.assertClose("2-D PE", expected, pe, 1e-15);
    }

    @Test
    void rejectsAWidthNotDivisibleByFour() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 1, 4, 6);
        Fixtures.assertArgument("q", () -> method().encode(PositionalCall.tokens(x, x), Fixtures.BACKEND));
    }
}

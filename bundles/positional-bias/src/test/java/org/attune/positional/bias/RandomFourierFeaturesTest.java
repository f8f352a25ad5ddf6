package org.attune.positional.bias;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.attune.api.position.EncodingForm;
import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.SymmetryCertificate;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Npy;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RandomFourierFeaturesTest extends EncodingContract {
    @TempDir
    Path dir;

    @Override
    PositionalEncoding method() {
        return new RandomFourierFeatures();
    }

    @Override
    EncodingForm form() {
        return EncodingForm.ABSOLUTE;
    }

    @Override
    List<String> claims() {
        return List.of(SymmetryCertificate.LINEAR);
    }

    /** Tancik §5: γ(v) = (cos(2πbᵢv), sin(2πbᵢv)) pairs, v = p/L, with b given. */
    @Test
    void matchesTheGaussianMappingForGivenFrequencies() throws Exception {
        double[] b = {0.5, -3, 7.25, 12};
        Npy.write(dir.resolve("b.npy"), Tensor.of(b, 4));
        Tensor zeros = Tensor.zeros(DType.FLOAT64, 1, 2, 5, 4);
        Tensor pe = method().encode(PositionalCall.tokens(zeros, zeros).withOffsets(7, 7).withParams(Map.of(
            "frequencies", dir.resolve("b.npy").toString(), "length", "100")), Fixtures.BACKEND).q();
        double[] expected = new double[pe.size()];
        for (int h = 0; h < 2; h++) {
            for (int n = 0; n < 5; n++) {
                for (int e = 0; e < 4; e++) {
                    int c = h * 4 + e;
                    double v = (7 + n) / 100.0;
                    expected[(h * 5 + n) * 4 + e] = c % 2 == 0 ? Math.cos(2 * Math.PI * b[c / 2] * v)
                        : Math.sin(2 * Math.PI * b[c / 2] * v);
                }
            }
        }
        Fixtures.assertClose("gamma", expected, pe, 1e-13);
    }
}

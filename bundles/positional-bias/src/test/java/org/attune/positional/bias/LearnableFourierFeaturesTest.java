package org.attune.positional.bias;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
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

class LearnableFourierFeaturesTest extends EncodingContract {
    @TempDir
    Path dir;

    @Override
    PositionalEncoding method() {
        return new LearnableFourierFeatures();
    }

    @Override
    EncodingForm form() {
        return EncodingForm.ABSOLUTE;
    }

    @Override
    List<String> claims() {
        return List.of(SymmetryCertificate.LINEAR + "(mlp=none)");
    }

    private Tensor pe(int n, int offset, Map<String, String> params, int heads, int dim) {
        Tensor zeros = Tensor.zeros(DType.FLOAT64, 1, heads, n, dim);
        return method().encode(PositionalCall.tokens(zeros, zeros).withOffsets(offset, offset).withParams(params),
            Fixtures.BACKEND).q();
    }

    private String write(String name, double[] data, int... shape) throws Exception {
        Path p = dir.resolve(name + ".npy");
        Npy.write(p, Tensor.of(data, shape));
        return p.toString();
    }

    /**
     * Algorithm 1 transcribed on a 2-D grid: x = (row, column), r = (1/√F)[cos xW_rᵀ ; sin xW_rᵀ],
     * PE = GELU(rW₁ + b₁)W₂ + b₂ with GELU(z) = z(1 + erf(z/√2))/2, every parameter given.
     */
    @Test
    void matchesAlgorithmOneWithGivenParameters() throws Exception {
        int f = 4, hd = 3, e = 4, m = 2, width = 3;
        double[] wr = {0.3, -1.1, 2.0, 0.7};
        double[] w1 = {0.5, -0.2, 0.1, 0.4, 0.3, -0.6, -0.7, 0.8, 0.2, 0.05, -0.3, 0.9};
        double[] b1 = {0.1, -0.2, 0.3};
        double[] w2 = {1, -1, 0.5, 0.25, -0.5, 0.2, 0.3, -0.4, 0.6, 0.1, -0.9, 0.7};
        double[] b2 = {0.01, 0.02, -0.03, 0.04};
        Map<String, String> params = new LinkedHashMap<>();
        params.put("wr", write("wr", wr, f / 2, m));
        params.put("w1", write("w1", w1, f, hd));
        params.put("b1", write("b1", b1, hd));
        params.put("w2", write("w2", w2, hd, e));
        params.put("b2", write("b2", b2, e));
        params.put("width", "3");
        params.put("fourier-dim", "4");
        params.put("hidden-dim", "3");
        int n = 5, offset = 4;
        Tensor pe = pe(n, offset, params, 2, 2);
        double[] expected = new double[2 * n * 2];
        for (int t = 0; t < n; t++) {
            int p = offset + t;
            double[] x = {p / width, p % width};
            double[] r = new double[f];
            for (int k = 0; k < f / 2; k++) {
                double a = x[0] * wr[k * m] + x[1] * wr[k * m + 1];
                r[k] = Math.cos(a) / Math.sqrt(f);
                r[f / 2 + k] = Math.sin(a) / Math.sqrt(f);
            }
            double[] h = new double[hd];
            for (int j = 0; j < hd; j++) {
                double z = b1[j];
                for (int i = 0; i < f; i++) {
                    z += r[i] * w1[i * hd + j];
                }
                h[j] = 0.5 * z * (1 + erf(z / Math.sqrt(2)));
            }
            for (int c = 0; c < e; c++) {
                double s = b2[c];
                for (int j = 0; j < hd; j++) {
                    s += h[j] * w2[j * e + c];
                }
                expected[((c / 2) * n + t) * 2 + c % 2] = s;
            }
        }
        Fixtures.assertClose("PE", expected, pe, 1e-13);
    }

    /** erf by its Maclaurin series, enough terms for |z| &lt; 3 in float64 (a second, independent transcription). */
    private static double erf(double z) {
        double sum = 0, term = z;
        for (int n = 0; n < 200; n++) {
            sum += term / (2 * n + 1);
            term *= -z * z / (n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }

    /** Eq. (2): ‖r(x)‖² = 1/2 and r(x)·r(y) = (1/F)Σ cos(wₖ(x − y)), with the seeded W_r (mlp=none). */
    @Test
    void fourierFeaturesHaveHalfNormAndRelativeInnerProducts() {
        Map<String, String> params = Map.of("mlp", "none", "gamma", "0.5", "seed", "3");
        Tensor r = pe(6, 100, params, 1, 8).reshape(6, 8);
        Tensor r2 = pe(6, 7100, params, 1, 8).reshape(6, 8);
        for (int i = 0; i < 6; i++) {
            assertEquals(0.5, dot(r, i, r, i), 1e-14);
            for (int j = 0; j < 6; j++) {
                assertEquals(dot(r, i, r, j), dot(r2, i, r2, j), 1e-12, "shifted by 7000");
            }
        }
    }

    /** With W_r of standard deviation γ⁻² and large F, r(x)·r(y) → ½exp(−|x − y|²/(2γ⁴)) (Monte Carlo, 3σ). */
    @Test
    void seededFrequenciesApproximateTheGaussianKernelOfStandardDeviationGammaToTheMinusTwo() {
        int f = 8192;
        double gamma = 2;
        Tensor r = pe(4, 0, Map.of("mlp", "none", "gamma", "" + gamma, "seed", "11"), 1, f).reshape(4, f);
        for (int d = 1; d < 4; d++) {
            double expected = 0.5 * Math.exp(-d * d / (2 * Math.pow(gamma, 4)));
            double got = dot(r, 0, r, d);
            assertTrue(Math.abs(got - expected) < 3 * 0.5 / Math.sqrt(f / 2.0),
                "offset " + d + ": " + got + " vs " + expected);
        }
        double variance = 0.5 * Math.exp(-9 / (2 * Math.pow(gamma, 2)));
        assertTrue(Math.abs(dot(r, 0, r, 3) - variance) > 0.05, "kernel of std 1/gamma would fit as well");
    }

    private static double dot(Tensor a, int i, Tensor b, int j) {
        double s = 0;
        for (int c = 0; c < a.dim(1); c++) {
            s += a.get(i, c) * b.get(j, c);
        }
        return s;
    }

    @Test
    void rejectsBadOptions() {
        Tensor q = Tensor.zeros(DType.FLOAT64, 1, 2, 3, 4);
        Fixtures.assertArgument("--pe-option mlp", () -> method().encode(PositionalCall.tokens(q, q)
            .withParams(Map.of("mlp", "relu")), Fixtures.BACKEND));
        Fixtures.assertArgument("--pe-option fourier-dim", () -> method().encode(PositionalCall.tokens(q, q)
            .withParams(Map.of("mlp", "none", "fourier-dim", "4")), Fixtures.BACKEND));
        Fixtures.assertArgument("--pe-option w1", () -> method().encode(PositionalCall.tokens(q, q)
            .withParams(Map.of("w1", dir.resolve("missing.npy").toString())), Fixtures.BACKEND));
    }
}

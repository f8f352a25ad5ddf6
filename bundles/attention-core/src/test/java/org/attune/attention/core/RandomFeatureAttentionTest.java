package org.attune.attention.core;

import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RandomFeatureAttentionTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new RandomFeatureAttention();
    }

    /** The documented draw, transcribed: SplittableRandom(seed).nextGaussian() / σ, row-major [F, D]. */
    static double[][] documentedFrequencies(long seed, int features, int dim, double sigma) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] w = new double[features][dim];
        for (int f = 0; f < features; f++) {
            for (int c = 0; c < dim; c++) {
                w[f][c] = r.nextGaussian() / sigma;
            }
        }
        return w;
    }

    /** φ(x) = F^(−1/2) [sin(W x̂), cos(W x̂)], x̂ = x/‖x‖ (Peng et al. eq. 2–4 on normalised inputs). */
    private static double[] phi(double[] x, double[][] w) {
        double len = 0;
        for (double c : x) {
            len += c * c;
        }
        double[] p = new double[2 * w.length];
        for (int f = 0; f < w.length; f++) {
            double z = 0;
            for (int c = 0; c < x.length; c++) {
                z += w[f][c] * (len == 0 ? 0 : x[c] / Math.sqrt(len));
            }
            p[f] = Math.sin(z) / Math.sqrt(w.length);
            p[w.length + f] = Math.cos(z) / Math.sqrt(w.length);
        }
        return p;
    }

    /** out_i = Σ_j a_ij v_j / Σ_j a_ij with a_ij = φ(q_i)·φ(k_j) over the allowed keys (Peng et al. eq. 5). */
    static double[][][][] rfa(double[][][][] q, double[][][][] k, double[][][][] v, double[][] w, boolean causal,
                              Tensor mask) {
        int g = q[0].length / k[0].length;
        double[][][][] out = new double[q.length][q[0].length][q[0][0].length][v[0][0][0].length];
        for (int b = 0; b < q.length; b++) {
            for (int h = 0; h < q[b].length; h++) {
                for (int i = 0; i < q[b][h].length; i++) {
                    double[] pq = phi(q[b][h][i], w);
                    double den = 0;
                    double[] num = new double[out[b][h][i].length];
                    for (int j = 0; j < k[b][h / g].length; j++) {
                        if (!Float64Reference.allowed(mask, causal, b, h, i, j)) {
                            continue;
                        }
                        double[] pk = phi(k[b][h / g][j], w);
                        double a = 0;
                        for (int f = 0; f < pq.length; f++) {
                            a += pq[f] * pk[f];
                        }
                        den += a;
                        for (int e = 0; e < num.length; e++) {
                            num[e] += a * v[b][h / g][j][e];
                        }
                    }
                    for (int e = 0; e < num.length; e++) {
                        out[b][h][i][e] = den == 0 ? 0 : num[e] / den;
                    }
                }
            }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void seededFeatureDrawMatchesItsFloat64Formula(DType dtype) {
        Fixtures f = new Fixtures(320);
        Tensor q = f.uniform(dtype, 1, 2, 4, 13, 6);
        Tensor k = f.uniform(dtype, 1, 2, 2, 9, 6);
        Tensor v = f.uniform(dtype, 1, 2, 2, 9, 5);
        Tensor mask = f.mask(0.8, 2, 1, 13, 9);
        Tensor out = run(call(q, k, v).withParam("features", "256").withParam("sigma", "0.8").withParam("seed", "3")
            .withOptions(AttentionOptions.builder().mask(mask).causal(true).build()));
        assertClose("rfa F=256 sigma=0.8 seed=3 mask+causal", rfa(array(q), array(k), array(v),
            documentedFrequencies(3, 256, 6, 0.8), true, mask), out);
    }

    @Test
    void convergesToSoftmaxOfNormalisedQueriesAndKeysAsFeaturesGrow() {
        Fixtures f = new Fixtures(321);
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 2, 7, 4);
        Tensor k = f.uniform(DType.FLOAT64, 1, 1, 2, 6, 4);
        Tensor v = f.uniform(DType.FLOAT64, 1, 1, 2, 6, 3);
        double sigma = 1.0;
        double[][][][] softmax = Float64Reference.sdpa(normalised(array(q)), normalised(array(k)), array(v),
            1 / (sigma * sigma), false, null, null);
        int[] features = {8, 128, 8192};
        double[] error = new double[features.length];
        for (int n = 0; n < features.length; n++) {
            Tensor out = run(call(q, k, v).withParam("features", Integer.toString(features[n])));
            int at = 0;
            for (double[][][] b : softmax) {
                for (double[][] h : b) {
                    for (double[] i : h) {
                        for (double x : i) {
                            error[n] = Math.max(error[n], Math.abs(x - out.getFlat(at++)));
                        }
                    }
                }
            }
            System.out.printf("rfa F=%-5d max |rfa - softmax(q^.k^)| = %.3e%n", features[n], error[n]);
        }
        assertTrue(error[2] < 0.02, "F=8192 within 0.02 of softmax attention: " + error[2]);
        assertTrue(error[2] < error[1] && error[1] < error[0], "error falls as F grows");
    }

    @Test
    void rejectsOptionsWithoutMeaningForTheFeatureKernel() {
        Fixtures f = new Fixtures(322);
        Tensor x = f.uniform(DType.FLOAT64, 1, 1, 2, 4, 3);
        AttentionCall c = call(x, x, x);
        assertArgument("bias", () -> run(c.withOptions(AttentionOptions.builder().bias(x).build())));
        assertArgument("scale", () -> run(c.withOptions(AttentionOptions.builder().scale(0.5).build())));
        assertArgument("window", () -> run(c.withOptions(AttentionOptions.builder().window(1, 1).build())));
        assertArgument("softCap", () -> run(c.withOptions(AttentionOptions.builder().softCap(5.0).build())));
        assertArgument("--opt features", () -> run(c.withParam("features", "0")));
        assertArgument("--opt sigma", () -> run(c.withParam("sigma", "-1")));
        assertArgument("k", () -> run(x, f.uniform(DType.FLOAT64, 1, 1, 2, 4, 5), f.uniform(DType.FLOAT64, 1, 1, 2, 4, 3)));
    }

    private static double[][][][] normalised(double[][][][] t) {
        double[][][][] n = new double[t.length][t[0].length][t[0][0].length][];
        for (int b = 0; b < t.length; b++) {
            for (int h = 0; h < t[b].length; h++) {
                for (int i = 0; i < t[b][h].length; i++) {
                    double len = 0;
                    for (double c : t[b][h][i]) {
                        len += c * c;
                    }
                    n[b][h][i] = new double[t[b][h][i].length];
                    for (int c = 0; c < n[b][h][i].length; c++) {
                        n[b][h][i][c] = t[b][h][i][c] / Math.sqrt(len);
                    }
                }
            }
        }
        return n;
    }
}

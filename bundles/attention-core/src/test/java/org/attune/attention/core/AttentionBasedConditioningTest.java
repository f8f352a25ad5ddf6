package org.attune.attention.core;

import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;
import static org.attune.attention.core.Float64Reference.matrix;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;

import org.attune.api.attention.AttentionMechanism;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Npy;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AttentionBasedConditioningTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new AttentionBasedConditioning();
    }

    /** The weights of one mode, [in, out]; absent ones null. */
    record Weights(double[][] wa, double[][] wh, double[][] wc, double[][] wg, double[][] gamma, double[][] beta,
                   double[] va, double[] b, double[] bg, double[] bgamma, double[] bbeta) {
    }

    /** arXiv:1906.03674 §3, transcribed per head: h_j = v_j, c_j = k_j, one weight set for all heads. */
    static double[][][][] reference(double[][][][] q, double[][][][] k, double[][][][] v, Weights w, String mode,
                                    Tensor mask, boolean causal, Tensor bias) {
        int heads = q[0].length, g = heads / k[0].length, hidden = w.va().length, dh = v[0][0][0].length;
        double[][][][] e = new double[q.length][heads][q[0][0].length][k[0][0].length];
        for (int b = 0; b < q.length; b++) {
            for (int hd = 0; hd < heads; hd++) {
                for (int i = 0; i < e[b][hd].length; i++) {
                    for (int j = 0; j < e[b][hd][i].length; j++) {
                        double[] hj = v[b][hd / g][j];
                        double[] cj = k[b][hd / g][j];
                        double[] x = new double[dh];
                        for (int d = 0; d < dh; d++) {
                            x[d] = switch (mode) {
                                case "gating" -> hj[d] / (1 + Math.exp(-(dot(cj, w.wg(), d) + at(w.bg(), d))));
                                case "affine" -> (dot(cj, w.gamma(), d) + at(w.bgamma(), d)) * hj[d]
                                    + dot(cj, w.beta(), d) + at(w.bbeta(), d);
                                default -> hj[d];
                            };
                        }
                        double score = 0;
                        for (int a = 0; a < hidden; a++) {
                            double pre = at(w.b(), a) + dot(x, w.wh(), a);
                            if (w.wa() != null) {
                                pre += dot(q[b][hd][i], w.wa(), a);
                            }
                            if (mode.equals("concat")) {
                                pre += dot(cj, w.wc(), a);
                            }
                            score += w.va()[a] * Math.tanh(pre);
                        }
                        e[b][hd][i][j] = score + (bias == null ? 0 : Float64Reference.broadcast(bias, b, hd, i, j));
                    }
                }
            }
        }
        return Float64Reference.attend(e, v, mask, causal);
    }

    private static double dot(double[] x, double[][] w, int col) {
        double s = 0;
        for (int r = 0; r < x.length; r++) {
            s += x[r] * w[r][col];
        }
        return s;
    }

    private static double at(double[] b, int i) {
        return b == null ? 0 : b[i];
    }

    private static Weights write(Fixtures f, Path dir, String mode, boolean query, int dq, int dc, int dh, int hidden) {
        double s = 0.6;
        double[][] wa = query ? matrix(f.write(dir, "wa", s, dq, hidden)) : null;
        double[][] wh = matrix(f.write(dir, "wh", s, dh, hidden));
        double[][] wc = mode.equals("concat") ? matrix(f.write(dir, "wc", s, dc, hidden)) : null;
        double[][] wg = mode.equals("gating") ? matrix(f.write(dir, "wg", s, dc, dh)) : null;
        double[] bg = mode.equals("gating") ? f.write(dir, "bg", s, dh).toDoubleArray() : null;
        double[][] gamma = mode.equals("affine") ? matrix(f.write(dir, "gamma", s, dc, dh)) : null;
        double[][] beta = mode.equals("affine") ? matrix(f.write(dir, "beta", s, dc, dh)) : null;
        double[] bgamma = mode.equals("affine") ? f.write(dir, "bgamma", s, dh).toDoubleArray() : null;
        double[] bbeta = mode.equals("affine") ? f.write(dir, "bbeta", s, dh).toDoubleArray() : null;
        double[] va = f.write(dir, "va", s, hidden).toDoubleArray();
        double[] b = f.write(dir, "b", s, hidden).toDoubleArray();
        return new Weights(wa, wh, wc, wg, gamma, beta, va, b, bg, bgamma, bbeta);
    }

    @ParameterizedTest
    @ValueSource(strings = {"concat", "gating", "affine"})
    void matchesFloat64ReferenceWithMaskBiasCausalAndGroupedHeads(String mode, @TempDir Path dir) {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Fixtures f = new Fixtures(90);
            Weights w = write(f, dir, mode, true, 6, 3, 5, 7);
            Tensor q = f.uniform(dtype, 1, 2, 4, 13, 6);
            Tensor k = f.uniform(dtype, 1, 2, 2, 17, 3);
            Tensor v = f.uniform(dtype, 1, 2, 2, 17, 5);
            Tensor mask = f.mask(0.8, 13, 17);
            Tensor bias = f.uniform(DType.FLOAT64, 0.5, 4, 13, 17);
            AttentionOptions o = AttentionOptions.builder().mask(mask).bias(bias).causal(true).build();
            assertClose("conditioning " + mode, reference(array(q), array(k), array(v), w, mode, mask, true, bias),
                run(call(q, k, v).withParam("mode", mode).withParam("hidden", "7").withParam("weights", dir.toString())
                    .withOptions(o)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"concat", "gating", "affine"})
    void queryFreePoolingIsThePapersLayer(String mode, @TempDir Path dir) {
        Fixtures f = new Fixtures(91);
        Weights w = write(f, dir, mode, false, 4, 3, 4, 6);
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 1, 5, 4);
        Tensor k = f.uniform(DType.FLOAT64, 1, 1, 1, 11, 3);
        Tensor v = f.uniform(DType.FLOAT64, 1, 1, 1, 11, 4);
        Tensor out = run(call(q, k, v).withParam("mode", mode).withParam("query", "none").withParam("hidden", "6")
            .withParam("weights", dir.toString()));
        assertClose("conditioning " + mode + " query=none", reference(array(q), array(k), array(v), w, mode, null, false,
            null), out);
        for (int i = 1; i < 5; i++) {
            for (int d = 0; d < 4; d++) {
                assertEquals(out.get(0, 0, 0, d), out.get(0, 0, i, d));
            }
        }
    }

    @Test
    void affineWithUnitGammaAndZeroBetaIsAdditiveAttentionOverTheStates(@TempDir Path dir) throws IOException {
        Fixtures f = new Fixtures(92);
        f.write(dir, "wa", 0.6, 5, 8);
        Tensor wh = f.write(dir, "wh", 0.6, 5, 8);
        f.write(dir, "va", 0.6, 8);
        Npy.write(dir.resolve("ua.npy"), wh);
        Npy.write(dir.resolve("gamma.npy"), Tensor.zeros(DType.FLOAT64, 3, 5));
        Npy.write(dir.resolve("beta.npy"), Tensor.zeros(DType.FLOAT64, 3, 5));
        Npy.write(dir.resolve("bgamma.npy"), Tensor.of(new double[] {1, 1, 1, 1, 1}, 5));
        Tensor q = f.uniform(DType.FLOAT64, 1, 2, 2, 7, 5);
        Tensor c = f.uniform(DType.FLOAT64, 1, 2, 2, 9, 3);
        Tensor h = f.uniform(DType.FLOAT64, 1, 2, 2, 9, 5);
        AttentionOptions o = AttentionOptions.builder().causal(true).build();
        Tensor additive = new AdditiveAttention().attend(call(q, h, h).withParam("weights", dir.toString())
            .withParam("hidden", "8").withOptions(o), Fixtures.BACKEND);
        assertMaxDiff(additive, run(call(q, c, h).withParam("mode", "affine").withParam("hidden", "8")
            .withParam("weights", dir.toString()).withOptions(o)), 1e-15);
    }

    @Test
    void closedGateIsAffineWithHalfGamma(@TempDir Path gating, @TempDir Path affine) throws IOException {
        Fixtures f = new Fixtures(93);
        for (Path dir : new Path[] {gating, affine}) {
            Fixtures same = new Fixtures(94);
            same.write(dir, "wa", 0.6, 4, 6);
            same.write(dir, "wh", 0.6, 4, 6);
            same.write(dir, "va", 0.6, 6);
        }
        Npy.write(gating.resolve("wg.npy"), Tensor.zeros(DType.FLOAT64, 3, 4));
        Npy.write(affine.resolve("gamma.npy"), Tensor.zeros(DType.FLOAT64, 3, 4));
        Npy.write(affine.resolve("beta.npy"), Tensor.zeros(DType.FLOAT64, 3, 4));
        Npy.write(affine.resolve("bgamma.npy"), Tensor.of(new double[] {0.5, 0.5, 0.5, 0.5}, 4));
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 2, 6, 4);
        Tensor c = f.uniform(DType.FLOAT64, 1, 1, 2, 8, 3);
        Tensor h = f.uniform(DType.FLOAT64, 1, 1, 2, 8, 4);
        assertMaxDiff(run(call(q, c, h).withParam("mode", "affine").withParam("hidden", "6")
                .withParam("weights", affine.toString())),
            run(call(q, c, h).withParam("mode", "gating").withParam("hidden", "6").withParam("weights", gating.toString())),
            1e-15);
    }

    @Test
    void badOptionsAreNamed() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 2, 3, 4);
        assertArgument("--opt mode", () -> run(call(x, x, x).withParam("mode", "film")));
        assertArgument("--opt query", () -> run(call(x, x, x).withParam("query", "dot")));
        assertArgument("--opt hidden", () -> run(call(x, x, x).withParam("hidden", "0")));
        assertArgument("v", () -> run(x, x, Tensor.zeros(DType.FLOAT32, 1, 2, 4, 4)));
    }
}

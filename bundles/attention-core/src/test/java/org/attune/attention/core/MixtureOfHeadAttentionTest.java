package org.attune.attention.core;

import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;
import static org.attune.attention.core.Float64Reference.embed;
import static org.attune.attention.core.Float64Reference.heads;
import static org.attune.attention.core.Float64Reference.linear;
import static org.attune.attention.core.Float64Reference.matrix;

import java.nio.file.Path;
import java.util.SplittableRandom;

import org.attune.api.attention.AttentionMechanism;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MixtureOfHeadAttentionTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new MixtureOfHeadAttention();
    }

    /** SkyworkAI/MoH MoHAttention.forward transcribed (inference: no load-balancing loss). */
    static double[][][][] moh(double[][][][] q, double[][][][] k, double[][][][] v, Float64Reference.Weights w, int nh,
                              int s, int kTop, double[][] wr, double[][] wa, double[][] ws, boolean causal, Tensor mask) {
        double[][][] x = embed(q);
        double[][][][] qh = heads(linear(x, w.wq(), w.bq()), nh);
        double[][][][] kh = heads(linear(embed(k), w.wk(), w.bk()), nh);
        double[][][][] vh = heads(linear(embed(v), w.wv(), w.bv()), nh);
        double[][][][] o = Float64Reference.sdpa(qh, kh, vh, 1 / Math.sqrt(qh[0][0][0].length), causal, mask, null);
        for (int b = 0; b < x.length; b++) {
            for (int i = 0; i < x[b].length; i++) {
                double[] gate = new double[nh];
                double[] routed = new double[nh - s];
                if (kTop > 0) {
                    double[] r = softmax(times(x[b][i], wr));
                    boolean[] on = new boolean[r.length];
                    for (int n = 0; n < kTop; n++) {
                        int best = -1;
                        for (int h = 0; h < r.length; h++) {
                            best = !on[h] && (best < 0 || r[h] > r[best]) ? h : best;
                        }
                        on[best] = true;
                    }
                    double denom = 0;
                    for (int h = 0; h < r.length; h++) {
                        denom += on[h] ? r[h] : 0;
                    }
                    for (int h = 0; h < r.length; h++) {
                        routed[h] = on[h] ? r[h] / Math.max(denom, Math.ulp(1.0f)) : 0;
                    }
                }
                double[] sharedGates = new double[s];
                for (int h = 0; h < s; h++) {
                    sharedGates[h] = s == 1 ? 1 : s * softmax(times(x[b][i], ws))[h];
                }
                double[] a = kTop > 0 && s > 0 ? softmax(times(x[b][i], wa)) : new double[] {0.5, 0.5};
                for (int h = 0; h < s; h++) {
                    gate[h] = kTop > 0 ? 2 * a[0] * sharedGates[h] : sharedGates[h];
                }
                for (int h = 0; h < nh - s; h++) {
                    gate[s + h] = s > 0 ? 2 * a[1] * routed[h] : routed[h];
                }
                for (int h = 0; h < nh; h++) {
                    for (int c = 0; c < o[b][h][i].length; c++) {
                        o[b][h][i][c] *= gate[h];
                    }
                }
            }
        }
        return heads(linear(embed(o), w.wo(), w.bo()), q[0].length);
    }

    private static double[] times(double[] x, double[][] w) {
        double[] y = new double[w[0].length];
        for (int c = 0; c < y.length; c++) {
            for (int r = 0; r < x.length; r++) {
                y[c] += x[r] * w[r][c];
            }
        }
        return y;
    }

    private static double[] softmax(double[] x) {
        double z = 0;
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.exp(x[i]);
            z += y[i];
        }
        for (int i = 0; i < x.length; i++) {
            y[i] /= z;
        }
        return y;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesTheAuthorsRoutingWithWeightFilesAndACausalMask(DType dtype, @TempDir Path dir) {
        Fixtures f = new Fixtures(70);
        Float64Reference.Weights w = MultiHeadAttentionTest.writeWeights(f, dir, 24, 24, 24, 24, 24, true);
        double[][] wr = matrix(f.write(dir, "wr", 1, 24, 4));
        double[][] wa = matrix(f.write(dir, "wa", 1, 24, 2));
        double[][] ws = matrix(f.write(dir, "ws", 1, 24, 2));
        Tensor q = f.uniform(dtype, 1, 2, 3, 19, 8);
        Tensor k = f.uniform(dtype, 1, 2, 3, 23, 8);
        Tensor v = f.uniform(dtype, 1, 2, 3, 23, 8);
        Tensor mask = f.mask(0.9, 19, 23);
        AttentionOptions o = AttentionOptions.builder().causal(true).mask(mask).build();
        assertClose("moh heads=6 shared=2 routed=2 files causal", moh(array(q), array(k), array(v), w, 6, 2, 2, wr, wa,
            ws, true, mask), run(call(q, k, v).withParam("weights", dir.toString()).withParam("router", "files")
            .withParam("heads", "6").withParam("shared", "2").withParam("routed", "2").withOptions(o)));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void routedOnlyHeadsFollowTheSeededRouter(DType dtype, @TempDir Path dir) {
        Fixtures f = new Fixtures(71);
        Float64Reference.Weights w = MultiHeadAttentionTest.writeWeights(f, dir, 16, 16, 16, 16, 16, false);
        Tensor q = f.uniform(dtype, 1, 1, 4, 11, 4);
        Tensor k = f.uniform(dtype, 1, 1, 4, 13, 4);
        Tensor v = f.uniform(dtype, 1, 1, 4, 13, 4);
        // the documented router initialiser: SplittableRandom(seed + 1), Xavier uniform, W_r [E, H - S] drawn first
        SplittableRandom random = new SplittableRandom(4);
        double[][] wr = new double[16][4];
        for (int r = 0; r < 16; r++) {
            for (int c = 0; c < 4; c++) {
                double value = (2 * random.nextDouble() - 1) * Math.sqrt(6.0 / 20);
                wr[r][c] = dtype == DType.FLOAT32 ? (float) value : value;
            }
        }
        assertClose("moh shared=0 routed=3 seed=3", moh(array(q), array(k), array(v), w, 4, 0, 3, wr, null, null, false,
            null), run(call(q, k, v).withParam("weights", dir.toString()).withParam("seed", "3").withParam("shared", "0")
            .withParam("routed", "3")));
    }

    @Test
    void allHeadsSharedWithAUniformRouterIsMultiHeadAttention() {
        Fixtures f = new Fixtures(72);
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 4, 9, 5);
        Tensor k = f.uniform(DType.FLOAT64, 1, 1, 4, 12, 5);
        Tensor v = f.uniform(DType.FLOAT64, 1, 1, 4, 12, 5);
        Tensor expected = new MultiHeadAttention().attend(call(q, k, v).withParam("seed", "5"), Fixtures.BACKEND);
        assertMaxDiff(expected, run(call(q, k, v).withParam("seed", "5").withParam("shared", "4")
            .withParam("router", "uniform")), 1e-15);
    }

    @Test
    void badHeadCountsAndRouterAreNamed() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 4, 3, 2);
        assertArgument("--opt shared", () -> run(call(x, x, x).withParam("shared", "5")));
        assertArgument("--opt routed", () -> run(call(x, x, x).withParam("shared", "2").withParam("routed", "3")));
        assertArgument("--opt routed", () -> run(call(x, x, x).withParam("shared", "0").withParam("routed", "0")));
        assertArgument("--opt router", () -> run(call(x, x, x).withParam("router", "learned")));
        assertArgument("--opt router", () -> run(call(x, x, x).withParam("router", "files")));
    }
}

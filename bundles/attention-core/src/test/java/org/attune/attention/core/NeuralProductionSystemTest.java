package org.attune.attention.core;

import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;
import static org.attune.attention.core.Float64Reference.matrix;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;

import org.attune.api.attention.AttentionMechanism;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NeuralProductionSystemTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new NeuralProductionSystem();
    }

    @Override
    protected boolean acceptsMasks() {
        return false;
    }

    /** arXiv:2103.01937 Algorithm 1 steps 2–4, transcribed (argmax selection, residual rule MLP on the primary slot). */
    static double[][][][] reference(double[][][][] q, double[][][][] k, double[][][][] v, double[][] rules, double[][] wq,
                                    double[][] wk, double[][] uq, double[][] uk, double[][][] w1, double[][][] w2,
                                    double[][] b1, double[][] b2) {
        double[][][] x = Float64Reference.embed(q);
        double[][][] y = Float64Reference.embed(k);
        double[][][] z = Float64Reference.embed(v);
        double d = wq[0].length;
        for (int b = 0; b < x.length; b++) {
            int p = 0, rule = 0;
            double best = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < x[b].length; i++) {
                for (int r = 0; r < rules.length; r++) {
                    double l = dot(times(x[b][i], wq), times(rules[r], wk)) / Math.sqrt(d);
                    if (l > best) {
                        best = l;
                        p = i;
                        rule = r;
                    }
                }
            }
            int c = 0;
            best = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < y[b].length; j++) {
                double l = dot(times(x[b][p], uq), times(y[b][j], uk)) / Math.sqrt(d);
                if (l > best) {
                    best = l;
                    c = j;
                }
            }
            double[] in = new double[x[b][p].length + z[b][c].length];
            System.arraycopy(x[b][p], 0, in, 0, x[b][p].length);
            System.arraycopy(z[b][c], 0, in, x[b][p].length, z[b][c].length);
            double[] h = times(in, w1[rule]);
            for (int t = 0; t < h.length; t++) {
                h[t] = Math.max(0, h[t] + b1[rule][t]);
            }
            double[] delta = times(h, w2[rule]);
            for (int f = 0; f < delta.length; f++) {
                x[b][p][f] += delta[f] + b2[rule][f];
            }
        }
        return Float64Reference.heads(x, q[0].length);
    }

    private static double[] times(double[] a, double[][] w) {
        double[] y = new double[w[0].length];
        for (int c = 0; c < y.length; c++) {
            for (int r = 0; r < a.length; r++) {
                y[c] += a[r] * w[r][c];
            }
        }
        return y;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    @Test
    void matchesFloat64ReferenceWithWeightFiles(@TempDir Path dir) {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Fixtures f = new Fixtures(130);
            int e = 8, ek = 6, ev = 4, dr = 5, d = 3, hidden = 7, rules = 3;
            double[][] emb = matrix(f.write(dir, "rules", 1, rules, dr));
            double[][] wq = matrix(f.write(dir, "wq", 1, e, d));
            double[][] wk = matrix(f.write(dir, "wk", 1, dr, d));
            double[][] uq = matrix(f.write(dir, "uq", 1, e, d));
            double[][] uk = matrix(f.write(dir, "uk", 1, ek, d));
            double[][][] w1 = new double[rules][][];
            double[][][] w2 = new double[rules][][];
            double[][] b1 = new double[rules][];
            double[][] b2 = new double[rules][];
            for (int r = 0; r < rules; r++) {
                w1[r] = matrix(f.write(dir, "w1_" + r, 0.5, e + ev, hidden));
                w2[r] = matrix(f.write(dir, "w2_" + r, 0.5, hidden, e));
                b1[r] = f.write(dir, "b1_" + r, 0.5, hidden).toDoubleArray();
                b2[r] = f.write(dir, "b2_" + r, 0.5, e).toDoubleArray();
            }
            Tensor q = f.uniform(dtype, 1, 3, 2, 5, 4);
            Tensor k = f.uniform(dtype, 1, 3, 2, 7, 3);
            Tensor v = f.uniform(dtype, 1, 3, 1, 7, 4);
            assertClose("production-system files", reference(array(q), array(k), array(v), emb, wq, wk, uq, uk, w1, w2,
                b1, b2), run(call(q, k, v).withParam("weights", dir.toString()).withParam("rules", "3")
                    .withParam("rule-dim", "5").withParam("dqk", "3").withParam("hidden", "7")));
        }
    }

    @Test
    void onlyOneSlotPerBatchChanges() {
        Fixtures f = new Fixtures(131);
        Tensor x = f.uniform(DType.FLOAT64, 1, 4, 2, 9, 3);
        Tensor out = run(x, x, x);
        for (int b = 0; b < 4; b++) {
            int changed = 0;
            for (int s = 0; s < 9; s++) {
                boolean same = true;
                for (int h = 0; h < 2; h++) {
                    for (int e = 0; e < 3; e++) {
                        same &= out.get(b, h, s, e) == x.get(b, h, s, e);
                    }
                }
                changed += same ? 0 : 1;
            }
            assertEquals(1, changed, "batch " + b);
        }
    }

    @Test
    void masksAndBadOptionsAreRejectedByName() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 2, 3, 4);
        assertArgument("causal", () -> run(call(x, x, x).withOptions(AttentionOptions.builder().causal(true).build())));
        assertArgument("--opt rules", () -> run(call(x, x, x).withParam("rules", "0")));
        assertArgument("--opt hidden", () -> run(call(x, x, x).withParam("hidden", "-2")));
        assertArgument("k", () -> run(x, Tensor.zeros(DType.FLOAT32, 2, 2, 3, 4), x));
    }
}

package org.attune.attention.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;

/**
 * The methods transcribed literally from their papers in float64 loops over plain arrays, sharing nothing
 * with the code under test; and the comparison that states the tolerances.
 *
 * <p>Tolerances, relative to this float64 reference: float64 results within 1e-12 of it (max |diff| over
 * max(1, max |ref|)); float32 results within a relative RMS error RMS(diff)/RMS(ref) of 1e-6, about 8
 * float32 ulps (2^-24 ≈ 6e-8), which covers one rounding per stage of the pipeline with a wide margin
 * (observed: 2e-8 to 8e-8).
 */
public final class Float64Reference {
    public static final double F64_TOLERANCE = 1e-12;
    public static final double F32_RMS_RATIO = 1e-6;

    private Float64Reference() {
    }

    /** A rank-4 tensor as nested arrays. */
    public static double[][][][] array(Tensor t) {
        int[] s = t.shape();
        double[][][][] a = new double[s[0]][s[1]][s[2]][s[3]];
        for (int b = 0; b < s[0]; b++) {
            for (int h = 0; h < s[1]; h++) {
                for (int i = 0; i < s[2]; i++) {
                    for (int e = 0; e < s[3]; e++) {
                        a[b][h][i][e] = t.get(b, h, i, e);
                    }
                }
            }
        }
        return a;
    }

    public static double[][] matrix(Tensor t) {
        double[][] m = new double[t.dim(0)][t.dim(1)];
        for (int r = 0; r < m.length; r++) {
            for (int c = 0; c < m[r].length; c++) {
                m[r][c] = t.get(r, c);
            }
        }
        return m;
    }

    /** Element [b, h, i, j] of a tensor broadcast to [B, H, Nq, Nk]; axes of size 1 read index 0. */
    public static double broadcast(Tensor t, int b, int h, int i, int j) {
        int[] index = {b, h, i, j};
        int[] s = t.shape();
        int[] at = new int[s.length];
        for (int a = 0; a < s.length; a++) {
            at[a] = s[a] == 1 ? 0 : index[4 - s.length + a];
        }
        return t.get(at);
    }

    /** Whether key j may be attended by query i: mask (true = may attend) and top-left causal. */
    public static boolean allowed(Tensor mask, boolean causal, int b, int h, int i, int j) {
        return (!causal || j <= i) && (mask == null || broadcast(mask, b, h, i, j) != 0);
    }

    /**
     * Softmax of scores s[b][h][i][j] over the allowed j, then Σ_j α v[b][h / G][j]: the attention step shared by
     * all scores. A row with no allowed key is zero.
     */
    public static double[][][][] attend(double[][][][] s, double[][][][] v, Tensor mask, boolean causal) {
        int bN = s.length, hN = s[0].length, g = hN / v[0].length, dv = v[0][0][0].length;
        double[][][][] out = new double[bN][hN][s[0][0].length][dv];
        for (int b = 0; b < bN; b++) {
            for (int h = 0; h < hN; h++) {
                for (int i = 0; i < s[b][h].length; i++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < s[b][h][i].length; j++) {
                        if (allowed(mask, causal, b, h, i, j)) {
                            max = Math.max(max, s[b][h][i][j]);
                        }
                    }
                    double z = 0;
                    for (int j = 0; j < s[b][h][i].length; j++) {
                        z += allowed(mask, causal, b, h, i, j) ? Math.exp(s[b][h][i][j] - max) : 0;
                    }
                    for (int j = 0; j < s[b][h][i].length; j++) {
                        if (allowed(mask, causal, b, h, i, j)) {
                            double alpha = Math.exp(s[b][h][i][j] - max) / z;
                            for (int e = 0; e < dv; e++) {
                                out[b][h][i][e] += alpha * v[b][h / g][j][e];
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Scores scale · q·k + bias, with grouped kv heads. */
    public static double[][][][] dotScores(double[][][][] q, double[][][][] k, double scale, Tensor bias) {
        int g = q[0].length / k[0].length;
        double[][][][] s = new double[q.length][q[0].length][q[0][0].length][k[0][0].length];
        for (int b = 0; b < q.length; b++) {
            for (int h = 0; h < q[b].length; h++) {
                for (int i = 0; i < q[b][h].length; i++) {
                    for (int j = 0; j < k[b][h / g].length; j++) {
                        double dot = 0;
                        for (int e = 0; e < q[b][h][i].length; e++) {
                            dot += q[b][h][i][e] * k[b][h / g][j][e];
                        }
                        s[b][h][i][j] = scale * dot + (bias == null ? 0 : broadcast(bias, b, h, i, j));
                    }
                }
            }
        }
        return s;
    }

    /** softmax(scale · Q Kᵀ + bias | mask, causal) V, Vaswani et al. eq. (1). */
    public static double[][][][] sdpa(double[][][][] q, double[][][][] k, double[][][][] v, double scale, boolean causal,
                               Tensor mask, Tensor bias) {
        return attend(dotScores(q, k, scale, bias), v, mask, causal);
    }

    /** x[b][s][h·D + e] = t[b][h][s][e]. */
    static double[][][] embed(double[][][][] t) {
        int d = t[0][0][0].length;
        double[][][] x = new double[t.length][t[0][0].length][t[0].length * d];
        for (int b = 0; b < t.length; b++) {
            for (int h = 0; h < t[b].length; h++) {
                for (int s = 0; s < t[b][h].length; s++) {
                    for (int e = 0; e < d; e++) {
                        x[b][s][h * d + e] = t[b][h][s][e];
                    }
                }
            }
        }
        return x;
    }

    /** t[b][h][s][e] = x[b][s][h·D + e], D = E / heads. */
    static double[][][][] heads(double[][][] x, int heads) {
        int d = x[0][0].length / heads;
        double[][][][] t = new double[x.length][heads][x[0].length][d];
        for (int b = 0; b < x.length; b++) {
            for (int s = 0; s < x[b].length; s++) {
                for (int h = 0; h < heads; h++) {
                    for (int e = 0; e < d; e++) {
                        t[b][h][s][e] = x[b][s][h * d + e];
                    }
                }
            }
        }
        return t;
    }

    /** y = x W + bias, W [in, out]. */
    static double[][][] linear(double[][][] x, double[][] w, double[] bias) {
        int out = w[0].length;
        double[][][] y = new double[x.length][x[0].length][out];
        for (int b = 0; b < x.length; b++) {
            for (int s = 0; s < x[b].length; s++) {
                for (int c = 0; c < out; c++) {
                    double sum = bias == null ? 0 : bias[c];
                    for (int r = 0; r < w.length; r++) {
                        sum += x[b][s][r] * w[r][c];
                    }
                    y[b][s][c] = sum;
                }
            }
        }
        return y;
    }

    /** The weights of the multi-head family, [in, out], biases may be null. */
    record Weights(double[][] wq, double[][] wk, double[][] wv, double[][] wo, double[] bq, double[] bk, double[] bv,
                   double[] bo) {
    }

    /**
     * Multi-head attention, Vaswani et al. §3.2.2, with G kv heads (G = heads: MHA, G = 1: MQA) and, when
     * {@code mixL}/{@code mixW} are given, the talking-heads projections of Shazeer et al. 2003.02436.
     */
    static double[][][][] multiHead(double[][][][] q, double[][][][] k, double[][][][] v, Weights w, int heads,
                                    int kvHeads, Double scale, boolean causal, Tensor mask, Tensor bias,
                                    double[][] mixL, double[][] mixW) {
        double[][][][] qh = heads(linear(embed(q), w.wq(), w.bq()), heads);
        double[][][][] kh = heads(linear(embed(k), w.wk(), w.bk()), kvHeads);
        double[][][][] vh = heads(linear(embed(v), w.wv(), w.bv()), kvHeads);
        double sc = scale != null ? scale : 1 / Math.sqrt(qh[0][0][0].length);
        double[][][][] o;
        if (mixL == null) {
            o = sdpa(qh, kh, vh, sc, causal, mask, bias);
        } else {
            double[][][][] logits = mixHeads(dotScores(qh, kh, sc, bias), mixL);
            double[][][][] alpha = mixHeads(attend(logits, identityValues(logits), mask, causal), mixW);
            o = new double[qh.length][heads][qh[0][0].length][vh[0][0][0].length];
            for (int b = 0; b < o.length; b++) {
                for (int h = 0; h < heads; h++) {
                    for (int i = 0; i < o[b][h].length; i++) {
                        for (int j = 0; j < alpha[b][h][i].length; j++) {
                            for (int e = 0; e < o[b][h][i].length; e++) {
                                o[b][h][i][e] += alpha[b][h][i][j] * vh[b][h][j][e];
                            }
                        }
                    }
                }
            }
        }
        return heads(linear(embed(o), w.wo(), w.bo()), q[0].length);
    }

    /** Values that make {@link #attend} return the attention weights themselves: v[b][h][j] = e_j. */
    private static double[][][][] identityValues(double[][][][] s) {
        int nk = s[0][0][0].length;
        double[][][][] v = new double[s.length][s[0].length][nk][nk];
        for (double[][][] b : v) {
            for (double[][] h : b) {
                for (int j = 0; j < nk; j++) {
                    h[j][j] = 1;
                }
            }
        }
        return v;
    }

    /** y[b][h'][i][j] = Σ_h x[b][h][i][j] P[h][h']. */
    static double[][][][] mixHeads(double[][][][] x, double[][] p) {
        double[][][][] y = new double[x.length][p[0].length][x[0][0].length][x[0][0][0].length];
        for (int b = 0; b < x.length; b++) {
            for (int h2 = 0; h2 < p[0].length; h2++) {
                for (int i = 0; i < y[b][h2].length; i++) {
                    for (int j = 0; j < y[b][h2][i].length; j++) {
                        double sum = 0;
                        for (int h = 0; h < p.length; h++) {
                            sum += x[b][h][i][j] * p[h][h2];
                        }
                        y[b][h2][i][j] = sum;
                    }
                }
            }
        }
        return y;
    }

    /** Bahdanau et al. eq. (6): e_ij = v_aᵀ tanh(W_aᵀ q_i + U_aᵀ k_j). */
    static double[][][][] additive(double[][][][] q, double[][][][] k, double[][][][] v, double[][] wa, double[][] ua,
                                   double[] va, double scale, boolean causal, Tensor mask, Tensor bias) {
        int g = q[0].length / k[0].length;
        double[][][][] s = new double[q.length][q[0].length][q[0][0].length][k[0][0].length];
        for (int b = 0; b < q.length; b++) {
            for (int h = 0; h < q[b].length; h++) {
                for (int i = 0; i < q[b][h].length; i++) {
                    for (int j = 0; j < k[b][h / g].length; j++) {
                        double e = 0;
                        for (int c = 0; c < va.length; c++) {
                            double pre = 0;
                            for (int r = 0; r < wa.length; r++) {
                                pre += q[b][h][i][r] * wa[r][c];
                            }
                            for (int r = 0; r < ua.length; r++) {
                                pre += k[b][h / g][j][r] * ua[r][c];
                            }
                            e += va[c] * Math.tanh(pre);
                        }
                        s[b][h][i][j] = scale * e + (bias == null ? 0 : broadcast(bias, b, h, i, j));
                    }
                }
            }
        }
        return attend(s, v, mask, causal);
    }

    /** Luong et al. eq. (8), general: e_ij = q_iᵀ W_a k_j. */
    static double[][][][] general(double[][][][] q, double[][][][] k, double[][][][] v, double[][] wa, double scale) {
        int g = q[0].length / k[0].length;
        double[][][][] s = new double[q.length][q[0].length][q[0][0].length][k[0][0].length];
        for (int b = 0; b < q.length; b++) {
            for (int h = 0; h < q[b].length; h++) {
                for (int i = 0; i < q[b][h].length; i++) {
                    for (int j = 0; j < k[b][h / g].length; j++) {
                        double e = 0;
                        for (int r = 0; r < wa.length; r++) {
                            for (int c = 0; c < wa[r].length; c++) {
                                e += q[b][h][i][r] * wa[r][c] * k[b][h / g][j][c];
                            }
                        }
                        s[b][h][i][j] = scale * e;
                    }
                }
            }
        }
        return attend(s, v, null, false);
    }

    /**
     * Asserts the tolerance of the class comment and prints an FLA-style line: max |diff|, RMS ratio.
     */
    public static void assertClose(String what, double[][][][] ref, Tensor actual) {
        assertArrayEquals(new int[] {ref.length, ref[0].length, ref[0][0].length, ref[0][0][0].length}, actual.shape(),
            what + ": shape");
        double maxDiff = 0, maxRef = 0, sumDiff2 = 0, sumRef2 = 0;
        int f = 0;
        for (double[][][] a : ref) {
            for (double[][] b : a) {
                for (double[] c : b) {
                    for (double r : c) {
                        double x = actual.getFlat(f++);
                        assertTrue(Double.isFinite(x), what + ": non-finite output " + x);
                        maxDiff = Math.max(maxDiff, Math.abs(x - r));
                        maxRef = Math.max(maxRef, Math.abs(r));
                        sumDiff2 += (x - r) * (x - r);
                        sumRef2 += r * r;
                    }
                }
            }
        }
        double ratio = sumRef2 == 0 ? Math.sqrt(sumDiff2) : Math.sqrt(sumDiff2 / sumRef2);
        System.out.printf("%-50s %s diff=%.3e ratio=%.3e%n", what, actual.dtype().shortName(), maxDiff, ratio);
        if (actual.dtype() == DType.FLOAT64) {
            assertTrue(maxDiff <= F64_TOLERANCE * Math.max(1, maxRef), what + ": max |diff| " + maxDiff);
        } else {
            assertTrue(ratio <= F32_RMS_RATIO, what + ": RMS ratio " + ratio);
        }
    }
}

package org.attune.attention.normalization;

import static org.attune.attention.core.Float64Reference.allowed;
import static org.attune.attention.core.Float64Reference.dotScores;

import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;

/**
 * The normalisations of this family transcribed literally from their papers in float64 loops over plain arrays,
 * sharing nothing with the code under test. Scores s = scale · q·k + bias come from attention-core's
 * {@code Float64Reference.dotScores}; a weight is computed for every (b, h, i, j) and the output is Σ_j w v_j.
 * Tolerances are {@code Float64Reference}'s (f64 within 1e-12, f32 relative RMS within 1e-6).
 */
final class NormalizationReference {
    private NormalizationReference() {
    }

    /** Σ_j w[b][h][i][j] v[b][h / G][j]. */
    static double[][][][] values(double[][][][] w, double[][][][] v) {
        int g = w[0].length / v[0].length;
        double[][][][] out = new double[w.length][w[0].length][w[0][0].length][v[0][0][0].length];
        for (int b = 0; b < w.length; b++) {
            for (int h = 0; h < w[b].length; h++) {
                for (int i = 0; i < w[b][h].length; i++) {
                    for (int j = 0; j < w[b][h][i].length; j++) {
                        for (int e = 0; e < out[b][h][i].length; e++) {
                            out[b][h][i][e] += w[b][h][i][j] * v[b][h / g][j][e];
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Ramapuram et al. eq. (2): σ(s + b) on the allowed entries. */
    static double[][][][] sigmoid(double[][][][] q, double[][][][] k, double[][][][] v, double scale, double shift,
                                  Tensor mask, boolean causal, Tensor bias) {
        double[][][][] s = dotScores(q, k, scale, bias);
        for (int b = 0; b < s.length; b++) {
            for (int h = 0; h < s[b].length; h++) {
                for (int i = 0; i < s[b][h].length; i++) {
                    for (int j = 0; j < s[b][h][i].length; j++) {
                        s[b][h][i][j] = allowed(mask, causal, b, h, i, j) ? 1 / (1 + Math.exp(-s[b][h][i][j] - shift)) : 0;
                    }
                }
            }
        }
        return values(s, v);
    }

    /** Wortsman et al.: relu(s) / L; Mega: relu(s / L)². */
    static double[][][][] relu(double[][][][] q, double[][][][] k, double[][][][] v, double scale, boolean squared,
                               Tensor mask, boolean causal, Tensor bias) {
        double[][][][] s = dotScores(q, k, scale, bias);
        for (int b = 0; b < s.length; b++) {
            for (int h = 0; h < s[b].length; h++) {
                for (int i = 0; i < s[b][h].length; i++) {
                    int n = s[b][h][i].length;
                    for (int j = 0; j < n; j++) {
                        double x = s[b][h][i][j];
                        s[b][h][i][j] = !allowed(mask, causal, b, h, i, j) ? 0
                            : squared ? Math.pow(Math.max(0, x / n), 2) : Math.max(0, x) / n;
                    }
                }
            }
        }
        return values(s, v);
    }

    /** Cog attention: sign(P) ⊙ softmax(|P|) over the allowed entries. */
    static double[][][][] cog(double[][][][] q, double[][][][] k, double[][][][] v, double scale, Tensor mask,
                              boolean causal, Tensor bias) {
        double[][][][] p = dotScores(q, k, scale, bias);
        double[][][][] w = new double[p.length][p[0].length][p[0][0].length][p[0][0][0].length];
        for (int b = 0; b < p.length; b++) {
            for (int h = 0; h < p[b].length; h++) {
                for (int i = 0; i < p[b][h].length; i++) {
                    double z = 0;
                    for (int j = 0; j < p[b][h][i].length; j++) {
                        z += allowed(mask, causal, b, h, i, j) ? Math.exp(Math.abs(p[b][h][i][j])) : 0;
                    }
                    for (int j = 0; j < p[b][h][i].length; j++) {
                        w[b][h][i][j] = allowed(mask, causal, b, h, i, j)
                            ? Math.signum(p[b][h][i][j]) * Math.exp(Math.abs(p[b][h][i][j])) / z : 0;
                    }
                }
            }
        }
        return values(w, v);
    }

    /** DependencyViT: A_ij = exp(s_ij) / Σ_{i'} exp(s_i'j) over the allowed entries. */
    static double[][][][] reversed(double[][][][] q, double[][][][] k, double[][][][] v, double scale, Tensor mask,
                                   boolean causal, Tensor bias) {
        double[][][][] s = dotScores(q, k, scale, bias);
        double[][][][] w = new double[s.length][s[0].length][s[0][0].length][s[0][0][0].length];
        for (int b = 0; b < s.length; b++) {
            for (int h = 0; h < s[b].length; h++) {
                for (int j = 0; j < s[b][h][0].length; j++) {
                    double z = 0;
                    for (int i = 0; i < s[b][h].length; i++) {
                        z += allowed(mask, causal, b, h, i, j) ? Math.exp(s[b][h][i][j]) : 0;
                    }
                    for (int i = 0; i < s[b][h].length; i++) {
                        w[b][h][i][j] = allowed(mask, causal, b, h, i, j) ? Math.exp(s[b][h][i][j]) / z : 0;
                    }
                }
            }
        }
        return values(w, v);
    }

    /**
     * Sinkformer's alternating normalisation in the probability domain: K = exp(s / ε), then T row normalisations
     * (rows to 1) with a column normalisation (columns to Nq/Nk) between each two.
     */
    static double[][][][] sinkhorn(double[][][][] q, double[][][][] k, double[][][][] v, double scale, int iterations,
                                   double epsilon) {
        double[][][][] w = dotScores(q, k, scale, null);
        for (double[][][] wb : w) {
            for (double[][] p : wb) {
                int nq = p.length, nk = p[0].length;
                for (double[] row : p) {
                    for (int j = 0; j < nk; j++) {
                        row[j] = Math.exp(row[j] / epsilon);
                    }
                }
                for (int t = 0; t < iterations; t++) {
                    if (t > 0) {
                        for (int j = 0; j < nk; j++) {
                            double c = 0;
                            for (double[] row : p) {
                                c += row[j];
                            }
                            for (double[] row : p) {
                                row[j] *= (double) nq / nk / c;
                            }
                        }
                    }
                    for (double[] row : p) {
                        double r = 0;
                        for (double x : row) {
                            r += x;
                        }
                        for (int j = 0; j < nk; j++) {
                            row[j] /= r;
                        }
                    }
                }
            }
        }
        return values(w, v);
    }

    /** Slot Attention, Algorithm 1 without the learned layers: softmax over slots, +1e-8, weighted mean, T times. */
    static double[][][][] slots(double[][][][] q, double[][][][] k, double[][][][] v, double scale, int iterations) {
        double[][][][] slots = q;
        for (int t = 0; t < iterations; t++) {
            double[][][][] s = dotScores(slots, k, scale, null);
            for (double[][][] sb : s) {
                for (double[][] p : sb) {
                    for (int j = 0; j < p[0].length; j++) {
                        double z = 0;
                        for (double[] row : p) {
                            z += Math.exp(row[j]);
                        }
                        for (double[] row : p) {
                            row[j] = Math.exp(row[j]) / z + 1e-8;
                        }
                    }
                    for (double[] row : p) {
                        double r = 0;
                        for (double x : row) {
                            r += x;
                        }
                        for (int j = 0; j < row.length; j++) {
                            row[j] /= r;
                        }
                    }
                }
            }
            slots = values(s, v);
        }
        return slots;
    }

    /** v [B, H, N, N] with v[b][h][j] = e_j, so that the output of a method is its weight matrix. */
    static Tensor oneHotValues(DType dtype, int batch, int heads, int n) {
        Tensor v = Tensor.zeros(dtype, batch, heads, n, n);
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                for (int j = 0; j < n; j++) {
                    v.set(1, b, h, j, j);
                }
            }
        }
        return v;
    }
}

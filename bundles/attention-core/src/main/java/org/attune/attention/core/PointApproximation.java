package org.attune.attention.core;

import java.util.SplittableRandom;

/**
 * Point-Approximate Matrix Multiplication (PAMM): the compressed activation X ≈ X̃ that the backward pass of a
 * projection Z = X W keeps instead of X, and the weight gradient Xᵀ G it approximates from it.
 * Khalaf, Shamshoum, Hodos, Sieradzki and Schuster, "QKV Projections Require a Fraction of Their Memory",
 * arXiv:2506.02939 (activation compression and the approximate product; read from the abstract and a
 * paper note, so no equation numbers are cited):
 * <pre>
 *   C = k rows of X drawn without replacement,  k = max(1, ⌈r · b⌉)               (generating points)
 *   f(i) = argmax_j |csim(A_i, C_j)|,   α_i = csim(A_i, C_f(i)) · ‖A_i‖ / ‖C_f(i)‖,   Ã_i = α_i C_f(i)
 *   kept(i) ⇔ ‖A_i − Ã_i‖ ≤ ε ‖A_i‖       (η tokens dropped; ε = ∞ keeps all, the paper's recommended setting)
 *   B̃_j = Σ_{i kept, f(i) = j} α_i G_i,    ∇W̃ = β · Cᵀ B̃,   β = b / (b − η)
 * </pre>
 * X [b, n] (rows A_i are tokens), G [b, m] the gradient of Z. The draw is a partial Fisher–Yates shuffle of the
 * row indices from {@code SplittableRandom(seed)}, so the first k points of a larger k are the points of a smaller
 * one. Ties in f go to the lower j; a zero row has α = 0 (it is exact). With k = b every row is its own point and
 * the gradient is exact. Shared by {@link PammAttention} (whose forward pass it does not change) and
 * {@link PammError} (which reports the error).
 */
final class PointApproximation {
    /**
     * One compressed activation.
     *
     * @param points  the generating points C [k, n]
     * @param assign  f(i) for each token
     * @param alpha   α_i for each token
     * @param kept    whether token i passed the neighbourhood gate
     * @param dropped η, the tokens that did not
     */
    record Compressed(double[][] points, int[] assign, double[] alpha, boolean[] kept, int dropped) {
        /** X̃ [b, n]: α_i C_f(i) for kept tokens, 0 for dropped ones. */
        double[][] reconstruction() {
            int n = points.length == 0 ? 0 : points[0].length;
            double[][] x = new double[assign.length][n];
            for (int i = 0; i < assign.length; i++) {
                for (int c = 0; c < n && kept[i]; c++) {
                    x[i][c] = alpha[i] * points[assign[i]][c];
                }
            }
            return x;
        }

        /** ∇W̃ = β · Cᵀ B̃ [n, m] for the gradient G [b, m] of the projection's output. */
        double[][] weightGradient(double[][] g) {
            int k = points.length, n = k == 0 ? 0 : points[0].length, m = g.length == 0 ? 0 : g[0].length;
            double[][] aggregated = new double[k][m];
            for (int i = 0; i < assign.length; i++) {
                for (int c = 0; c < m && kept[i]; c++) {
                    aggregated[assign[i]][c] += alpha[i] * g[i][c];
                }
            }
            double beta = dropped == assign.length ? 0 : (double) assign.length / (assign.length - dropped);
            double[][] out = new double[n][m];
            for (int j = 0; j < k; j++) {
                for (int r = 0; r < n; r++) {
                    double p = beta * points[j][r];
                    for (int c = 0; c < m; c++) {
                        out[r][c] += p * aggregated[j][c];
                    }
                }
            }
            return out;
        }
    }

    private PointApproximation() {
    }

    /** The number of generating points for b tokens at ratio r: max(1, ⌈r · b⌉), at most b. */
    static int points(int b, double ratio) {
        return Math.min(b, Math.max(1, (int) Math.ceil(ratio * b)));
    }

    /**
     * Compresses X [b, n] (b ≥ 1).
     *
     * @param ratio   r ∈ (0, 1]
     * @param epsilon ε of the neighbourhood gate ({@code Double.POSITIVE_INFINITY} keeps every token)
     * @param seed    the seed of the draw of the points
     */
    static Compressed compress(double[][] x, double ratio, double epsilon, long seed) {
        int b = x.length;
        int k = points(b, ratio);
        int[] order = new int[b];
        for (int i = 0; i < b; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        double[][] c = new double[k][];
        for (int t = 0; t < k; t++) {
            int j = t + random.nextInt(b - t);
            int swap = order[t];
            order[t] = order[j];
            order[j] = swap;
            c[t] = x[order[t]].clone();
        }
        double[] cNorm = new double[k];
        for (int j = 0; j < k; j++) {
            cNorm[j] = Math.sqrt(dot(c[j], c[j]));
        }
        int[] assign = new int[b];
        double[] alpha = new double[b];
        boolean[] kept = new boolean[b];
        int dropped = 0;
        for (int i = 0; i < b; i++) {
            double aNorm = Math.sqrt(dot(x[i], x[i]));
            double best = -1;
            for (int j = 0; j < k; j++) {
                double cos = aNorm == 0 || cNorm[j] == 0 ? 0 : Math.abs(dot(x[i], c[j])) / (aNorm * cNorm[j]);
                if (cos > best) {
                    best = cos;
                    assign[i] = j;
                }
            }
            double norm = cNorm[assign[i]];
            alpha[i] = norm == 0 ? 0 : dot(x[i], c[assign[i]]) / (norm * norm);
            double residual = 0;
            for (int r = 0; r < x[i].length; r++) {
                double d = x[i][r] - alpha[i] * c[assign[i]][r];
                residual += d * d;
            }
            kept[i] = Math.sqrt(residual) <= epsilon * aNorm;
            dropped += kept[i] ? 0 : 1;
        }
        return new Compressed(c, assign, alpha, kept, dropped);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}

package org.attune.equivariance.canonicalization;

import java.util.Arrays;

/**
 * The reference frames of K slots over N input positions g [N, d] (float64): for attention weights w [K, N] whose
 * rows sum to 1, slot k has
 * <pre>
 *   p_k   = Σ_i w_ki g_i                                         position
 *   C_k   = Σ_i w_ki (g_i − p_k)(g_i − p_k)ᵀ = Σ_j λ_kj e_kj e_kjᵀ    weighted covariance, λ_k1 ≥ … ≥ λ_kd
 *   e_kj  signed so that Σ_i w_ki (e_kj·(g_i − p_k))³ ≥ 0           rotation R_k = [e_k1 … e_kd]
 *   σ_kj  = √λ_kj  (1 where λ_kj ≤ 0)                              scale per axis
 *   rel_{k,i} = diag(σ_k)⁻¹ R_kᵀ (g_i − p_k)                        the relative grid
 * </pre>
 * Moving the positions by g ↦ c·Q·g + t (Q orthogonal, c &gt; 0) moves p_k to c·Q·p_k + t, C_k to c²·Q·C_k·Qᵀ,
 * e_kj to Q·e_kj (the third-moment sign is invariant) and σ_kj to c·σ_kj, so the relative grid is unchanged:
 * exact when the λ_kj are distinct and the third moments non-zero, which holds for generic inputs.
 *
 * @param positions p [K][d]
 * @param axes      R [K][d][d], column j = e_kj ({@code axes[k][a][j]})
 * @param scales    σ [K][d]
 */
record SlotFrames(double[][] positions, double[][][] axes, double[][] scales) {
    /** The frames of weights w [K][N] over positions g [N][d]. */
    static SlotFrames of(double[][] w, double[][] g) {
        int slots = w.length;
        int n = g.length;
        int d = g[0].length;
        double[][] p = new double[slots][d];
        double[][][] r = new double[slots][][];
        double[][] sigma = new double[slots][d];
        for (int k = 0; k < slots; k++) {
            for (int i = 0; i < n; i++) {
                for (int a = 0; a < d; a++) {
                    p[k][a] += w[k][i] * g[i][a];
                }
            }
            double[][] c = new double[d][d];
            for (int i = 0; i < n; i++) {
                for (int a = 0; a < d; a++) {
                    for (int b = 0; b < d; b++) {
                        c[a][b] += w[k][i] * (g[i][a] - p[k][a]) * (g[i][b] - p[k][b]);
                    }
                }
            }
            double[][] v = PrincipalFrames.jacobi(c);
            Integer[] order = new Integer[d];
            for (int j = 0; j < d; j++) {
                order[j] = j;
            }
            Arrays.sort(order, (x, y) -> Double.compare(c[y][y], c[x][x]));
            r[k] = new double[d][d];
            for (int j = 0; j < d; j++) {
                int col = order[j];
                double third = 0;
                for (int i = 0; i < n; i++) {
                    double proj = 0;
                    for (int a = 0; a < d; a++) {
                        proj += v[a][col] * (g[i][a] - p[k][a]);
                    }
                    third += w[k][i] * proj * proj * proj;
                }
                double sign = third < 0 ? -1 : 1;
                for (int a = 0; a < d; a++) {
                    r[k][a][j] = sign * v[a][col];
                }
                double lambda = c[col][col];
                sigma[k][j] = lambda > 0 ? Math.sqrt(lambda) : 1;
            }
        }
        return new SlotFrames(p, r, sigma);
    }

    /** rel_{k,i} for one slot k: [N][d]. */
    double[][] relative(int k, double[][] g) {
        int d = g[0].length;
        double[][] rel = new double[g.length][d];
        for (int i = 0; i < g.length; i++) {
            for (int j = 0; j < d; j++) {
                double proj = 0;
                for (int a = 0; a < d; a++) {
                    proj += axes[k][a][j] * (g[i][a] - positions[k][a]);
                }
                rel[i][j] = proj / scales[k][j];
            }
        }
        return rel;
    }
}

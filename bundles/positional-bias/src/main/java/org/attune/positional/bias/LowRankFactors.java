package org.attune.positional.bias;

import java.util.Arrays;

/**
 * A matrix B [m, n] as a product of factors B ≈ U·Vᵀ (U [m, R], V [n, R]): the truncated singular value
 * decomposition, by one-sided Jacobi rotations (Hestenes): columns of A = B are rotated pairwise, A ← A·J, V ← V·J,
 * until all are orthogonal; then A = U·Σ and B = A·Vᵀ. Keeping the R columns of largest norm σ gives the best
 * rank-R approximation (Eckart–Young): ‖B − B_R‖₂ = σ_{R+1}, which bounds every entry's error.
 *
 * @param u     [m, R] row-major, left factor with the singular values folded in (σᵣ·uᵣ)
 * @param v     [n, R] row-major, right singular vectors
 * @param rank  R, the number of kept columns
 * @param sigma the n column norms after the rotations, descending: the singular values, zero-padded when m &lt; n
 */
record LowRankFactors(double[] u, double[] v, int rank, double[] sigma) {
    private static final int SWEEPS = 60;

    /** The rank-R truncated SVD of b [m, n] (row-major, not modified); R ≤ n. */
    static LowRankFactors truncate(double[] b, int m, int n, int rank) {
        double[] a = b.clone();
        double[] w = new double[n * n];
        for (int i = 0; i < n; i++) {
            w[i * n + i] = 1;
        }
        for (int sweep = 0; sweep < SWEEPS; sweep++) {
            boolean rotated = false;
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    double alpha = 0, beta = 0, gamma = 0;
                    for (int i = 0; i < m; i++) {
                        double x = a[i * n + p], y = a[i * n + q];
                        alpha += x * x;
                        beta += y * y;
                        gamma += x * y;
                    }
                    if (Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta) || gamma == 0) {
                        continue;
                    }
                    rotated = true;
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = Math.signum(zeta) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
                    if (zeta == 0) {
                        t = 1;
                    }
                    double c = 1 / Math.sqrt(1 + t * t), s = c * t;
                    rotate(a, m, n, p, q, c, s);
                    rotate(w, n, n, p, q, c, s);
                }
            }
            if (!rotated) {
                break;
            }
        }
        double[] norms = new double[n];
        Integer[] order = new Integer[n];
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int i = 0; i < m; i++) {
                s += a[i * n + j] * a[i * n + j];
            }
            norms[j] = Math.sqrt(s);
            order[j] = j;
        }
        Arrays.sort(order, (x, y) -> Double.compare(norms[y], norms[x]));
        double[] u = new double[m * rank], v = new double[n * rank], sigma = new double[n];
        for (int r = 0; r < n; r++) {
            sigma[r] = norms[order[r]];
        }
        for (int r = 0; r < rank; r++) {
            int col = order[r];
            for (int i = 0; i < m; i++) {
                u[i * rank + r] = a[i * n + col];
            }
            for (int j = 0; j < n; j++) {
                v[j * rank + r] = w[j * n + col];
            }
        }
        return new LowRankFactors(u, v, rank, sigma);
    }

    /** (U·Vᵀ)[i, j]. */
    double entry(int i, int j) {
        double s = 0;
        for (int r = 0; r < rank; r++) {
            s += u[i * rank + r] * v[j * rank + r];
        }
        return s;
    }

    private static void rotate(double[] x, int rows, int cols, int p, int q, double c, double s) {
        for (int i = 0; i < rows; i++) {
            double xp = x[i * cols + p], xq = x[i * cols + q];
            x[i * cols + p] = c * xp - s * xq;
            x[i * cols + q] = s * xp + c * xq;
        }
    }
}

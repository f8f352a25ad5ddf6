package org.attune.equivariance.canonicalization;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;

/**
 * The PCA frame set of a point cloud X [N, d] (Puny et al., arXiv:2110.03336, Section 3.3, "Frames for E(d)"):
 * the centroid t = (1/N) Σ_i x_i, the covariance C = Σ_i (x_i − t)(x_i − t)ᵀ = U Λ Uᵀ with eigenvalues
 * λ_1 ≥ … ≥ λ_d (columns of U in that order), and the frames
 * <pre>
 *   F(X) = { (U·S, t) : S = diag(s), s ∈ {−1, +1}^d }              all 2^d (8 for d = 3): O(d) frames
 *   F⁺(X) = { (U·S, t) ∈ F(X) : det(U·S) = +1 }                     2^(d−1) (4 for d = 3): SO(d) frames
 * </pre>
 * For X ↦ X·Qᵀ + 1·sᵀ (Q orthogonal), t ↦ Q·t + s and C ↦ Q·C·Qᵀ, so U ↦ Q·U·S₀ for some sign matrix S₀ and
 * F(g·X) = g·F(X) as a set; F⁺ is equivariant only for det Q = +1. The set is defined only for a simple spectrum:
 * when some gap λ_k − λ_{k+1} is below {@code relativeGap}·λ_1 (or λ_1 = 0) the eigenvectors are not determined
 * up to sign and the input is rejected.
 *
 * <p>The eigendecomposition is cyclic Jacobi in float64 (accurate to a few ulps of λ_1 for any d).
 *
 * @param centroid    t [d]
 * @param axes        U, column k the unit eigenvector of λ_k
 * @param eigenvalues λ_1 ≥ … ≥ λ_d
 */
record PrincipalFrames(double[] centroid, double[][] axes, double[] eigenvalues) {
    /** The centroid and principal axes of coords [N, d] (read in float64); rejects near-degenerate spectra. */
    static PrincipalFrames of(Tensor coords, double relativeGap) {
        int n = coords.dim(0);
        int d = coords.dim(1);
        double[] t = new double[d];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < d; a++) {
                t[a] += coords.get(i, a) / n;
            }
        }
        double[][] c = new double[d][d];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < d; a++) {
                double xa = coords.get(i, a) - t[a];
                for (int b = 0; b < d; b++) {
                    c[a][b] += xa * (coords.get(i, b) - t[b]);
                }
            }
        }
        double[][] u = jacobi(c);
        Integer[] order = new Integer[d];
        for (int k = 0; k < d; k++) {
            order[k] = k;
        }
        Arrays.sort(order, (p, q) -> Double.compare(c[q][q], c[p][p]));
        double[] lambda = new double[d];
        double[][] axes = new double[d][d];
        for (int k = 0; k < d; k++) {
            lambda[k] = c[order[k]][order[k]];
            for (int a = 0; a < d; a++) {
                axes[a][k] = u[a][order[k]];
            }
        }
        if (!(lambda[0] > 0)) {
            throw new InvalidInputException("coords", "expected points that are not all equal: the covariance is zero");
        }
        for (int k = 0; k + 1 < d; k++) {
            if (lambda[k] - lambda[k + 1] < relativeGap * lambda[0]) {
                throw new InvalidInputException("coords", "expected a point cloud whose covariance has " + d
                    + " distinct eigenvalues (relative gap >= " + relativeGap + "), got eigenvalues "
                    + Arrays.toString(lambda) + ": the PCA frame is not defined for a degenerate spectrum");
            }
        }
        return new PrincipalFrames(t, axes, lambda);
    }

    /** The frame rotations U·S, float64 [d, d] each, sign patterns in binary order; with {@code proper} only det +1. */
    List<Tensor> rotations(boolean proper) {
        int d = centroid.length;
        double detU = determinant(axes);
        List<Tensor> out = new ArrayList<>();
        for (int mask = 0; mask < (1 << d); mask++) {
            int negatives = Integer.bitCount(mask);
            if (proper && detU * (negatives % 2 == 0 ? 1 : -1) < 0) {
                continue;
            }
            Tensor r = Tensor.zeros(DType.FLOAT64, d, d);
            for (int a = 0; a < d; a++) {
                for (int k = 0; k < d; k++) {
                    r.set(axes[a][k] * ((mask >> k & 1) == 1 ? -1 : 1), a, k);
                }
            }
            out.add(r);
        }
        return out;
    }

    /** Diagonalises the symmetric c in place (its diagonal becomes the eigenvalues); returns the eigenvectors. */
    static double[][] jacobi(double[][] c) {
        int d = c.length;
        double[][] v = new double[d][d];
        for (int a = 0; a < d; a++) {
            v[a][a] = 1;
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            double total = 0;
            for (int p = 0; p < d; p++) {
                for (int q = 0; q < d; q++) {
                    total += c[p][q] * c[p][q];
                    off += p == q ? 0 : c[p][q] * c[p][q];
                }
            }
            if (off <= 1e-32 * total) {
                break;
            }
            for (int p = 0; p < d; p++) {
                for (int q = p + 1; q < d; q++) {
                    if (c[p][q] == 0) {
                        continue;
                    }
                    double theta = (c[q][q] - c[p][p]) / (2 * c[p][q]);
                    double tan = Math.signum(theta == 0 ? 1 : theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    double cos = 1 / Math.sqrt(tan * tan + 1);
                    double sin = tan * cos;
                    for (int k = 0; k < d; k++) {
                        double ckp = c[k][p];
                        double ckq = c[k][q];
                        c[k][p] = cos * ckp - sin * ckq;
                        c[k][q] = sin * ckp + cos * ckq;
                    }
                    for (int k = 0; k < d; k++) {
                        double cpk = c[p][k];
                        double cqk = c[q][k];
                        c[p][k] = cos * cpk - sin * cqk;
                        c[q][k] = sin * cpk + cos * cqk;
                    }
                    for (int k = 0; k < d; k++) {
                        double vkp = v[k][p];
                        double vkq = v[k][q];
                        v[k][p] = cos * vkp - sin * vkq;
                        v[k][q] = sin * vkp + cos * vkq;
                    }
                }
            }
        }
        return v;
    }

    /** det(m) by Gaussian elimination with partial pivoting (only its sign is used: ±1 for an orthogonal m). */
    private static double determinant(double[][] m) {
        int d = m.length;
        double[][] a = new double[d][];
        for (int i = 0; i < d; i++) {
            a[i] = m[i].clone();
        }
        double det = 1;
        for (int col = 0; col < d; col++) {
            int pivot = col;
            for (int r = col + 1; r < d; r++) {
                if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) {
                    pivot = r;
                }
            }
            if (pivot != col) {
                double[] tmp = a[pivot];
                a[pivot] = a[col];
                a[col] = tmp;
                det = -det;
            }
            det *= a[col][col];
            for (int r = col + 1; r < d; r++) {
                double f = a[r][col] / a[col][col];
                for (int k = col; k < d; k++) {
                    a[r][k] -= f * a[col][k];
                }
            }
        }
        return det;
    }
}

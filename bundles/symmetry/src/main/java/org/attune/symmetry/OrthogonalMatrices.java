package org.attune.symmetry;

import java.util.SplittableRandom;

/**
 * Orthogonal n×n matrices as row-major {@code double[n*n]}: Haar sampling, products, transposes, determinants.
 *
 * <p>Haar sampling (Mezzadri, "How to generate random matrices from the classical compact groups",
 * arXiv:math-ph/0609050): Q from the Gram–Schmidt (QR) factorisation of a matrix of independent
 * standard normals, with each column's sign fixed so that diag(R) &gt; 0, is Haar-distributed on O(n). For
 * SO(n), a Q with det −1 has its first column negated, a measure-preserving bijection between the two
 * components of O(n).
 */
final class OrthogonalMatrices {
    private OrthogonalMatrices() {
    }

    static double[] identity(int n) {
        double[] m = new double[n * n];
        for (int i = 0; i < n; i++) {
            m[i * n + i] = 1;
        }
        return m;
    }

    static double[] haar(int n, boolean special, SplittableRandom random) {
        double[][] cols = new double[n][n];
        for (int c = 0; c < n; c++) {
            for (int r = 0; r < n; r++) {
                cols[c][r] = gaussian(random);
            }
        }
        // Gram-Schmidt, each projection done twice ("twice is enough") to keep orthogonality at rounding level;
        // the diagonal of R is each column's norm after projection, > 0 by construction
        for (int c = 0; c < n; c++) {
            for (int p = 0; p < 2 * c; p++) {
                double dot = 0;
                for (int r = 0; r < n; r++) {
                    dot += cols[p % c][r] * cols[c][r];
                }
                for (int r = 0; r < n; r++) {
                    cols[c][r] -= dot * cols[p % c][r];
                }
            }
            double norm = 0;
            for (int r = 0; r < n; r++) {
                norm += cols[c][r] * cols[c][r];
            }
            norm = Math.sqrt(norm);
            for (int r = 0; r < n; r++) {
                cols[c][r] /= norm;
            }
        }
        double[] q = new double[n * n];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) {
                q[r * n + c] = cols[c][r];
            }
        }
        if (special && determinant(q, n) < 0) {
            for (int r = 0; r < n; r++) {
                q[r * n] = -q[r * n];
            }
        }
        return q;
    }

    static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    /** {@code a·b}. */
    static double[] multiply(double[] a, double[] b, int n) {
        double[] c = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < n; k++) {
                double aik = a[i * n + k];
                for (int j = 0; j < n; j++) {
                    c[i * n + j] += aik * b[k * n + j];
                }
            }
        }
        return c;
    }

    /** {@code a·v}. */
    static double[] apply(double[] a, double[] v, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                out[i] += a[i * n + j] * v[j];
            }
        }
        return out;
    }

    static double[] transpose(double[] a, int n) {
        double[] t = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                t[j * n + i] = a[i * n + j];
            }
        }
        return t;
    }

    /** Determinant by Gaussian elimination with partial pivoting. */
    static double determinant(double[] a, int n) {
        double[] m = a.clone();
        double det = 1;
        for (int c = 0; c < n; c++) {
            int pivot = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(m[r * n + c]) > Math.abs(m[pivot * n + c])) {
                    pivot = r;
                }
            }
            if (m[pivot * n + c] == 0) {
                return 0;
            }
            if (pivot != c) {
                for (int j = 0; j < n; j++) {
                    double t = m[c * n + j];
                    m[c * n + j] = m[pivot * n + j];
                    m[pivot * n + j] = t;
                }
                det = -det;
            }
            det *= m[c * n + c];
            for (int r = c + 1; r < n; r++) {
                double f = m[r * n + c] / m[c * n + c];
                for (int j = c; j < n; j++) {
                    m[r * n + j] -= f * m[c * n + j];
                }
            }
        }
        return det;
    }

    static String describe(double[] a, int n) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            s.append(i == 0 ? "[" : ", [");
            for (int j = 0; j < n; j++) {
                s.append(j == 0 ? "" : ", ").append(String.format(java.util.Locale.ROOT, "%.4f", a[i * n + j]));
            }
            s.append(']');
        }
        return s.append(']').toString();
    }
}

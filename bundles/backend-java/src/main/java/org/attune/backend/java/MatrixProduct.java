package org.attune.backend.java;

/**
 * Batched matrix product in float64.
 * <pre>
 *   c[t, i, j] = Σ_{p &lt; k} A[t, i, p] · B[t, p, j],   A = op(a), B = op(b), op = transpose or identity
 * </pre>
 * The sum over p runs in increasing order in one float64 accumulator per element.
 */
final class MatrixProduct {
    private MatrixProduct() {
    }

    /**
     * @param a          {@code batch} row-major matrices, each [m, k] ([k, m] when {@code transposeA}); not modified
     * @param b          {@code batch} matrices [k, n] ([n, k] when {@code transposeB}), or one when {@code shared}
     * @param transposeA read a transposed
     * @param transposeB read b transposed
     * @return {@code batch} matrices [m, n]
     */
    static double[] multiply(double[] a, double[] b, int batch, boolean shared, int m, int k, int n,
                             boolean transposeA, boolean transposeB) {
        double[] c = new double[batch * m * n];
        JavaBackend.rows(batch * m, (double) batch * m * n * k).forEach(row -> {
            int t = row / m;
            int i = row % m;
            int aBase = t * m * k;
            int bBase = shared ? 0 : t * k * n;
            int cBase = row * n;
            for (int p = 0; p < k; p++) {
                double aip = transposeA ? a[aBase + p * m + i] : a[aBase + i * k + p];
                for (int j = 0; j < n; j++) {
                    c[cBase + j] += aip * (transposeB ? b[bBase + j * k + p] : b[bBase + p * n + j]);
                }
            }
        });
        return c;
    }
}

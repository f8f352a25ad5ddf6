package org.attune.attention.normalization;

import org.attune.api.tensor.InvalidInputException;

/**
 * Quadrature nodes t_k = cos θ_k (θ the colatitude) and weights w_k on [−1, 1] for the latitude rings of a
 * spherical grid, as torch-harmonics builds them ({@code torch_harmonics/quadrature.py}, checked there):
 * <pre>
 *   equiangular:    Clenshaw–Curtis, t_k = cos(π − kπ/N), k = 0..N, N = n − 1,
 *                   w_k = (c_k / N) · (1 − Σ_{j=1}^{⌊N/2⌋} b_j cos(2jkπ/N) / (4j² − 1)),  c_0 = c_N = 1, else 2;
 *                   b_j = 1 if 2j = N, else 2   (Waldvogel, BIT 43 (2003), the same rule as its FFT form)
 *   legendre-gauss: the n roots of P_n, w_k = 2 / ((1 − t_k²) P_n'(t_k)²)
 *   uniform:        w_k = 1 (no quadrature: plain softmax attention)
 * </pre>
 * A grid of nlat rings and nlon longitudes holds point p at ring p / nlon, longitude 2π (p mod nlon) / nlon; its
 * quadrature weight is w_{p / nlon} · 2π / nlon. One ring (n = 1) has the node 0 and the weight 2.
 *
 * @param nodes   t_k = cos θ_k, increasing
 * @param weights w_k
 */
record LatitudeQuadrature(double[] nodes, double[] weights) {

    /** The rule named {@code grid} with {@code n} nodes; {@code option} names the option for messages. */
    static LatitudeQuadrature of(String grid, int n, String option) {
        return switch (grid) {
            case "equiangular" -> clenshawCurtis(n);
            case "legendre-gauss" -> legendreGauss(n);
            case "uniform" -> uniform(n);
            default -> throw new InvalidInputException("--opt " + option,
                "expected equiangular, legendre-gauss or uniform, got '" + grid + "'");
        };
    }

    static LatitudeQuadrature uniform(int n) {
        double[] t = new double[n];
        double[] w = new double[n];
        for (int k = 0; k < n; k++) {
            t[k] = n == 1 ? 0 : -Math.cos(Math.PI * k / (n - 1));
            w[k] = 1;
        }
        return new LatitudeQuadrature(t, w);
    }

    static LatitudeQuadrature clenshawCurtis(int n) {
        if (n == 1) {
            return new LatitudeQuadrature(new double[] {0}, new double[] {2});
        }
        int big = n - 1;
        double[] t = new double[n];
        double[] w = new double[n];
        for (int k = 0; k <= big; k++) {
            double theta = Math.PI * k / big;
            t[k] = -Math.cos(theta);
            double sum = 0;
            for (int j = 1; j <= big / 2; j++) {
                double b = 2 * j == big ? 1 : 2;
                sum += b * Math.cos(2 * j * theta) / (4.0 * j * j - 1);
            }
            double c = k == 0 || k == big ? 1 : 2;
            w[k] = c / big * (1 - sum);
        }
        return new LatitudeQuadrature(t, w);
    }

    static LatitudeQuadrature legendreGauss(int n) {
        double[] t = new double[n];
        double[] w = new double[n];
        for (int k = 0; k < n; k++) {
            double x = -Math.cos(Math.PI * (k + 0.75) / (n + 0.5));
            double dp = 1;
            for (int iteration = 0; iteration < 100; iteration++) {
                double p0 = 1, p1 = x;
                for (int l = 2; l <= n; l++) {
                    double p2 = ((2 * l - 1) * x * p1 - (l - 1) * p0) / l;
                    p0 = p1;
                    p1 = p2;
                }
                double pn = n == 1 ? x : p1;
                double pm = n == 1 ? 1 : p0;
                dp = n * (x * pn - pm) / (x * x - 1);
                double step = pn / dp;
                x -= step;
                if (Math.abs(step) < 1e-16) {
                    break;
                }
            }
            t[k] = x;
            w[k] = 2 / ((1 - x * x) * dp * dp);
        }
        return new LatitudeQuadrature(t, w);
    }
}

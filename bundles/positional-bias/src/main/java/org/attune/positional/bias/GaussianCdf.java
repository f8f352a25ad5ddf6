package org.attune.positional.bias;

/**
 * The standard normal CDF Φ, to float64 accuracy, for the exact GELU of Learnable Fourier Features' MLP
 * (PyTorch {@code nn.GELU()} with its default {@code approximate='none'}).
 * <pre>
 *   GELU(x) = x·Φ(x),   Φ(x) = erfc(−x/√2) / 2
 *   erf(z)  = (2/√π) e^{−z²} Σ_{n≥0} 2ⁿ z^{2n+1} / (1·3·5···(2n+1))          (0 ≤ z &lt; 2.5, all terms positive)
 *   erfc(z) = (e^{−z²}/√π) / (z + (1/2)/(z + (2/2)/(z + (3/2)/(z + ...))))     (z ≥ 2.5, Laplace's continued fraction)
 * </pre>
 * Abramowitz and Stegun 7.1.6 and 7.1.14; erfc(−z) = 2 − erfc(z). The continued fraction keeps the relative
 * accuracy of the lower tail, where 1 − erf(z) would cancel.
 */
final class GaussianCdf {
    private static final double SERIES_LIMIT = 2.5;
    private static final double UNDERFLOW = 27;
    private static final int FRACTION_TERMS = 200;
    private static final double INV_SQRT_PI = 0.5641895835477563;
    private static final double INV_SQRT_2 = 0.7071067811865476;

    private GaussianCdf() {
    }

    /** x·Φ(x). */
    static double gelu(double x) {
        return x * phi(x);
    }

    /** Φ(x). */
    static double phi(double x) {
        return 0.5 * erfc(-x * INV_SQRT_2);
    }

    /** erfc(z) = 1 − erf(z). */
    static double erfc(double z) {
        if (Double.isNaN(z)) {
            return z;
        }
        if (z < 0) {
            return 2 - erfc(-z);
        }
        if (z < SERIES_LIMIT) {
            return 1 - erfSeries(z);
        }
        if (z > UNDERFLOW) {
            return 0;
        }
        double t = z;
        for (int n = FRACTION_TERMS; n >= 1; n--) {
            t = z + (n * 0.5) / t;
        }
        return Math.exp(-z * z) * INV_SQRT_PI / t;
    }

    private static double erfSeries(double z) {
        double twoZ2 = 2 * z * z;
        double term = z;
        double sum = z;
        for (int n = 1; term > 1e-17 * sum; n++) {
            term *= twoZ2 / (2 * n + 1);
            sum += term;
        }
        return 2 * INV_SQRT_PI * Math.exp(-z * z) * sum;
    }
}

package org.attune.symmetry.e3;

import org.attune.api.tensor.InvalidInputException;

/**
 * Real spherical harmonics, orthonormal on the unit sphere (∫ Y_lm Y_l'm' dΩ = δ_ll' δ_mm'), of the direction
 * of x = (x, y, z) with cos θ = z/|x| and φ = atan2(y, x); component m of degree l sits at index m + l:
 * <pre>
 *   Y_l0  = N_l0 P_l^0(cos θ)
 *   Y_lm  = √2 N_lm P_l^m(cos θ) cos(m φ)        m &gt; 0
 *   Y_l,−m = √2 N_lm P_l^m(cos θ) sin(m φ)        m &gt; 0
 *   N_lm  = √((2l + 1)/(4π) · (l − m)!/(l + m)!)
 * </pre>
 * with P_l^m the associated Legendre functions without the Condon–Shortley phase, by the recurrences
 * P_m^m = (2m − 1)!! (1 − z²)^{m/2}, P_{m+1}^m = (2m + 1) z P_m^m,
 * (l − m) P_l^m = (2l − 1) z P_{l−1}^m − (l + m − 1) P_{l−2}^m. Degree 1 is (y, z, x)·√(3/(4π))/|x|, the
 * ordering e3nn uses. Equivariance: Y^l(R x) = D^l(R) Y^l(x) ({@link WignerD}); parity Y^l(−x) = (−1)^l Y^l(x).
 */
public final class SphericalHarmonics {
    /** The largest degree evaluated (float64 accuracy is kept well beyond it). */
    public static final int MAX_DEGREE = 12;

    private SphericalHarmonics() {
    }

    /**
     * Y^l of the direction of x.
     *
     * @param l degree in [0, {@value #MAX_DEGREE}]
     * @param x a non-zero vector of length 3, not modified
     * @return 2l + 1 values, index m + l
     */
    public static double[] of(int l, double[] x) {
        if (l < 0 || l > MAX_DEGREE) {
            throw new InvalidInputException("l", "expected a degree in [0, " + MAX_DEGREE + "], got " + l);
        }
        if (x.length != 3) {
            throw new InvalidInputException("x", "expected a 3-vector, got length " + x.length);
        }
        double r = Math.sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2]);
        if (!(r > 0)) {
            throw new InvalidInputException("x", "expected a non-zero vector: the direction of 0 is undefined");
        }
        double z = x[2] / r;
        double phi = Math.atan2(x[1], x[0]);
        double sinTheta = Math.sqrt(Math.max(0, 1 - z * z));
        double[] out = new double[2 * l + 1];
        for (int m = 0; m <= l; m++) {
            double p = legendre(l, m, z, sinTheta);
            double n = Math.sqrt((2 * l + 1) / (4 * Math.PI) * factorialRatio(l, m));
            if (m == 0) {
                out[l] = n * p;
            } else {
                out[l + m] = Math.sqrt(2) * n * p * Math.cos(m * phi);
                out[l - m] = Math.sqrt(2) * n * p * Math.sin(m * phi);
            }
        }
        return out;
    }

    /** P_l^m(z) without the Condon–Shortley phase, with sin θ = √(1 − z²). */
    static double legendre(int l, int m, double z, double sinTheta) {
        double pmm = 1;
        for (int i = 1; i <= m; i++) {
            pmm *= (2 * i - 1) * sinTheta;
        }
        if (l == m) {
            return pmm;
        }
        double prev = pmm;
        double cur = (2 * m + 1) * z * pmm;
        for (int k = m + 2; k <= l; k++) {
            double next = ((2 * k - 1) * z * cur - (k + m - 1) * prev) / (k - m);
            prev = cur;
            cur = next;
        }
        return cur;
    }

    /** (l − m)!/(l + m)!. */
    private static double factorialRatio(int l, int m) {
        double r = 1;
        for (int k = l - m + 1; k <= l + m; k++) {
            r /= k;
        }
        return r;
    }
}

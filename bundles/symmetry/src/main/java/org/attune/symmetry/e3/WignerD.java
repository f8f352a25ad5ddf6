package org.attune.symmetry.e3;

import org.attune.api.tensor.InvalidInputException;

/**
 * Real Wigner-D matrices: the matrix D^l(R) of the action of an orthogonal R on the real spherical
 * harmonics of degree l ({@link SphericalHarmonics}),
 * <pre>
 *   Y^l(R x) = D^l(R) Y^l(x),      D^l_mn(R) = ∫_{S²} Y_lm(R x) Y_ln(x) dΩ(x)
 * </pre>
 * computed with the {@link SphereGrid} exact for degree 2l, so the integral is exact up to rounding (the
 * integrand is a polynomial of degree 2l on the sphere). Properties (as e3nn's {@code wigner_D} states them):
 * D(I) = I, D(R₁R₂) = D(R₁)D(R₂), D(R⁻¹) = D(R)ᵀ; for det R = −1, D^l(R) = (−1)^l D^l(−R).
 */
public final class WignerD {
    /** The largest degree. */
    public static final int MAX_DEGREE = SphericalHarmonics.MAX_DEGREE;

    private WignerD() {
    }

    /**
     * D^l(R).
     *
     * @param l degree in [0, {@value #MAX_DEGREE}]
     * @param r orthogonal 3×3, row-major, not modified
     * @return (2l+1)×(2l+1), row-major, index m + l
     */
    public static double[] matrix(int l, double[] r) {
        if (l < 0 || l > MAX_DEGREE) {
            throw new InvalidInputException("l", "expected a degree in [0, " + MAX_DEGREE + "], got " + l);
        }
        if (r.length != 9) {
            throw new InvalidInputException("r", "expected a 3x3 row-major matrix (9 values), got " + r.length);
        }
        int d = 2 * l + 1;
        double[] out = new double[d * d];
        SphereGrid grid = SphereGrid.exactFor(2 * l);
        for (int p = 0; p < grid.size(); p++) {
            double[] x = grid.point(p);
            double[] rx = {
                r[0] * x[0] + r[1] * x[1] + r[2] * x[2],
                r[3] * x[0] + r[4] * x[1] + r[5] * x[2],
                r[6] * x[0] + r[7] * x[1] + r[8] * x[2]};
            double[] yr = SphericalHarmonics.of(l, rx);
            double[] y = SphericalHarmonics.of(l, x);
            double w = grid.weight(p);
            for (int m = 0; m < d; m++) {
                for (int n = 0; n < d; n++) {
                    out[m * d + n] += w * yr[m] * y[n];
                }
            }
        }
        return out;
    }
}

package org.attune.equivariance.canonicalization;

/**
 * Canonical coordinates (u, v) of a one-parameter group of planar transformations about a centre c, in which the
 * group acts as a translation of one coordinate, sampled on a grid: angles v_j = 2πj/n_v (j = 0 … n_v−1, periodic)
 * and n_u radial coordinates u_i, with s = min(H, W)/2 pixels as the unit of length:
 * <pre>
 *   rotation (polar):      radius r_i = u_i,    u_i = √2·i/(n_u − 1)                        rotation by α: v ↦ v + α
 *   scale (log-polar):     radius r_i = e^{u_i}, u_i = −ln n_u + i·(ln n_u + ½ ln 2)/(n_u − 1)   scaling by e^α: u ↦ u + α
 *   sample (j, i) at pixel X = c_x + s·r_i·cos v_j,  Y = c_y − s·r_i·sin v_j     (y up, rows down)
 * </pre>
 * The ranges are those of the ETN code's {@code polar_grid} and {@code logpolar_grid} (ulim (0, √2) and
 * (−ln n_u, ½ ln 2) in units of half the image); unlike its {@code linspace(−π, π, n_v)}, the angles here do not
 * repeat −π = π, so a rotation by 2πm/n_v is exactly a cyclic shift of the rows by m. With n_u = 1 the single
 * radial sample is u = 0. The transformation T_θ of the group, applied to an offset d = (X − c_x, c_y − Y), is
 * R_θ·d (rotation, counter-clockwise as displayed) or e^θ·d (scale).
 *
 * @param scale   true for the scale group, false for rotations
 * @param angles  v_j, n_v entries
 * @param radial  u_i, n_u entries
 * @param cx      centre column
 * @param cy      centre row
 * @param unit    s, pixels per unit length
 */
record CanonicalGrid(boolean scale, double[] angles, double[] radial, double cx, double cy, double unit) {
    /** The grid of n_v angles and n_u radial samples for an H×W image about (cx, cy). */
    static CanonicalGrid of(boolean scale, int nv, int nu, double cx, double cy, int height, int width) {
        double[] v = new double[nv];
        for (int j = 0; j < nv; j++) {
            v[j] = 2 * Math.PI * j / nv;
        }
        double[] u = new double[nu];
        double lo = scale ? -Math.log(nu) : 0;
        double hi = scale ? Math.log(2) / 2 : Math.sqrt(2);
        for (int i = 0; i < nu && nu > 1; i++) {
            u[i] = lo + i * (hi - lo) / (nu - 1);
        }
        return new CanonicalGrid(scale, v, u, cx, cy, Math.min(height, width) / 2.0);
    }

    /** The pose axis: v for rotations, u for scale. */
    double[] poseAxis() {
        return scale ? radial : angles;
    }

    /** Pixel positions {X, Y} of the samples (j, i), row-major j·n_u + i. */
    double[][] samplePoints() {
        double[][] p = new double[angles.length * radial.length][];
        for (int j = 0; j < angles.length; j++) {
            for (int i = 0; i < radial.length; i++) {
                double r = unit * (scale ? Math.exp(radial[i]) : radial[i]);
                p[j * radial.length + i] = new double[] {cx + r * Math.cos(angles[j]), cy - r * Math.sin(angles[j])};
            }
        }
        return p;
    }

    /** Pixel positions T_θ(p) of every pixel p of an H×W image, row-major: where the canonical image reads. */
    double[][] transformedPixels(double theta, int height, int width) {
        double[][] p = new double[height * width][];
        double c = Math.cos(theta);
        double s = Math.sin(theta);
        double e = Math.exp(theta);
        for (int row = 0; row < height; row++) {
            for (int col = 0; col < width; col++) {
                double dx = col - cx;
                double dy = cy - row;
                double tx = scale ? e * dx : c * dx - s * dy;
                double ty = scale ? e * dy : s * dx + c * dy;
                p[row * width + col] = new double[] {cx + tx, cy - ty};
            }
        }
        return p;
    }
}

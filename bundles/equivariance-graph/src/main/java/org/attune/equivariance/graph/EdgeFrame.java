package org.attune.equivariance.graph;

/**
 * The rotation into an edge's frame: R with R·r̂ = ẑ, whose rows are e₁, e₂ = r̂ × e₁, r̂ for e₁ the unit
 * component of the coordinate axis least aligned with r̂ orthogonal to r̂ (so det R = +1), followed by a roll γ
 * about ẑ: R_γ = R_z(γ)·R. Every γ is a valid frame (the gauge freedom of eSCN); the SO(2) convolution's output
 * does not depend on it.
 */
final class EdgeFrame {
    private EdgeFrame() {
    }

    /** R_γ for the direction of r (non-zero), 3×3 row-major. */
    static double[] align(double[] r, double gamma) {
        double n = Math.sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]);
        double[] z = {r[0] / n, r[1] / n, r[2] / n};
        int axis = 0;
        for (int a = 1; a < 3; a++) {
            if (Math.abs(z[a]) < Math.abs(z[axis])) {
                axis = a;
            }
        }
        double[] e1 = new double[3];
        e1[axis] = 1;
        double dot = z[axis];
        double s = 0;
        for (int a = 0; a < 3; a++) {
            e1[a] -= dot * z[a];
            s += e1[a] * e1[a];
        }
        s = Math.sqrt(s);
        for (int a = 0; a < 3; a++) {
            e1[a] /= s;
        }
        double[] e2 = {z[1] * e1[2] - z[2] * e1[1], z[2] * e1[0] - z[0] * e1[2], z[0] * e1[1] - z[1] * e1[0]};
        double c = Math.cos(gamma);
        double sn = Math.sin(gamma);
        return new double[] {
            c * e1[0] - sn * e2[0], c * e1[1] - sn * e2[1], c * e1[2] - sn * e2[2],
            sn * e1[0] + c * e2[0], sn * e1[1] + c * e2[1], sn * e1[2] + c * e2[2],
            z[0], z[1], z[2]};
    }
}

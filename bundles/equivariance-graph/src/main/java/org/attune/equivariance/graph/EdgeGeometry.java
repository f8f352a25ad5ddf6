package org.attune.equivariance.graph;

import org.attune.api.equivariance.IrrepAlgebra;
import org.attune.api.tensor.InvalidInputException;

/**
 * What a steerable filter reads from one edge j → i: the relative position r_ij = x_j − x_i, its length, the
 * Gaussian radial basis e_b(|r_ij|) (b &lt; basis, centres on [0, cutoff]) and the spherical harmonics
 * Y^J(r̂_ij) for J ≤ maxDegree. Coincident endpoints have no direction and are rejected.
 *
 * @param r         x_j − x_i
 * @param distance  |r|
 * @param radial    e_b(|r|)
 * @param harmonics Y^J(r̂), index J
 */
record EdgeGeometry(double[] r, double distance, double[] radial, double[][] harmonics) {
    static EdgeGeometry of(IrrepAlgebra algebra, double[] xi, double[] xj, int maxDegree, int basis, double cutoff) {
        double[] r = {xj[0] - xi[0], xj[1] - xi[1], xj[2] - xi[2]};
        double d = Math.sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]);
        if (!(d > 0)) {
            throw new InvalidInputException("coords", "expected distinct positions at the ends of every edge: "
                + "the direction between coincident nodes is undefined");
        }
        double[][] y = new double[maxDegree + 1][];
        for (int j = 0; j <= maxDegree; j++) {
            y[j] = algebra.sphericalHarmonics(j, r);
        }
        return new EdgeGeometry(r, d, algebra.gaussianBasis(d, basis, cutoff), y);
    }

    /** Σ_b θ_b e_b(|r|). */
    double radial(double[] theta) {
        double s = 0;
        for (int b = 0; b < theta.length; b++) {
            s += theta[b] * radial[b];
        }
        return s;
    }
}

package org.attune.equivariance.graph;

import java.util.SplittableRandom;

/**
 * A linear map per degree that mixes channels and never components, out^{(l)}_c = Σ_c' W^{(l)}[c][c'] in^{(l)}_c',
 * the "self-interaction" (1×1) of Tensor Field Networks and the SE(3)-Transformer; equivariant because it
 * commutes with every D^l(R). No bias (a bias on l &gt; 0 would break equivariance, and the reference code's
 * {@code G1x1SE3} has none on l = 0 either). Degrees of the output missing from the input stay zero.
 *
 * @param weight W^{(l)} [out_l][in_l] per degree l of the output
 */
record DegreeLinear(double[][][] weight) {
    /** W^{(l)} uniform in ±1/√in_l, drawn degree by degree, row by row. */
    static DegreeLinear init(SplittableRandom random, IrrepLayout in, IrrepLayout out) {
        double[][][] w = new double[out.maxDegree() + 1][][];
        for (int l = 0; l <= out.maxDegree(); l++) {
            int ci = in.mul(l);
            w[l] = new double[out.mul(l)][ci];
            double bound = ci == 0 ? 0 : 1 / Math.sqrt(ci);
            for (double[] row : w[l]) {
                for (int c = 0; c < ci; c++) {
                    row[c] = random.nextDouble(-bound, bound);
                }
            }
        }
        return new DegreeLinear(w);
    }

    /** The map applied to the features of one node, f[l][c][m]. */
    double[][][] apply(double[][][] f) {
        double[][][] out = new double[weight.length][][];
        for (int l = 0; l < weight.length; l++) {
            out[l] = new double[weight[l].length][2 * l + 1];
            for (int c = 0; c < weight[l].length; c++) {
                for (int ci = 0; ci < weight[l][c].length; ci++) {
                    double w = weight[l][c][ci];
                    for (int m = 0; m <= 2 * l; m++) {
                        out[l][c][m] += w * f[l][ci][m];
                    }
                }
            }
        }
        return out;
    }
}

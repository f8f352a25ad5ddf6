package org.attune.equivariance.graph;

import org.attune.api.equivariance.IrrepAlgebra;

/**
 * EquiformerV2's separable S² activation (Liao et al., arXiv:2306.12059, Sec. 4; the reference code's
 * {@code SeparableS2Activation}): degree 0 from separate gating scalars by SiLU, degrees l &gt; 0 by sampling
 * each channel's function on the sphere, SiLU pointwise, and projecting back by quadrature:
 * <pre>
 *   out^{(0)}_c    = SiLU(g_c)
 *   F_c(s_p)       = Σ_{l=0}^{L} Σ_m x^{(l)}_{cm} Y_lm(s_p)                        (to the grid)
 *   out^{(l)}_{cm} = Σ_p w_p SiLU(F_c(s_p)) Y_lm(s_p)          l = 1..L         (back, by quadrature)
 * </pre>
 * on the Gauss–Legendre × uniform grid of {@link IrrepAlgebra#sphereGrid} with {@code latitudes} ×
 * {@code 2·latitudes} points. Equivariant only as far as the quadrature is exact: SiLU∘F is not a polynomial,
 * so the projection has an aliasing error that falls as the grid grows (exponentially for this analytic
 * integrand); the tests tie their tolerance to the grid.
 */
final class SeparableS2Activation {
    private final int degree;
    private final double[] weights;
    /** Y_lm(s_p) as [p][l][m + l]. */
    private final double[][][] harmonics;

    SeparableS2Activation(IrrepAlgebra algebra, int degree, int latitudes) {
        IrrepAlgebra.Quadrature grid = algebra.sphereGrid(latitudes, 2 * latitudes);
        this.degree = degree;
        this.weights = grid.weights();
        this.harmonics = new double[grid.size()][degree + 1][];
        for (int p = 0; p < grid.size(); p++) {
            double[] s = {grid.points()[3 * p], grid.points()[3 * p + 1], grid.points()[3 * p + 2]};
            for (int l = 0; l <= degree; l++) {
                harmonics[p][l] = algebra.sphericalHarmonics(l, s);
            }
        }
    }

    /** The activation of features x[l][c][m] (degrees 0..L) with gating scalars g[c] (a new array). */
    double[][][] apply(double[] gates, double[][][] x) {
        int channels = x[0].length;
        double[][][] out = new double[degree + 1][][];
        out[0] = new double[channels][1];
        for (int c = 0; c < channels; c++) {
            out[0][c][0] = silu(gates[c]);
        }
        for (int l = 1; l <= degree; l++) {
            out[l] = new double[channels][2 * l + 1];
        }
        for (int p = 0; p < weights.length; p++) {
            for (int c = 0; c < channels; c++) {
                double value = 0;
                for (int l = 0; l <= degree; l++) {
                    for (int m = 0; m <= 2 * l; m++) {
                        value += x[l][c][m] * harmonics[p][l][m];
                    }
                }
                double a = weights[p] * silu(value);
                for (int l = 1; l <= degree; l++) {
                    for (int m = 0; m <= 2 * l; m++) {
                        out[l][c][m] += a * harmonics[p][l][m];
                    }
                }
            }
        }
        return out;
    }

    static double silu(double v) {
        return v / (1 + Math.exp(-v));
    }
}

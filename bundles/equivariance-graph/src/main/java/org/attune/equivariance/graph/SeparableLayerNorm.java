package org.attune.equivariance.graph;

/**
 * EquiformerV2's separable layer normalisation (Liao, Wood, Das and Smidt, arXiv:2306.12059, Sec. 4; the
 * reference code's {@code EquivariantLayerNormArraySphericalHarmonics} with {@code normalization='component'},
 * {@code std_balance_degrees=True}) on features with the same C channels at every degree 0..L:
 * <pre>
 *   l = 0:   x_c ↦ (x_c − mean_c x) / √(var_c x + ε)                                 (standard LayerNorm)
 *   l &gt; 0:   x^{(l)}_c ↦ x^{(l)}_c / √(σ² + ε),   σ² = (1/C) Σ_c (1/L) Σ_{l=1}^{L} (1/(2l+1)) Σ_m (x^{(l)}_{cm})²
 * </pre>
 * ε = 1e-5. The affine weights (ones) and bias (zeros) of the reference at initialisation are the identity
 * and are left out. Exactly equivariant: the l = 0 part is invariant and σ² is a sum of squared norms.
 */
final class SeparableLayerNorm {
    static final double EPS = 1e-5;

    private SeparableLayerNorm() {
    }

    /** The normalisation of one node's features f[l][c][m] (a new array). */
    static double[][][] apply(double[][][] f) {
        int degree = f.length - 1;
        int channels = f[0].length;
        double[][][] out = new double[f.length][][];
        double mean = 0;
        for (int c = 0; c < channels; c++) {
            mean += f[0][c][0] / channels;
        }
        double var = 0;
        for (int c = 0; c < channels; c++) {
            var += (f[0][c][0] - mean) * (f[0][c][0] - mean) / channels;
        }
        out[0] = new double[channels][1];
        for (int c = 0; c < channels; c++) {
            out[0][c][0] = (f[0][c][0] - mean) / Math.sqrt(var + EPS);
        }
        if (degree == 0) {
            return out;
        }
        double sigma2 = 0;
        for (int l = 1; l <= degree; l++) {
            for (int c = 0; c < f[l].length; c++) {
                for (double x : f[l][c]) {
                    sigma2 += x * x / ((2 * l + 1) * (double) degree * f[l].length);
                }
            }
        }
        double scale = 1 / Math.sqrt(sigma2 + EPS);
        for (int l = 1; l <= degree; l++) {
            out[l] = new double[f[l].length][];
            for (int c = 0; c < f[l].length; c++) {
                out[l][c] = f[l][c].clone();
                for (int m = 0; m <= 2 * l; m++) {
                    out[l][c][m] *= scale;
                }
            }
        }
        return out;
    }
}

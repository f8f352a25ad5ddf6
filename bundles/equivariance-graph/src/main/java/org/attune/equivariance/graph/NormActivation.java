package org.attune.equivariance.graph;

/**
 * The norm nonlinearity between SE(3)-Transformer blocks, the reference code's {@code GNormSE3} with
 * {@code num_layers=0}: per degree l, the channel norms are layer-normalised across channels (no affine
 * parameters, ε = 1e-5) and passed through ReLU, then rescale the unit directions,
 * <pre>
 *   n_c = max(‖f^{(l)}_c‖, 1e-12),   f^{(l)}_c ↦ ReLU(LN(n)_c) · f^{(l)}_c / n_c
 * </pre>
 * Equivariant because norms are invariant and each feature is only rescaled.
 */
final class NormActivation {
    private NormActivation() {
    }

    /** The nonlinearity on the features of one node (a new array). */
    static double[][][] apply(double[][][] f) {
        double[][][] out = new double[f.length][][];
        for (int l = 0; l < f.length; l++) {
            int channels = f[l].length;
            out[l] = new double[channels][2 * l + 1];
            if (channels == 0) {
                continue;
            }
            double[] norm = new double[channels];
            double mean = 0;
            for (int c = 0; c < channels; c++) {
                double s = 0;
                for (double x : f[l][c]) {
                    s += x * x;
                }
                norm[c] = Math.max(Math.sqrt(s), 1e-12);
                mean += norm[c] / channels;
            }
            double var = 0;
            for (int c = 0; c < channels; c++) {
                var += (norm[c] - mean) * (norm[c] - mean) / channels;
            }
            for (int c = 0; c < channels; c++) {
                double scale = Math.max(0, (norm[c] - mean) / Math.sqrt(var + 1e-5)) / norm[c];
                for (int m = 0; m <= 2 * l; m++) {
                    out[l][c][m] = scale * f[l][c][m];
                }
            }
        }
        return out;
    }
}

package org.attune.equivariance.canonicalization;

import org.attune.api.backend.BinaryOp;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;

/**
 * Bilinear sampling of an image [H, W] at P points (column X, row Y in pixel units, pixel centres at integers),
 * with zeros outside, as {@code grid_sample(..., padding_mode='zeros')}: with x₀ = ⌊X⌋, y₀ = ⌊Y⌋, f = X − x₀,
 * g = Y − y₀,
 * <pre>
 *   s = (1−f)(1−g)·img[y₀][x₀] + f(1−g)·img[y₀][x₀+1] + (1−f)g·img[y₀+1][x₀] + fg·img[y₀+1][x₀+1]
 * </pre>
 * where a corner outside the image contributes 0. The weights depend on the points only, so they are computed once
 * in float64; the image is read through the backend's gather. Sampling commutes exactly with the symmetries of the
 * pixel grid about its centre ((W−1)/2, (H−1)/2): quarter turns (H = W) and flips map corners to corners and
 * weights to weights.
 *
 * @param corners flat pixel indices [4][P] (0 where the corner is outside; its weight is then 0)
 * @param weights float64 [4][P]
 */
record BilinearSampling(long[][] corners, double[][] weights) {
    /** The corners and weights of points[p] = {X, Y} in an H×W image. */
    static BilinearSampling of(int height, int width, double[][] points) {
        int n = points.length;
        long[][] corners = new long[4][n];
        double[][] weights = new double[4][n];
        for (int p = 0; p < n; p++) {
            double x = points[p][0];
            double y = points[p][1];
            double x0 = Math.floor(x);
            double y0 = Math.floor(y);
            double f = x - x0;
            double g = y - y0;
            double[] w = {(1 - f) * (1 - g), f * (1 - g), (1 - f) * g, f * g};
            for (int c = 0; c < 4; c++) {
                double cx = x0 + (c & 1);
                double cy = y0 + (c >> 1);
                if (cx >= 0 && cx < width && cy >= 0 && cy < height) {
                    corners[c][p] = (long) cy * width + (long) cx;
                    weights[c][p] = w[c];
                }
            }
        }
        return new BilinearSampling(corners, weights);
    }

    /** The P samples [P, 1] of image [H, W], in the image's element type. */
    Tensor apply(ComputeBackend backend, Tensor image) {
        DType t = image.dtype();
        int n = weights[0].length;
        Tensor flat = image.reshape(image.size(), 1);
        Tensor out = null;
        for (int c = 0; c < 4; c++) {
            Tensor term = backend.binary(BinaryOp.MUL, backend.gather(flat, Tensor.of(corners[c], n)),
                Tensor.of(weights[c], n, 1).to(t), null);
            out = out == null ? term : backend.binary(BinaryOp.ADD, out, term, null);
        }
        return out;
    }
}

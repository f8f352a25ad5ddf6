package org.attune.equivariance.canonicalization;

import java.util.SplittableRandom;

import org.attune.api.backend.BinaryOp;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;

/**
 * A circular 2-D convolution with a k×k kernel, stride s and offset o (PyTorch's {@code Conv2d} with
 * {@code padding_mode="circular"}: o = (k − 1)/2 keeps the grid for stride 1, o = 0 with k = s is a ViT patch
 * embedding):
 * <pre>
 *   y[e][a][b] = bias[e] + Σ_{c,u,v} weight[(c·k + u)·k + v][e] · x[c][(s·a + u − o) mod H][(s·b + v − o) mod W]
 * </pre>
 * Initialiser ({@code SplittableRandom}, drawn in this order, row-major): weight [C·k², out] and bias [out, 1]
 * uniform in ±1/√(C·k²) (PyTorch's {@code Conv2d} default bound 1/√fan_in).
 *
 * @param weight [C·k², out], float64
 * @param bias   [out, 1]
 * @param k      kernel size
 * @param s      stride
 * @param o      offset of the window's first pixel before the output position
 */
record ImageConv(Tensor weight, Tensor bias, int k, int s, int o) {
    static ImageConv init(SplittableRandom random, int channels, int out, int k, int s, int o) {
        double bound = 1 / Math.sqrt(channels * k * k);
        return new ImageConv(SeededUniform.draw(random, bound, channels * k * k, out), SeededUniform.draw(random, bound, out, 1),
            k, s, o);
    }

    /** y [out, H/s, W/s] in x's element type; each output pixel is one dot product of its window with a column. */
    Image apply(ComputeBackend backend, Image x) {
        DType t = x.data().dtype();
        // [out, T] = weightᵀ · windowsᵀ, then the bias [out, 1] broadcast over the T positions
        Tensor y = backend.matmul(weight.to(t), x.windows(k, s, o), true, true, null);
        y = backend.binary(BinaryOp.ADD, y, bias.to(t), null);
        return new Image(y.reshape(weight.dim(1), x.height() / s, x.width() / s));
    }
}

package org.attune.equivariance.canonicalization;

import java.util.SplittableRandom;

import org.attune.api.backend.BinaryOp;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.backend.Reduction;
import org.attune.api.backend.UnaryOp;
import org.attune.api.tensor.Tensor;

/**
 * A C_4-equivariant scorer for images, a lifting over the quarter turns r^k (counter-clockwise, {@link Image#rot90}):
 * with a seeded circular 3×3 convolution ({@link ImageConv}, C → H channels) and w_3 [H, 1],
 * <pre>
 *   g(x)     = w_3 · mean_{pixels} SiLU(conv(x))
 *   s_k(x)   = g(r^{−k}·x),      k in the turns that map the grid to itself (0…3 when H = W, else 0 and 2)
 * </pre>
 * so s_k(r^j·x) = s_{k−j}(x) exactly: r^{−k}·r^j·x is the same image, moved without arithmetic, as r^{−(k−j)}·x.
 * Initialiser ({@code SplittableRandom(seed)}, in this order): the convolution (weights, then bias), then w_3 [H, 1]
 * uniform in ±1/√H.
 *
 * @param conv the 3×3 convolution, C → H
 * @param w3   w_3 [H, 1], float64
 */
record QuarterTurnScorer(ImageConv conv, Tensor w3) {
    static QuarterTurnScorer init(long seed, int channels, int hidden) {
        SplittableRandom r = new SplittableRandom(seed);
        ImageConv conv = ImageConv.init(r, channels, hidden, 3, 1, 1);
        return new QuarterTurnScorer(conv, SeededUniform.draw(r, 1 / Math.sqrt(hidden), hidden, 1));
    }

    /** The quarter turns that map an H×W grid to itself: {0, 1, 2, 3} when H = W, else {0, 2}. */
    static int[] turns(Image x) {
        return x.height() == x.width() ? new int[] {0, 1, 2, 3} : new int[] {0, 2};
    }

    /** s_k for k = 0 … 3, read back in float64; turns that do not map the grid to itself score −∞. */
    double[] scores(ComputeBackend backend, Image x) {
        double[] s = {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
        for (int k : turns(x)) {
            Tensor pre = conv.apply(backend, x.rot90(-k)).data();
            Tensor act = backend.binary(BinaryOp.MUL, pre, backend.unary(UnaryOp.SIGMOID, pre, null), null);
            Tensor pooled = backend.reduce(Reduction.MEAN, act.reshape(act.dim(0), -1), 1, true);
            s[k] = backend.matmul(w3.to(pooled.dtype()), pooled, true, false, null).getFlat(0);
        }
        return s;
    }
}

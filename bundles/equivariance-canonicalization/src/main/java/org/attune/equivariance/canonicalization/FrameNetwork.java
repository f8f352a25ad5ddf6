package org.attune.equivariance.canonicalization;

import java.util.SplittableRandom;

import org.attune.api.backend.BinaryOp;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.backend.Reduction;
import org.attune.api.backend.UnaryOp;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;

/**
 * An O(2)-equivariant network that outputs a 2×2 matrix M(Y, h) for centred planar points Y [N, 2] with
 * invariant features h [N, C]: each point's invariants (|y_i|², h_i) give two weights, and the columns of M are the
 * weighted means of the points,
 * <pre>
 *   φ_i = SiLU([|y_i|², h_i]·W_1 + b_1)·W_2                    [2]
 *   M   = (1/N) Σ_i y_i φ_iᵀ,    so   M(Q·Y, h) = Q·M(Y, h)   for every Q ∈ O(2)
 * </pre>
 * M is a matrix of the orbit of the group only where the orbit distance vanishes ({@link OrbitDistanceSymmetrization}).
 * Initialiser ({@code SplittableRandom(seed)}, in this order, row-major): W_1 [1 + C, H], b_1 [H] uniform in
 * ±1/√(1 + C), W_2 [H, 2] uniform in ±1/√H.
 *
 * @param w1 W_1 [1 + C, H], float64
 * @param b1 b_1 [H]
 * @param w2 W_2 [H, 2]
 */
record FrameNetwork(Tensor w1, Tensor b1, Tensor w2) {
    static FrameNetwork init(long seed, int channels, int hidden) {
        SplittableRandom r = new SplittableRandom(seed);
        double in1 = 1 / Math.sqrt(1 + channels);
        return new FrameNetwork(SeededUniform.draw(r, in1, 1 + channels, hidden), SeededUniform.draw(r, in1, hidden),
            SeededUniform.draw(r, 1 / Math.sqrt(hidden), hidden, 2));
    }

    /** M [2, 2] in y's element type. */
    Tensor matrix(ComputeBackend backend, Tensor y, Tensor h) {
        DType t = y.dtype();
        int n = y.dim(0);
        Tensor squared = backend.reduce(Reduction.SUM, backend.unary(UnaryOp.SQUARE, y, null), 1, true);
        // the invariants [|y_i|², h_i], side by side: a row copy, no arithmetic
        Tensor u = Tensor.zeros(t, n, 1 + h.dim(1));
        for (int i = 0; i < n; i++) {
            u.setFlat(i * u.dim(1), squared.getFlat(i));
            for (int c = 0; c < h.dim(1); c++) {
                u.setFlat(i * u.dim(1) + 1 + c, h.getFlat(i * h.dim(1) + c));
            }
        }
        Tensor pre = backend.binary(BinaryOp.ADD, backend.matmul(u, w1.to(t), false, false, null), b1.to(t), null);
        Tensor act = backend.binary(BinaryOp.MUL, pre, backend.unary(UnaryOp.SIGMOID, pre, null), null);
        Tensor phi = backend.matmul(act, w2.to(t), false, false, null);
        // M = Yᵀ·Φ / N
        return backend.binary(BinaryOp.MUL, backend.matmul(y, phi, true, false, null), Tensor.scalar(t, 1.0 / n), null);
    }
}

package org.attune.equivariance.canonicalization;

import java.util.SplittableRandom;

import org.attune.api.backend.BinaryOp;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.backend.Reduction;
import org.attune.api.backend.UnaryOp;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;

/**
 * A C_n-equivariant scorer for planar point clouds, built as a lifting group convolution followed by
 * invariant pooling: with R_k the rotation by 2πk/n, a point MLP ψ and centred coordinates Y [N, 2] (rows),
 * <pre>
 *   s_k(Y, h) = (1/N) Σ_i  w_3 · SiLU(R_k⁻¹ y_i · W_1 + h_i · W_2 + b_1),      k = 0 … n−1
 * </pre>
 * so that s(R_j·Y)_k = s(Y)_{k−j}: rotating the input by R_j cyclically shifts the scores by j (equivariance of
 * the regular representation of C_n). Initialiser ({@code SplittableRandom(seed)}, in this order, row-major):
 * W_1 [2, H], W_2 [C, H], b_1 [H] uniform in ±1/√(2 + C), w_3 [H, 1] uniform in ±1/√H.
 *
 * @param w1 W_1 [2, H], float64
 * @param w2 W_2 [C, H]
 * @param b1 b_1 [H]
 * @param w3 w_3 [H, 1]
 * @param n  the rotation order
 */
record RotationScorer(Tensor w1, Tensor w2, Tensor b1, Tensor w3, int n) {
    /** The scorer's weights for C input channels and width H. */
    static RotationScorer init(long seed, int n, int channels, int hidden) {
        SplittableRandom r = new SplittableRandom(seed);
        double in1 = 1 / Math.sqrt(2 + channels);
        double in2 = 1 / Math.sqrt(hidden);
        return new RotationScorer(SeededUniform.draw(r, in1, 2, hidden), SeededUniform.draw(r, in1, channels, hidden), SeededUniform.draw(r, in1, hidden),
            SeededUniform.draw(r, in2, hidden, 1), n);
    }

    /** R_k, float64 [2, 2] (column form: x ↦ R_k·x rotates by 2πk/n counter-clockwise). */
    Tensor rotation(int k) {
        double a = 2 * Math.PI * k / n;
        return Tensor.of(new double[] {Math.cos(a), -Math.sin(a), Math.sin(a), Math.cos(a)}, 2, 2);
    }

    /** The n scores s_0 … s_{n−1} of centred coordinates y [N, 2] with features h, read back in float64. */
    double[] scores(ComputeBackend backend, Tensor y, Tensor h) {
        DType t = y.dtype();
        Tensor hw = backend.binary(BinaryOp.ADD, backend.matmul(h, w2.to(t), false, false, null), b1.to(t), null);
        double[] s = new double[n];
        for (int k = 0; k < n; k++) {
            // rows R_k⁻¹ y_i = y_iᵀ R_k
            Tensor rotated = backend.matmul(y, rotation(k).to(t), false, false, null);
            Tensor pre = backend.binary(BinaryOp.ADD, backend.matmul(rotated, w1.to(t), false, false, null), hw, null);
            Tensor act = backend.binary(BinaryOp.MUL, pre, backend.unary(UnaryOp.SIGMOID, pre, null), null);
            Tensor score = backend.reduce(Reduction.MEAN, backend.matmul(act, w3.to(t), false, false, null), 0, false);
            s[k] = score.getFlat(0);
        }
        return s;
    }
}

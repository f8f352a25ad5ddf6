package org.attune.equivariance.canonicalization;

import java.util.SplittableRandom;

import org.attune.api.backend.BinaryOp;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.backend.Reduction;
import org.attune.api.backend.UnaryOp;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;

/**
 * The backbone φ that frame averaging symmetrizes: a small seeded point MLP with one mean-pooled context
 * (a DeepSets layer, so φ is node-permutation-equivariant but has no symmetry in the coordinates), on
 * coordinates c [N, d] and features h [N, C]:
 * <pre>
 *   a_i = SiLU(c_i·W_c + h_i·W_h + b_1)                       [H]
 *   z_i = SiLU(a_i·W_a + (1/N Σ_j a_j)·W_p + b_2)              [H]
 *   φ_feats(c, h)_i  = z_i·W_f + b_f                           [out]
 *   φ_coords(c, h)_i = c_i + z_i·W_x                           [d]
 * </pre>
 * Initialiser (seed s, {@code SplittableRandom(s)}, drawn in this order, row-major): W_c [d, H], W_h [C, H],
 * b_1 [H] uniform in ±1/√(d + C); W_a [H, H], W_p [H, H], b_2 [H] uniform in ±1/√(2H); W_f [H, out],
 * b_f [out], W_x [H, d] uniform in ±1/√H (PyTorch's {@code nn.Linear} default bound 1/√fan_in).
 *
 * @param wc W_c [d, H], float64
 * @param wh W_h [C, H]
 * @param b1 b_1 [H]
 * @param wa W_a [H, H]
 * @param wp W_p [H, H]
 * @param b2 b_2 [H]
 * @param wf W_f [H, out]
 * @param bf b_f [out]
 * @param wx W_x [H, d]
 */
record PointBackbone(Tensor wc, Tensor wh, Tensor b1, Tensor wa, Tensor wp, Tensor b2, Tensor wf, Tensor bf,
                     Tensor wx) {
    /** The weights for dimension d, C input channels, width H and {@code out} output channels. */
    static PointBackbone init(long seed, int d, int channels, int hidden, int out) {
        SplittableRandom r = new SplittableRandom(seed);
        double in1 = 1 / Math.sqrt(d + channels);
        double in2 = 1 / Math.sqrt(2.0 * hidden);
        double in3 = 1 / Math.sqrt(hidden);
        return new PointBackbone(SeededUniform.draw(r, in1, d, hidden), SeededUniform.draw(r, in1, channels, hidden), SeededUniform.draw(r, in1, hidden),
            SeededUniform.draw(r, in2, hidden, hidden), SeededUniform.draw(r, in2, hidden, hidden), SeededUniform.draw(r, in2, hidden),
            SeededUniform.draw(r, in3, hidden, out), SeededUniform.draw(r, in3, out), SeededUniform.draw(r, in3, hidden, d));
    }

    /** φ(c, h) in c's element type: {coordinates [N, d], features [N, out]}. */
    Tensor[] apply(ComputeBackend backend, Tensor c, Tensor h) {
        DType t = c.dtype();
        Tensor a = silu(backend, add(backend, add(backend, mm(backend, c, wc, t), mm(backend, h, wh, t)), b1.to(t)));
        Tensor pooled = backend.reduce(Reduction.MEAN, a, 0, true);
        Tensor z = silu(backend, add(backend, add(backend, mm(backend, a, wa, t), mm(backend, pooled, wp, t)), b2.to(t)));
        Tensor feats = add(backend, mm(backend, z, wf, t), bf.to(t));
        Tensor coords = add(backend, c, mm(backend, z, wx, t));
        return new Tensor[] {coords, feats};
    }

    private static Tensor mm(ComputeBackend backend, Tensor x, Tensor w, DType t) {
        return backend.matmul(x, w.to(t), false, false, null);
    }

    private static Tensor add(ComputeBackend backend, Tensor a, Tensor b) {
        return backend.binary(BinaryOp.ADD, a, b, null);
    }

    /** SiLU(x) = x·σ(x). */
    private static Tensor silu(ComputeBackend backend, Tensor x) {
        return backend.binary(BinaryOp.MUL, x, backend.unary(UnaryOp.SIGMOID, x, null), null);
    }
}

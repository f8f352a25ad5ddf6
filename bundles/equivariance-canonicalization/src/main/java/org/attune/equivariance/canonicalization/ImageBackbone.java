package org.attune.equivariance.canonicalization;

import java.util.SplittableRandom;

import org.attune.api.backend.BinaryOp;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.backend.UnaryOp;
import org.attune.api.tensor.Tensor;

/**
 * The image backbone φ that image canonicalization symmetrizes: two seeded circular 3×3 convolutions
 * ({@link ImageConv}) with a SiLU between them, φ(x) = conv₂(SiLU(conv₁(x))), [C, H, W] → [out, H, W]. It is
 * shift-equivariant but has no rotation symmetry. Initialiser: conv₁ (C → H), then conv₂ (H → out), from one
 * {@code SplittableRandom(seed)}.
 *
 * @param first  conv₁
 * @param second conv₂
 */
record ImageBackbone(ImageConv first, ImageConv second) {
    static ImageBackbone init(long seed, int channels, int hidden, int out) {
        SplittableRandom r = new SplittableRandom(seed);
        return new ImageBackbone(ImageConv.init(r, channels, hidden, 3, 1, 1), ImageConv.init(r, hidden, out, 3, 1, 1));
    }

    Image apply(ComputeBackend backend, Image x) {
        Tensor a = first.apply(backend, x).data();
        Tensor act = backend.binary(BinaryOp.MUL, a, backend.unary(UnaryOp.SIGMOID, a, null), null);
        return second.apply(backend, new Image(act));
    }
}

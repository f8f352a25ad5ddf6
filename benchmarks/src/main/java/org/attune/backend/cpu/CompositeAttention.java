package org.attune.backend.cpu;

import org.attune.api.backend.AttentionOptions;
import org.attune.api.tensor.Tensor;

/**
 * The Nd4j composite attention path of the CPU backend (gemm, softmax, gemm through an [Nq, Nk] score matrix,
 * {@link ScaledDotProductAttention}), reached from the benchmarks on the plain class path; the backend itself runs
 * the fused kernel.
 */
public final class CompositeAttention {
    private CompositeAttention() {
    }

    /** out = softmax(scale · q kᵀ + terms) v through Nd4j, as the CPU backend computed attention before the fused kernel. */
    public static Tensor compute(Tensor q, Tensor k, Tensor v, AttentionOptions options, Tensor out) {
        return ScaledDotProductAttention.compute(q, k, v, options, out);
    }
}

package org.attune.attention.core;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Scaled dot-product attention, the reference every other method reduces to.
 * Vaswani et al., "Attention Is All You Need", arXiv:1706.03762, eq. (1).
 * <pre>
 *   Attention(Q, K, V) = softmax(Q Kᵀ / √d) V
 *   out[b,h,i,:] = Σ_j softmax_j( scale · q[b,h,i,:]·k[b,g,j,:] + bias[b,h,i,j] | mask[b,h,i,j] ∧ (¬causal ∨ j ≤ i) ) v[b,g,j,:]
 *   g = h / (H / Hkv)
 * </pre>
 * q [B, H, Nq, D], k [B, Hkv, Nk, D], v [B, Hkv, Nk, Dv] with Hkv dividing H → [B, H, Nq, Dv]; inputs not
 * modified. The call's {@link org.attune.api.backend.AttentionOptions} pass to the backend unchanged: scale
 * (default 1/√D), boolean mask (true = may attend, broadcastable to [B, H, Nq, Nk]), additive bias, top-left
 * causal mask. Grouped kv heads make this grouped-query attention without projections. A fully masked
 * query row gives a zero output row. Without mask, bias or causal mask it is equivariant under permutations
 * of the queries and invariant under joint permutations of keys and values.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "sdpa", name = "Scaled Dot-Product Attention", family = "core",
    paper = "Attention Is All You Need", arxiv = "1706.03762", year = 2017, cost = "O(n^2)",
    symmetries = {"permutation:tokens"})
public final class ScaledDotProductAttention implements AttentionMechanism {

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        return backend.attention(call.q(), call.k(), call.v(), call.options(), null);
    }
}

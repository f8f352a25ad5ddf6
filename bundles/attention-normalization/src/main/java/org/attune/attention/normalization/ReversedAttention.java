package org.attune.attention.normalization;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Reversed attention: the softmax runs over the receivers (queries) instead of the senders (keys), so each
 * sender j distributes a unit of mass over the queries.
 * Ding et al., "Visual Dependency Transformers: Dependency Tree Emerges from Reversed Attention",
 * arXiv:2304.03282 (reversed attention).
 * <pre>
 *   A = softmax_col(Q Kᵀ / √d),   Σ_i A_ij = 1,    out_i = Σ_j A_ij v_j
 *   A[b,h,i,j] = exp(s_ij − m_j) / Σ_{i' allowed} exp(s_i'j − m_j),   m_j = max_{i allowed} s_ij
 * </pre>
 * q [B, H, Nq, D], k [B, Hkv, Nk, D], v [B, Hkv, Nk, Dv] → [B, H, Nq, Dv]; inputs not modified. Logits s, mask,
 * bias, causal and scale as in {@link ScoreMatrix}; a key column with no allowed query is zero, and so is a
 * fully masked query row. A = softmax_row(K Qᵀ)ᵀ. The paper's learned head selector and per-sender message
 * controller m_j (a gate on v_j) are learned layers around this operator and are left to the caller (m ≡ 1 here). Without
 * mask, bias or causal mask it is equivariant under permutations of the queries and invariant under joint
 * permutations of keys and values.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "reversed", name = "Reversed Attention", family = "normalization",
    paper = "Visual Dependency Transformers: Dependency Tree Emerges from Reversed Attention", arxiv = "2304.03282",
    year = 2023, cost = "O(n^2)", symmetries = {"permutation:tokens"})
public final class ReversedAttention implements AttentionMechanism {

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        ScoreMatrix s = ScoreMatrix.of(call.q(), call.k(), call.v(), call.options(), backend, "reversed", true);
        Tensor w = s.weights(PlaneSoftmax::columns);
        return s.values(w, call.v(), backend);
    }
}

package org.attune.attention.core;

import java.util.Locale;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Transformer Attention Bottleneck (TAB): a (by default one-head) co-attention layer whose first query row, the
 * [CLS] token's, is scaled by a forget gate 1 − α_00, so that its total attention lies in [0, 1] and a [CLS] that
 * attends only to itself passes on no patch information.
 * Rahmanzadehgervi, Nguyen, Liu, Mai and Nguyen, "TAB: Transformer Attention Bottlenecks enable User
 * Intervention and Debugging in Vision-Language Models", arXiv:2412.18675 (no equation numbers cited: the
 * paper's text could not be read here), as the authors' code computes it
 * ({@code gated_coattention} in anguyen8/TAB {@code modules/module_gated_attention.py}, the "TAB Forget Gate"
 * block, checked there):
 * <pre>
 *   Q = x_q W_q + b_q,  K = x_k W_k + b_k,  V = x_v W_v + b_v           (per head, as {@link MultiHeadAttention})
 *   α = softmax_j(Q Kᵀ/√Dh + bias | mask ∧ causal)
 *   α'_0j = (1 − α_00) · α_0j,    α'_ij = α_ij for i ≥ 1
 *   out = Concat_h(α' V) W_o + b_o
 * </pre>
 * Query token 0 and key token 0 are the [CLS] tokens of the two streams; Σ_j α'_0j = 1 − α_00 ∈ [0, 1], and
 * α_00 = 1 gives a zero row (the output b_o), whatever the patches hold. The code projects k and v from one
 * stream; here, as for {@link CrossAttention}, K comes from k and V from v (pass the same tensor for the code's
 * form). Option {@code gate=none} drops the forget gate, leaving cross-attention. q [B, H, Nq, D], k [B, Hk, Nk,
 * Dk], v [B, Hv, Nk, Dv] of any widths; → [B, H, Nq, D]; inputs not modified. Options {@code heads} (default 1,
 * the paper's single head), {@code seed}, {@code weights} as for {@link CrossAttention} (wq [E, E], wk [Ek, E],
 * wv [Ev, E], wo [E, E]). Mask, bias and causal apply before the gate; a fully masked row is zero before W_o. The
 * [CLS] positions make neither the queries nor the keys a set: permuting queries 1.. permutes those rows, and
 * permuting keys and values 1.. together leaves the output.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "tab", name = "Transformer Attention Bottleneck", family = "core",
    paper = "TAB: Transformer Attention Bottlenecks enable User Intervention and Debugging in Vision-Language Models",
    arxiv = "2412.18675", year = 2024, cost = "O(n^2)",
    options = {
        "heads=number of attention heads after projection; must divide E = H*D; default 1 (the paper's single head)",
        "gate=cls (the forget gate 1 - alpha_00 on the [CLS] query row 0) or none (cross-attention); default cls",
        "seed=seed of the Xavier-uniform weights (SplittableRandom, order wq, wk, wv, wo); default 0",
        "weights=directory holding wq.npy [E, E], wk.npy [Ek, E], wv.npy [Ev, E], wo.npy [E, E] and optional biases"},
    symmetries = {"permutation:tokens-after-first"})
public final class TransformerAttentionBottleneck implements AttentionMechanism {
    static final String GATE = "gate";

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        boolean gated = switch (call.param(GATE, "cls").trim().toLowerCase(Locale.ROOT)) {
            case "cls" -> true;
            case "none" -> false;
            default -> throw new InvalidInputException("--opt " + GATE, "expected cls or none, got '"
                + call.param(GATE, "") + "'");
        };
        AttentionCall c = call.param(ProjectedAttention.HEADS, null) == null
            ? call.withParam(ProjectedAttention.HEADS, "1") : call;
        return ProjectedAttention.attend(c, backend, false, heads -> heads, ProjectedAttention.HEADS,
            (q, k, v, o, b) -> core(q, k, v, o, b, gated));
    }

    private static Tensor core(Tensor q, Tensor k, Tensor v, AttentionOptions o, ComputeBackend backend, boolean gated) {
        AttentionScores.rejectUndefined(o, "tab");
        double scale = o.scale().orElse(1 / Math.sqrt(q.dim(3)));
        Tensor alpha = AttentionScores.weights(AttentionScores.biased(AttentionScores.dot(q, k, scale, backend), o,
            backend), o, backend);
        int nq = alpha.dim(2), nk = alpha.dim(3);
        if (gated && nq > 0 && nk > 0) {
            for (int bh = 0; bh < alpha.dim(0) * alpha.dim(1); bh++) {
                int row = bh * nq * nk;
                double forget = 1 - alpha.getFlat(row);
                for (int j = 0; j < nk; j++) {
                    alpha.setFlat(row + j, forget * alpha.getFlat(row + j));
                }
            }
        }
        return AttentionScores.values(alpha, v, backend);
    }
}

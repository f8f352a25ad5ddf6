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
 * Multiplicative (Luong) attention: a bilinear score of query and key.
 * Luong, Pham and Manning, "Effective Approaches to Attention-based Neural Machine Translation",
 * arXiv:1508.04025, §3.1, eq. (8): score(h_t, h̄_s) = h_tᵀ h̄_s (dot) or h_tᵀ W_a h̄_s (general).
 * <pre>
 *   e_ij = q_iᵀ k_j          (score=dot, Dq = Dk)
 *   e_ij = q_iᵀ W_a k_j      (score=general, W_a [Dq, Dk])
 *   α_ij = softmax_j(scale · e_ij + bias_ij | mask_ij ∧ (¬causal ∨ j ≤ i)),   out_i = Σ_j α_ij v_j
 * </pre>
 * q [B, H, Nq, Dq], k [B, Hkv, Nk, Dk], v [B, Hkv, Nk, Dv] with Hkv dividing H → [B, H, Nq, Dv]; one W_a
 * shared by all heads; inputs not modified. The scale is 1 unless set explicitly, as in the paper; dot with
 * scale 1/√D is {@link ScaledDotProductAttention}. This is the context vector c_t of the paper; its
 * attentional layer tanh(W_c[c_t; h_t]) belongs to the decoder. Options: {@code score} (default general),
 * {@code weights=DIR} with wa.npy, or else {@code seed} (default 0, {@link SeededWeights}). A fully masked
 * query row gives a zero output row.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "multiplicative", name = "Multiplicative Attention", family = "core",
    paper = "Effective Approaches to Attention-based Neural Machine Translation", arxiv = "1508.04025",
    year = 2015, cost = "O(n^2)",
    options = {
        "score=dot (q.k) or general (q W_a k); default general",
        "seed=seed of the Xavier-uniform W_a (SplittableRandom); default 0",
        "weights=directory holding wa.npy [Dq, Dk]"},
    symmetries = {"permutation:tokens"})
public final class MultiplicativeAttention implements AttentionMechanism {
    /** Option: the score function. */
    static final String SCORE = "score";

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        HeadLayout l = HeadLayout.of(call);
        AttentionOptions o = call.options();
        double scale = o.scale().orElse(1);
        String score = call.param(SCORE, "general").trim().toLowerCase(Locale.ROOT);
        Tensor queries = switch (score) {
            case "dot" -> {
                if (l.dk() != l.dq()) {
                    throw InvalidInputException.shape("k", "[" + l.batch() + ", " + l.kvHeads() + ", " + l.nk() + ", "
                        + l.dq() + "] (score=dot needs the head dim of q)", call.k().shape());
                }
                yield call.q();
            }
            case "general" -> {
                Tensor wa = WeightSource.of(call).matrix("wa", l.dq(), l.dk()).to(l.dtype());
                yield backend.matmul(call.q(), wa, false, false, null);
            }
            default -> throw new InvalidInputException("--opt " + SCORE, "expected dot or general, got '"
                + call.param(SCORE, "") + "'");
        };
        Tensor logits = AttentionScores.biased(AttentionScores.dot(queries, call.k(), scale, backend), o, backend);
        return AttentionScores.values(AttentionScores.weights(logits, o, backend), call.v(), backend);
    }
}

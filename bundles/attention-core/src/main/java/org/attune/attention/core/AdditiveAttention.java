package org.attune.attention.core;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.BinaryOp;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.backend.UnaryOp;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Additive (Bahdanau) attention: the score is a one-hidden-layer network of query and key.
 * Bahdanau, Cho and Bengio, "Neural Machine Translation by Jointly Learning to Align and Translate",
 * arXiv:1409.0473, eq. (6) and appendix A.1.2.
 * <pre>
 *   e_ij = v_aᵀ tanh(W_aᵀ q_i + U_aᵀ k_j)            (paper: e_ij = v_aᵀ tanh(W_a s_{i−1} + U_a h_j))
 *   α_ij = softmax_j(scale · e_ij + bias_ij | mask_ij ∧ (¬causal ∨ j ≤ i)),   out_i = Σ_j α_ij v_j
 *   W_a [Dq, hidden],  U_a [Dk, hidden],  v_a [hidden]
 * </pre>
 * q [B, H, Nq, Dq], k [B, Hkv, Nk, Dk], v [B, Hkv, Nk, Dv] with Hkv dividing H (query head h reads kv head
 * h/(H/Hkv)); Dq and Dk may differ; → [B, H, Nq, Dv]; one weight set shared by all heads; inputs not
 * modified. The scale is 1 unless set explicitly. Options: {@code hidden} (default Dq), {@code weights=DIR}
 * with wa.npy, ua.npy, va.npy, or else {@code seed} (default 0, {@link SeededWeights} in the order wa, ua,
 * va). Work and memory are O(B·H·Nq·Nk·hidden). A fully masked query row gives a zero output row.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "additive", name = "Additive Attention", family = "core",
    paper = "Neural Machine Translation by Jointly Learning to Align and Translate", arxiv = "1409.0473",
    year = 2014, cost = "O(n^2)",
    options = {
        "hidden=width of the alignment layer (size of v_a); default the head dim of q",
        "seed=seed of the Xavier-uniform weights (SplittableRandom, order wa, ua, va); default 0",
        "weights=directory holding wa.npy [Dq, hidden], ua.npy [Dk, hidden], va.npy [hidden]"},
    symmetries = {"permutation:tokens"})
public final class AdditiveAttention implements AttentionMechanism {
    /** Option: the width of the alignment layer. */
    static final String HIDDEN = "hidden";

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        HeadLayout l = HeadLayout.of(call);
        int hidden = call.intParam(HIDDEN, l.dq());
        if (hidden <= 0) {
            throw new InvalidInputException("--opt " + HIDDEN, "must be positive, got " + hidden);
        }
        WeightSource w = WeightSource.of(call);
        Tensor wa = w.matrix("wa", l.dq(), hidden).to(l.dtype());
        Tensor ua = w.matrix("ua", l.dk(), hidden).to(l.dtype());
        Tensor va = w.vector("va", hidden).to(l.dtype());
        int g = l.groupSize();
        Tensor queries = backend.matmul(call.q(), wa, false, false, null)
            .reshape(l.batch(), l.kvHeads(), g, l.nq(), 1, hidden);
        Tensor keys = backend.matmul(call.k(), ua, false, false, null)
            .reshape(l.batch(), l.kvHeads(), 1, 1, l.nk(), hidden);
        Tensor hiddenLayer = backend.unary(UnaryOp.TANH, backend.binary(BinaryOp.ADD, queries, keys, null), null);
        Tensor e = backend.matmul(hiddenLayer, va.reshape(hidden, 1), false, false, null)
            .reshape(l.batch(), l.heads(), l.nq(), l.nk());
        AttentionOptions o = call.options();
        Tensor logits = AttentionScores.biased(AttentionScores.scaled(e, o.scale().orElse(1), backend), o, backend);
        return AttentionScores.values(AttentionScores.weights(logits, o, backend), call.v(), backend);
    }
}

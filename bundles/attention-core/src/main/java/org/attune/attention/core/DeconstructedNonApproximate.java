package org.attune.attention.core;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.BinaryOp;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.backend.Reduction;
import org.attune.api.backend.UnaryOp;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Non-approximate attention: no pairwise similarity at all. Each token gates its own query with its own key into
 * one score, and a query attends to the keys in proportion to the exponential of their scores, the same
 * distribution for every query that sees the same keys.
 * Xue, Moosavi and Aletras, "Deconstructing Attention: Investigating Design Principles for Effective Language
 * Modeling", arXiv:2510.11602, §3.3 eqs. (7)–(8), recurrent (causal) form Appx. I eq. (18):
 * <pre>
 *   Q = SiLU(H W_Q),  K, V = H W_{K,V}                                              (8)
 *   A = Softmax((Q ⊙ K) 1 / √d_h),  O = A V                                           (7)
 *   causal:  o_i = Σ_{j≤i} exp(q_j·k_j) v_j / Σ_{j≤i} exp(q_j·k_j)                    (18)
 * </pre>
 * Per head h (heads of Dh = E / heads), with the scale of the options (default 1/√Dh) and their bias and mask:
 * <pre>
 *   s[b,h,j] = scale · Σ_d Q[b,h,j,d] K[b,h,j,d]
 *   α[b,h,i,:] = softmax_j( s[b,h,j] + bias[b,h,i,j] | mask[b,h,i,j] ∧ (¬causal ∨ j ≤ i) )
 *   out = split(merge(α V) W_o + b_o, H)
 * </pre>
 * Eq. (7) writes the score matrix as (Q ⊙ K)1ᵀ; eq. (18) fixes its meaning, weight e^{q_j·k_j} on key j, so every
 * row holds the key scores s[j]. The score of key j uses query j, so queries and keys are the same tokens: k and v
 * must have the length of q (self-attention). Q = x_q W_q + b_q through SiLU(x) = x·σ(x), K = x_k W_k + b_k,
 * V = x_v W_v + b_v, x = merge(·), with the {@link Projections} of {@code mha} (files under {@code weights=DIR} or
 * {@code seed}, order wq, wk, wv, wo); the result has the layout of q. A fully masked row gives b_o (zero when
 * seeded). Window, ALiBi slopes, soft cap and sinks are not defined here and are rejected. Without mask, bias or
 * causal mask every row of α is the same, so a common permutation of q, k and v permutes the output rows
 * (permutation:tokens); permuting the queries alone is not a symmetry, since query j is part of key j's score.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "deconstructed-non-approximate", name = "Non-approximate (self-gated scores)",
    family = "core", paper = "Deconstructing Attention: Investigating Design Principles for Effective Language Modeling",
    arxiv = "2510.11602", year = 2025, cost = "O(n^2)",
    options = {
        "heads=number of attention heads after projection; must divide E = H*D; default the heads of q",
        "seed=seed of the Xavier-uniform weights (SplittableRandom, order wq, wk, wv, wo); default 0",
        "weights=directory holding wq.npy, wk.npy, wv.npy, wo.npy [E, E] and optional bq/bk/bv/bo.npy [E]"},
    symmetries = {"permutation:tokens"})
public final class DeconstructedNonApproximate implements AttentionMechanism {
    static final String ID = "deconstructed-non-approximate";

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        AttentionOptions o = call.options();
        AttentionScores.rejectUndefined(o, ID);
        ProjectedAttention.Embedded x = ProjectedAttention.embed(call, true);
        int n = x.xq().dim(1);
        if (x.xk().dim(1) != n) {
            throw InvalidInputException.shape("k", "[" + x.xq().dim(0) + ", kv_heads, " + n
                + ", dim] (self-attention: key j is scored with query j, so the length of q)", call.k().shape());
        }
        int heads = x.heads();
        int e = x.width();
        Projections w = Projections.forCall(call, e, e, e, e, e, x.xq().dtype());
        Tensor query = w.query(x.xq(), backend);
        Tensor qh = HeadLayout.split(backend.binary(BinaryOp.MUL, query, backend.unary(UnaryOp.SIGMOID, query, null),
            null), heads);
        Tensor kh = HeadLayout.split(w.key(x.xk(), backend), heads);
        Tensor vh = HeadLayout.split(w.value(x.xv(), backend), heads);
        int b = qh.dim(0);
        Tensor s = AttentionScores.scaled(backend.reduce(Reduction.SUM, backend.binary(BinaryOp.MUL, qh, kh, null), -1,
            false), o.scaleFor(x.headDim()), backend);
        Tensor logits = backend.binary(BinaryOp.ADD, Tensor.zeros(s.dtype(), b, heads, n, n), s.reshape(b, heads, 1, n),
            null);
        Tensor alpha = AttentionScores.weights(AttentionScores.biased(logits, o, backend), o, backend);
        Tensor merged = HeadLayout.merge(AttentionScores.values(alpha, vh, backend));
        return HeadLayout.split(w.output(merged, backend), call.q().dim(1));
    }
}

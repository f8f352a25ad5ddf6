package org.attune.attention.core;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Cross-attention (encoder-decoder attention): queries from one sequence attend to keys and values from
 * another, of its own length and embedding width.
 * Vaswani et al., "Attention Is All You Need", arXiv:1706.03762, §3.2.3.
 * <pre>
 *   CrossAttention(X, C) = Concat(head_1, ..., head_h) W_o,   head_i = Attention(X W_q^i, C_k W_k^i, C_v W_v^i)
 *   W_q [E, E],  W_k [Ek, E],  W_v [Ev, E],  W_o [E, E]
 * </pre>
 * q [B, H, Nq, D] (E = H·D), k [B, Hk, Nk, Dk] (Ek = Hk·Dk), v [B, Hv, Nk, Dv] (Ev = Hv·Dv), any Nk and
 * context widths; the result has the layout of q, [B, H, Nq, D]. Options and weights as
 * {@link MultiHeadAttention} (wk.npy [Ek, E], wv.npy [Ev, E]); with Ek = Ev = E it equals
 * {@link MultiHeadAttention}.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "cross-attention", name = "Cross-Attention", family = "core",
    paper = "Attention Is All You Need", arxiv = "1706.03762", year = 2017, cost = "O(n*m)",
    options = {
        "heads=number of attention heads after projection; must divide E = H*D of q; default the heads of q",
        "seed=seed of the Xavier-uniform weights (SplittableRandom, order wq, wk, wv, wo); default 0",
        "weights=directory holding wq.npy [E, E], wk.npy [Ek, E], wv.npy [Ev, E], wo.npy [E, E], optional biases"},
    symmetries = {"permutation:tokens"})
public final class CrossAttention implements AttentionMechanism {

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        return ProjectedAttention.attend(call, backend, false, heads -> heads, ProjectedAttention.HEADS,
            ProjectedAttention.SDPA);
    }
}

package org.attune.attention.core;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Multi-head attention: scaled dot-product attention of learned projections, one per head, concatenated and
 * projected back.
 * Vaswani et al., "Attention Is All You Need", arXiv:1706.03762, §3.2.2.
 * <pre>
 *   MultiHead(X_q, X_k, X_v) = Concat(head_1, ..., head_h) W_o + b_o
 *   head_i = Attention(X_q W_q^i + b_q^i, X_k W_k^i + b_k^i, X_v W_v^i + b_v^i)
 * </pre>
 * q [B, H, Nq, D], k [B, Hk, Nk, Dk], v [B, Hv, Nk, Dv] with H·D = Hk·Dk = Hv·Dv = E: each token's heads are
 * its embedding (x[b, s, h·D + e] = q[b, h, s, e]); W_q, W_k, W_v, W_o are [E, E]. The result has the layout
 * of q, [B, H, Nq, D]; inputs not modified. Options: {@code heads} (default H) splits E into heads of
 * Dh = E/heads, {@code weights=DIR} reads wq.npy, wk.npy, wv.npy, wo.npy ([in, out]) and optional
 * bq/bk/bv/bo.npy, or else {@code seed} (default 0) draws them ({@link SeededWeights}, order wq, wk, wv, wo,
 * zero biases). Mask, bias, causal and scale pass to the attention of the projected heads: mask and bias
 * broadcast to [B, heads, Nq, Nk], default scale 1/√Dh. A fully masked query row gives b_o (zero when
 * seeded). Without mask, bias or causal mask it is permutation-equivariant in the queries and invariant
 * under joint permutations of keys and values.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "mha", name = "Multi-Head Attention", family = "core",
    paper = "Attention Is All You Need", arxiv = "1706.03762", year = 2017, cost = "O(n^2)",
    options = {
        "heads=number of attention heads after projection; must divide E = H*D; default the heads of q",
        "seed=seed of the Xavier-uniform weights (SplittableRandom, order wq, wk, wv, wo); default 0",
        "weights=directory holding wq.npy, wk.npy, wv.npy, wo.npy [E, E] and optional bq/bk/bv/bo.npy [E]"},
    symmetries = {"permutation:tokens"})
public final class MultiHeadAttention implements AttentionMechanism {

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        return ProjectedAttention.attend(call, backend, true, heads -> heads, ProjectedAttention.HEADS,
            ProjectedAttention.SDPA);
    }
}

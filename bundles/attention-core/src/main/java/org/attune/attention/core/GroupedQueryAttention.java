package org.attune.attention.core;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Grouped-query attention: the query heads fall into G groups of heads/G, each group sharing one key head
 * and one value head.
 * Ainslie et al., "GQA: Training Generalized Multi-Query Transformer Models from Multi-Head Checkpoints",
 * arXiv:2305.13245, §2.2.
 * <pre>
 *   head_i = Attention(X_q W_q^i, X_k W_k^{g(i)}, X_v W_v^{g(i)}),   g(i) = i / (heads / G)
 *   W_k, W_v [E, G·Dh],  Dh = E / heads,   out = Concat(head_1, ..., head_h) W_o
 * </pre>
 * Shapes, layout, options and weights as {@link MultiHeadAttention}, with option {@code kv-heads} = G
 * (default the heads of k), which must divide {@code heads}; wk.npy and wv.npy are [E, G·Dh]. G = 1 is
 * {@link MultiQueryAttention}, G = heads is {@link MultiHeadAttention}.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "gqa", name = "Grouped-Query Attention", family = "core",
    paper = "GQA: Training Generalized Multi-Query Transformer Models from Multi-Head Checkpoints",
    arxiv = "2305.13245", year = 2023, cost = "O(n^2)",
    options = {
        "heads=number of query heads after projection; must divide E = H*D; default the heads of q",
        "kv-heads=number of key/value heads (groups); must divide heads; default the heads of k",
        "seed=seed of the Xavier-uniform weights (SplittableRandom, order wq, wk, wv, wo); default 0",
        "weights=directory holding wq.npy [E, E], wk.npy, wv.npy [E, kv-heads*E/heads], wo.npy [E, E], optional biases"},
    symmetries = {"permutation:tokens"})
public final class GroupedQueryAttention implements AttentionMechanism {
    /** Option: the number of key/value heads. */
    static final String KV_HEADS = "kv-heads";

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        int kvHeads = call.intParam(KV_HEADS, call.k().rank() > 1 ? call.k().dim(1) : 1);
        return ProjectedAttention.attend(call, backend, true, heads -> kvHeads, KV_HEADS, ProjectedAttention.SDPA);
    }
}

package org.attune.attention.core;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Multi-query attention: multi-head attention whose heads share one key head and one value head.
 * Shazeer, "Fast Transformer Decoding: One Write-Head is All You Need", arXiv:1911.02150, §3.
 * <pre>
 *   head_i = Attention(X_q W_q^i, X_k W_k, X_v W_v),   W_k, W_v [E, Dh],  Dh = E / heads
 *   out = Concat(head_1, ..., head_h) W_o
 * </pre>
 * Shapes, layout, options and weights as {@link MultiHeadAttention}, except that wk.npy and wv.npy are
 * [E, Dh] (and bk, bv [Dh]). Equals {@link GroupedQueryAttention} with kv-heads = 1 for the same weights.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "mqa", name = "Multi-Query Attention", family = "core",
    paper = "Fast Transformer Decoding: One Write-Head is All You Need", arxiv = "1911.02150", year = 2019,
    cost = "O(n^2)",
    options = {
        "heads=number of query heads after projection; must divide E = H*D; default the heads of q",
        "seed=seed of the Xavier-uniform weights (SplittableRandom, order wq, wk, wv, wo); default 0",
        "weights=directory holding wq.npy [E, E], wk.npy, wv.npy [E, E/heads], wo.npy [E, E], optional biases"},
    symmetries = {"permutation:tokens"})
public final class MultiQueryAttention implements AttentionMechanism {

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        return ProjectedAttention.attend(call, backend, true, heads -> 1, ProjectedAttention.HEADS,
            ProjectedAttention.SDPA);
    }
}

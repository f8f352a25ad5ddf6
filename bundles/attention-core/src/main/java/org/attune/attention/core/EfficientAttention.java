package org.attune.attention.core;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Efficient Attention (of "Pay Better Attention"; not the linear attention of Shen et al., arXiv:1812.01243):
 * multi-head attention without key and value projections; each head compares its projected queries with its
 * own slice of the key embedding and mixes its own slice of the value embedding.
 * Hosseini and Hosseini, "You Need to Pay Better Attention: Rethinking the Mathematics of Attention Mechanism",
 * arXiv:2403.01643, §3.2.
 * <pre>
 *   head_h = softmax(scale · slice_h(x_q W_q) slice_h(x_k)ᵀ + bias | mask ∧ causal) · slice_h(x_v)
 *   out = Concat_h(head_h) W_o
 * </pre>
 * The frame, shapes and slices are {@link HeadSlices}'s: q [B, H, Nq, D], k and v with the embedding width
 * E = H·D of q, W_q, W_o [E, E] (no biases), default scale 1/√Dh; the result has the layout of q; inputs not
 * modified. It is multi-head attention with W_k = W_v = I, and Optimised Attention with W_k = I (the
 * reductions the tests check). Options: {@code heads} (default H), {@code weights=DIR} (wq.npy, wo.npy) or
 * {@code seed} (default 0, order wq, wo). A fully masked query row gives a zero row. Without mask, bias or
 * causal mask it is permutation-equivariant in the queries and invariant under joint permutations of keys
 * and values.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "pba-efficient", name = "Efficient Attention (Pay Better Attention)", family = "core",
    paper = "You Need to Pay Better Attention: Rethinking the Mathematics of Attention Mechanism",
    arxiv = "2403.01643", year = 2024, cost = "O(n^2)",
    options = {
        "heads=number of attention heads; must divide E = H*D; default the heads of q",
        "seed=seed of the Xavier-uniform weights (SplittableRandom, order wq, wo); default 0",
        "weights=directory holding wq.npy, wo.npy [E, E]"},
    symmetries = {"permutation:tokens"})
public final class EfficientAttention implements AttentionMechanism {

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        return HeadSlices.attend(call, backend, false, false);
    }
}

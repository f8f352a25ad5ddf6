package org.attune.attention.core;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Super Attention: Efficient Attention whose values are first mixed across tokens by a learned alignment
 * matrix W_A shared by all heads.
 * Hosseini and Hosseini, "You Need to Pay Better Attention: Rethinking the Mathematics of Attention Mechanism",
 * arXiv:2403.01643, §3.3.
 * <pre>
 *   head_h = softmax(scale · slice_h(x_q W_q) slice_h(x_k)ᵀ + bias | mask ∧ causal) · slice_h(W_A x_v)
 *   out = Concat_h(head_h) W_o,      W_A [Nk, Nk];  under a causal mask W_A[t, s] = 0 for s > t
 * </pre>
 * The frame, shapes and slices are {@link HeadSlices}'s: q [B, H, Nq, D], k and v with the embedding width
 * E = H·D of q, W_q, W_o [E, E] (no biases), W_A [Nk, Nk] for the call's key length Nk (the paper fixes the
 * context length ℓ = Nk), default scale 1/√Dh; the result has the layout of q; inputs not modified. W_A = I
 * gives Efficient Attention (the reduction the tests check). Options: {@code heads} (default H),
 * {@code weights=DIR} (wq.npy, wo.npy [E, E], wa.npy [Nk, Nk]) or {@code seed} (default 0, order wq, wo, wa).
 * One W_A for all heads follows the paper's text; per-head matrices, as in some public re-implementations,
 * are not offered. A fully masked query row gives a zero row. Permuting the queries permutes the output rows;
 * W_A gives the keys positions, so a joint permutation of keys and values changes the output.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "pba-super", name = "Super Attention", family = "core",
    paper = "You Need to Pay Better Attention: Rethinking the Mathematics of Attention Mechanism",
    arxiv = "2403.01643", year = 2024, cost = "O(n^2)",
    options = {
        "heads=number of attention heads; must divide E = H*D; default the heads of q",
        "seed=seed of the Xavier-uniform weights (SplittableRandom, order wq, wo, wa); default 0",
        "weights=directory holding wq.npy, wo.npy [E, E] and wa.npy [Nk, Nk]"},
    symmetries = {"permutation:queries"})
public final class SuperAttention implements AttentionMechanism {

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        return HeadSlices.attend(call, backend, false, true);
    }
}

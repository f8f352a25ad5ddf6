package org.attune.attention.core;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Multi-head attention trained with PAMM-compressed Q/K/V projection activations: forward-exact.
 * Khalaf, Shamshoum, Hodos, Sieradzki and Schuster, "QKV Projections Require a Fraction of Their Memory",
 * arXiv:2506.02939: PAMM changes only what the backward pass of the Q, K and V projections keeps (generating
 * points C, assignments f and scales α instead of X, {@link PointApproximation}), so the forward pass is exactly
 * {@link MultiHeadAttention}'s:
 * <pre>
 *   out = Concat_h(Attention(X_q W_q^h, X_k W_k^h, X_v W_v^h)) W_o,     ∇W_{q,k,v} ≈ β Cᵀ B̃   (training only)
 * </pre>
 * Attune computes no gradients, so this component is the forward pass, bit for bit the one of {@code mha} (the
 * tests compare them), and the approximation is reported by the diagnostic {@code pamm-error} ({@link PammError}):
 * given the same q, k, v and the options {@code ratio}, {@code epsilon} and {@code seed}, it returns the compression
 * ratio b/k, the dropped tokens and the relative errors ‖X − X̃‖_F/‖X‖_F and ‖XᵀG − ∇W̃‖_F/‖XᵀG‖_F of each of the three
 * projections. Shapes, options ({@code heads}, {@code seed}, {@code weights}), mask, bias, causal, scale and
 * symmetries as {@link MultiHeadAttention}.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "pamm", name = "PAMM (forward-exact multi-head attention)", family = "core",
    paper = "QKV Projections Require a Fraction of Their Memory", arxiv = "2506.02939", year = 2025, cost = "O(n^2)",
    options = {
        "heads=number of attention heads after projection; must divide E = H*D; default the heads of q",
        "seed=seed of the Xavier-uniform weights (SplittableRandom, order wq, wk, wv, wo); default 0",
        "weights=directory holding wq.npy, wk.npy, wv.npy, wo.npy [E, E] and optional bq/bk/bv/bo.npy [E]"},
    symmetries = {"permutation:tokens"})
public final class PammAttention implements AttentionMechanism {

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        return ProjectedAttention.attend(call, backend, true, heads -> heads, ProjectedAttention.HEADS,
            ProjectedAttention.SDPA);
    }
}

package org.attune.attention.core;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Relational attention ({@link RelationalHeads} followed by W_o), the relational heads of the Dual Attention Transformer: the message from sender j to
 * receiver i is their relation vector r(x_i, y_j), projected per head, plus the sender's symbol s_j; the
 * messages are aggregated by softmax attention on separate query/key maps.
 * Altabaa and Lafferty, "Disentangling and Integrating Relational and Sensory Information in Transformer
 * Architectures", arXiv:2405.16727 (§2, relational attention), as the authors' code computes it
 * (Awni00/abstract_transformer, {@code relational_attention.py}, {@code RelationalAttention.forward}, checked
 * there with rel_activation = identity, no biases, absolute symbols):
 * <pre>
 *   x = merge(q) [B, Nq, E] (receivers),  y = merge(k) [B, Nk, E] (senders),  s = merge(v) [B, Nk, E] (symbols)
 *   α^h = softmax_j( scale · (x W_q^attn)_h (y W_k^attn)_hᵀ + bias | mask ∧ causal )     scale 1/√Dh,  Dh = E / heads
 *   r_ij^ℓ = (x_i W_q^rel)_ℓ · (y_j W_k^rel)_ℓ / √Dr                                     ℓ &lt; relations,  Dr = E / relations
 *   A_i^h = Σ_j α_ij^h ( r_ij W_r^h + (s_j W_s)_h ),      out = Concat_h(A^h) W_o
 * </pre>
 * (·)_h is the h-th block of Dh columns, (·)_ℓ the ℓ-th block of Dr columns; W_q^attn, W_k^attn, W_q^rel, W_k^rel,
 * W_s, W_o [E, E], W_r [relations, E] (W_r^h its h-th block of columns). Option {@code symmetric=true} uses
 * W_k^rel = W_q^rel (the code's symmetric_rels), so r_ij = r_ji when x = y. W_r = 0 leaves standard multi-head
 * attention of x, y with values s (the reduction the tests check). The symbols come with the call as v: how they
 * are retrieved (absolute positions, symbolic attention) is the caller's part; the code's position-relative
 * symbols [Nq, Nk, E] are not offered. q, k, v [B, ·, ·, ·] with the embedding width E of q; the result has the
 * layout of q, [B, H, Nq, D]; inputs not modified. Options: {@code heads} (default H), {@code relations}
 * (default heads), {@code symmetric} (default false), {@code weights=DIR} (wq, wk, wqr, wkr, wr, wv, wo .npy) or
 * {@code seed} (default 0; Xavier uniform in the order wq, wk, wqr, wkr (unless symmetric), wr, wv, wo). Mask,
 * causal, bias and scale act on the attention logits; window, ALiBi slopes, soft cap and sinks are rejected. A
 * fully masked query row gives a zero row. Without mask, bias or causal mask it is permutation-equivariant in the
 * queries and invariant under joint permutations of keys and symbols.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "relational-attention", name = "Relational Attention (DAT)", family = "core",
    paper = "Disentangling and Integrating Relational and Sensory Information in Transformer Architectures",
    arxiv = "2405.16727", year = 2024, cost = "O(n^2 * (d + relations))",
    options = {
        "heads=number of attention heads; must divide E = H*D; default the heads of q",
        "relations=number d_r of relations; must divide E; default heads",
        "symmetric=true to share the relation query and key maps (W_k^rel = W_q^rel); default false",
        "seed=seed of the Xavier-uniform weights (SplittableRandom, order wq, wk, wqr, wkr, wr, wv, wo); default 0",
        "weights=directory holding wq, wk, wqr, wkr, wv, wo .npy [E, E] and wr.npy [relations, E]"},
    symmetries = {"permutation:tokens"})
public final class RelationalAttention implements AttentionMechanism {
    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        boolean symmetric = RelationalHeads.symmetric(call);
        AttentionOptions o = call.options();
        AttentionScores.rejectUndefined(o, "relational-attention");
        ProjectedAttention.Embedded x = ProjectedAttention.embed(call, true);
        int heads = x.heads();
        int e = x.width();
        int relations = RelationalHeads.relations(call, heads, e);
        WeightSource source = WeightSource.of(call);
        Tensor attended = RelationalHeads.attend(x.xq(), x.xk(), x.xv(), heads, x.headDim(), relations, symmetric, "",
            source, o, backend);
        Tensor wo = source.matrix("wo", e, e).to(x.xq().dtype());
        return HeadLayout.split(backend.matmul(attended, wo, false, false, null), call.q().dim(1));
    }
}

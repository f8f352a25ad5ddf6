package org.attune.attention.core;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Dual attention, the attention layer of the Dual Attention Transformer (DAT): standard ("sensory") attention
 * heads and relational attention heads side by side, their outputs concatenated.
 * Altabaa and Lafferty, "Disentangling and Integrating Relational and Sensory Information in Transformer
 * Architectures", arXiv:2405.16727 (§2–3), as the authors' code computes it (Awni00/abstract_transformer,
 * {@code dual_attention.py}, {@code DualAttention.forward}, checked there; no shared attention parameters):
 * <pre>
 *   x = merge(q) [B, Nq, E],  y = merge(k) [B, Nk, E],  s = merge(v) [B, Nk, E] (symbols);   Dh = E / (n_sa + n_ra)
 *   E_sa = merge_h( softmax(scale · (x W_q)_h (y W_k)_hᵀ + bias | mask ∧ causal) (y W_v)_h ) W_o      n_sa heads
 *   A_ra = RelationalHeads(x, y, s) W_o^ra                                                          n_ra heads
 *   out = split(Concat(E_sa, A_ra))
 * </pre>
 * The sensory heads attend over the senders' own features (the code's query = key = value = x; here the values
 * come from k), the relational heads send relations tagged with the symbols v ({@link RelationalHeads},
 * {@code relational-attention}). W_q, W_k, W_v [E, n_sa·Dh], W_o [n_sa·Dh, n_sa·Dh]; the relational weights are
 * those of {@link RelationalHeads} at width n_ra·Dh with prefix {@code ra_}, and W_o^ra [n_ra·Dh, n_ra·Dh]; no
 * biases; default scale 1/√Dh. n_ra = 0 is multi-head attention of q, k with values k (n_sa = H heads); n_sa = 0
 * is {@code relational-attention} with ra_-named weights (the reductions the tests check). q, k, v with the
 * embedding width E of q; the result has the layout of q, [B, H, Nq, D]; inputs not modified. Options:
 * {@code sensory} n_sa and {@code relational} n_ra (defaults H − ⌊H/2⌋ and ⌊H/2⌋, H the heads of q; their sum
 * divides E), {@code relations} (default n_ra), {@code symmetric}, {@code weights=DIR} or {@code seed}
 * (default 0; order wq, wk, wv, wo, then ra_wq, ra_wk, wqr, wkr, wr, ra_wv, ra_wo, each group only when its heads
 * are used). Mask, causal, bias and scale apply to both kinds of heads; window, ALiBi slopes, soft cap and sinks
 * are rejected. Without mask, bias or causal mask it is permutation-equivariant in the queries and invariant
 * under joint permutations of keys and symbols.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "dual-attention", name = "Dual Attention (DAT)", family = "core",
    paper = "Disentangling and Integrating Relational and Sensory Information in Transformer Architectures",
    arxiv = "2405.16727", year = 2024, cost = "O(n^2 * (d + relations))",
    options = {
        "sensory=number of standard (sensory) attention heads; default H - floor(H/2)",
        "relational=number of relational attention heads; sensory + relational must divide E; default floor(H/2)",
        "relations=number d_r of relations of the relational heads; must divide E; default relational",
        "symmetric=true to share the relation query and key maps; default false",
        "seed=seed of the Xavier-uniform weights (order wq, wk, wv, wo, ra_wq, ra_wk, wqr, wkr, wr, ra_wv, ra_wo); default 0",
        "weights=directory holding wq, wk, wv [E, n_sa*Dh], wo, ra_wq, ra_wk, ra_wv, wqr, wkr, wr, ra_wo .npy"},
    symmetries = {"permutation:tokens"})
public final class DualAttention implements AttentionMechanism {
    /** Option: the number of sensory heads. */
    static final String SENSORY = "sensory";
    /** Option: the number of relational heads. */
    static final String RELATIONAL = "relational";

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        AttentionOptions o = call.options();
        AttentionScores.rejectUndefined(o, "dual-attention");
        boolean symmetric = RelationalHeads.symmetric(call);
        ProjectedAttention.Embedded x = ProjectedAttention.embed(call, true);
        int e = x.width();
        int h = call.q().dim(1);
        int sa = call.intParam(SENSORY, h - h / 2);
        int ra = call.intParam(RELATIONAL, h / 2);
        if (sa < 0) {
            throw new InvalidInputException("--opt " + SENSORY, "must be 0 or more, got " + sa);
        }
        if (ra < 0 || sa + ra == 0 || e % (sa + ra) != 0) {
            throw new InvalidInputException("--opt " + RELATIONAL, "sensory + relational = " + (sa + ra)
                + " heads must be positive and divide the embedding width E = " + e + " (sensory = " + sa + ")");
        }
        int dh = e / (sa + ra);
        DType dtype = x.xq().dtype();
        WeightSource source = WeightSource.of(call);
        Tensor out = Tensor.zeros(dtype, x.xq().dim(0), x.xq().dim(1), e);
        if (sa > 0) {
            Tensor wq = source.matrix("wq", e, sa * dh).to(dtype);
            Tensor wk = source.matrix("wk", e, sa * dh).to(dtype);
            Tensor wv = source.matrix("wv", e, sa * dh).to(dtype);
            Tensor wo = source.matrix("wo", sa * dh, sa * dh).to(dtype);
            Tensor qh = HeadLayout.split(backend.matmul(x.xq(), wq, false, false, null), sa);
            Tensor kh = HeadLayout.split(backend.matmul(x.xk(), wk, false, false, null), sa);
            Tensor vh = HeadLayout.split(backend.matmul(x.xk(), wv, false, false, null), sa);
            Tensor heads = backend.attention(qh, kh, vh, o.toBuilder().scale(o.scaleFor(dh)).build(), null);
            place(backend.matmul(HeadLayout.merge(heads), wo, false, false, null), out, 0);
        }
        if (ra > 0) {
            int relations = RelationalHeads.relations(call, ra, e);
            Tensor attended = RelationalHeads.attend(x.xq(), x.xk(), x.xv(), ra, dh, relations, symmetric, "ra_",
                source, o, backend);
            Tensor wo = source.matrix("ra_wo", ra * dh, ra * dh).to(dtype);
            place(backend.matmul(attended, wo, false, false, null), out, sa * dh);
        }
        return HeadLayout.split(out, h);
    }

    /** Copies part [B, N, w] into columns from … from + w − 1 of out [B, N, E]. */
    private static void place(Tensor part, Tensor out, int from) {
        int rows = part.dim(0) * part.dim(1), w = part.dim(2), e = out.dim(2);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < w; c++) {
                out.setFlat(r * e + from + c, part.getFlat(r * w + c));
            }
        }
    }
}

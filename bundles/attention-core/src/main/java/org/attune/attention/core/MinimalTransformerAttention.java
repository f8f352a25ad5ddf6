package org.attune.attention.core;

import java.util.Locale;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Minimal transformer attention: multi-head attention with the query and key matrices of each head collapsed
 * into one similarity matrix W_QK, optionally made symmetric, and optionally without value and output
 * matrices.
 * Bermeitinger, Hrycej, Pavone, Kath and Handschuh, "Reducing the Transformer Architecture to a Minimum",
 * arXiv:2410.13732 (§3: collapsing W_Q W_Kᵀ into one matrix; symmetric similarity; omitting W_V and W_O).
 * <pre>
 *   x_q = merge(q) [B, Nq, E],  x_k = merge(k),  x_v = merge(v)                 (E = H·D; {@link HeadLayout})
 *   S_h[i, j] = scale · x_q[i] W_QK^h x_k[j]ᵀ + bias[h, i, j]                    W_QK^h [E, E], h < heads
 *     variant=collapsed:  W_QK^h = A_h                 (= W_Q^h W_K^hᵀ of multi-head attention)
 *     variant=symmetric:  W_QK^h = ½ (A_h + A_hᵀ)      (E(E+1)/2 free parameters; S_h = S_hᵀ when x_q = x_k)
 *   α_h = softmax_j(S_h | mask ∧ (¬causal ∨ j ≤ i))
 *     values=project:  out = merge_h(α_h · split_h(x_v W_v)) W_o
 *     values=drop:     out = merge_h(α_h · split_h(x_v))          (W_V and W_O omitted: head h mixes slice h of x_v)
 * </pre>
 * with A = [A_0 | A_1 | …] the matrix {@code wqk} [E, heads·E] (columns h·E … h·E + E − 1 are A_h), W_v and
 * W_o [E, E], no biases, Dh = E / heads and default scale 1/√Dh, so that A_h = W_Q^h W_K^hᵀ (W_Q^h the
 * columns of head h of multi-head attention's W_q) gives exactly {@code mha}. q [B, H, Nq, D], k and v with
 * the embedding width E of q; the result has the layout of q, [B, H, Nq, D]; inputs not modified. The scores
 * are the dot products of Q_h = x_q A_h with the keys x_k, so the backend's scaled dot-product attention
 * computes them and every {@link AttentionOptions} option applies as for {@code sdpa}.
 * Options: {@code variant}, {@code values}, {@code heads} (default H), {@code weights=DIR} (wqk.npy [E, heads·E],
 * and wv.npy, wo.npy [E, E] for values=project) or {@code seed} (default 0; {@link SeededWeights}, order wqk,
 * wv, wo). A fully masked query row gives a zero row. Without mask, bias or causal mask it is
 * permutation-equivariant in the queries and invariant under joint permutations of keys and values.
 * The paper's multi-head treatment is summarised here from its abstract and text; the per-head block layout of
 * wqk and the head slices for values=drop are this implementation's choices.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "minimal", name = "Minimal Transformer Attention", family = "core",
    paper = "Reducing the Transformer Architecture to a Minimum", arxiv = "2410.13732", year = 2024, cost = "O(n^2)",
    options = {
        "variant=collapsed (one W_QK per head) or symmetric (W_QK = (A + A^T)/2); default collapsed",
        "values=project (W_V and W_O) or drop (no W_V, no W_O: head h attends over slice h of v); default project",
        "heads=number of attention heads; must divide E = H*D; default the heads of q",
        "seed=seed of the Xavier-uniform weights (SplittableRandom, order wqk, wv, wo); default 0",
        "weights=directory holding wqk.npy [E, heads*E] and, for values=project, wv.npy, wo.npy [E, E]"},
    symmetries = {"permutation:tokens"})
public final class MinimalTransformerAttention implements AttentionMechanism {
    /** Option: collapsed or symmetric W_QK. */
    static final String VARIANT = "variant";
    /** Option: keep (project) or omit (drop) W_V and W_O. */
    static final String VALUES = "values";

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        boolean symmetric = switch (choice(call, VARIANT, "collapsed")) {
            case "collapsed" -> false;
            case "symmetric" -> true;
            default -> throw new InvalidInputException("--opt " + VARIANT, "expected collapsed or symmetric, got '"
                + call.param(VARIANT, "") + "'");
        };
        boolean project = switch (choice(call, VALUES, "project")) {
            case "project" -> true;
            case "drop" -> false;
            default -> throw new InvalidInputException("--opt " + VALUES, "expected project or drop, got '"
                + call.param(VALUES, "") + "'");
        };
        ProjectedAttention.Embedded x = ProjectedAttention.embed(call, true);
        int heads = x.heads();
        int e = x.width();
        WeightSource source = WeightSource.of(call);
        Tensor a = source.matrix("wqk", e, heads * e);
        if (symmetric) {
            a = symmetrised(a, heads);
        }
        Tensor qh = HeadLayout.split(backend.matmul(x.xq(), a.to(x.xq().dtype()), false, false, null), heads);
        Tensor kh = replicated(x.xk(), heads);
        Tensor vh;
        Tensor wo = null;
        if (project) {
            Tensor wv = source.matrix("wv", e, e).to(x.xq().dtype());
            wo = source.matrix("wo", e, e).to(x.xq().dtype());
            vh = HeadLayout.split(backend.matmul(x.xv(), wv, false, false, null), heads);
        } else {
            vh = HeadLayout.split(x.xv(), heads);
        }
        AttentionOptions o = call.options();
        AttentionOptions scaled = o.toBuilder().scale(o.scaleFor(x.headDim())).build();
        Tensor merged = HeadLayout.merge(backend.attention(qh, kh, vh, scaled, null));
        Tensor out = project ? backend.matmul(merged, wo, false, false, null) : merged;
        return HeadLayout.split(out, call.q().dim(1));
    }

    private static String choice(AttentionCall call, String option, String dflt) {
        return call.param(option, dflt).trim().toLowerCase(Locale.ROOT);
    }

    /** Each [E, E] block A_h of a [E, heads·E] replaced by ½ (A_h + A_hᵀ), in float64. */
    static Tensor symmetrised(Tensor a, int heads) {
        int e = a.dim(0);
        int w = a.dim(1);
        double[] from = a.toDoubleArray();
        double[] to = new double[from.length];
        for (int h = 0; h < heads; h++) {
            for (int r = 0; r < e; r++) {
                for (int c = 0; c < e; c++) {
                    to[r * w + h * e + c] = 0.5 * (from[r * w + h * e + c] + from[c * w + h * e + r]);
                }
            }
        }
        return Tensor.of(to, e, w);
    }

    /** x [B, S, E] as [B, heads, S, E], the same keys for every head. */
    private static Tensor replicated(Tensor x, int heads) {
        int b = x.dim(0);
        Tensor t = Tensor.zeros(x.dtype(), b, heads, x.dim(1), x.dim(2));
        for (int bi = 0; bi < b; bi++) {
            for (int h = 0; h < heads; h++) {
                t.select(bi).select(h).copyFrom(x.select(bi));
            }
        }
        return t;
    }
}

package org.attune.attention.core;

import java.util.Locale;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.Broadcast;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Factored (positional-only, QK-free) attention: the attention weights are learned parameters that depend
 * only on the positions of query and key, not on their content; there are no queries, keys or softmax.
 * Rende and Viteritti, "Are queries and keys always relevant? A case study on Transformer wave functions",
 * arXiv:2405.18874 (§2, factored attention), as in the authors' public NetKet ViT code (module {@code FMHA}).
 * <pre>
 *   x_v = merge(v) [B, Nk, E],  V_h = split_h(x_v W_v)
 *   out_i = Concat_h( Σ_j α_h[i, j] · [mask_ij ∧ (¬causal ∨ j ≤ i)] · V_h[j] ) W_o
 *   translation=invariant, lattice=1d:  α_h[i, j] = a_h[(j − i) mod Nk]                        a [heads, Nk]
 *   translation=invariant, lattice=2d:  α_h[i, j] = a_h[((r_j − r_i) mod L)·L + (c_j − c_i) mod L],  Nk = L², site s = (s / L, s mod L)
 *   translation=free:                   α_h[i, j] = a_h[i, j]                                  a [heads, Nq·Nk]
 * </pre>
 * W_v, W_o [E, E] (E = H·D of q; no biases, as the reference code's zero-initialised ones), the weights
 * unnormalised (rows need not sum to 1). q and k only give shapes: the output is independent of their values.
 * q [B, H, Nq, D], k and v with the embedding width E; query i sits at lattice site i (lattice=2d needs
 * Nq = Nk = L²). The result has the layout of q, [B, H, Nq, D]; inputs not modified. The translation-invariant
 * forms are circular convolutions over the lattice: rolling keys and values by whole sites rolls the output
 * rows the same way (Nq = Nk, no mask). Options: {@code translation}, {@code lattice}, {@code heads}
 * (default H), {@code weights=DIR} (wv.npy, wo.npy [E, E], alpha.npy [heads, Nk] or [heads, Nq·Nk]) or
 * {@code seed} (default 0; Xavier uniform in the order wv, wo, alpha). Mask and causal zero weights; bias,
 * scale, window, ALiBi slopes, soft cap and sinks act on logits, which this method does not have, and are
 * rejected. A fully masked query row gives a zero row.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "factored", name = "Factored Attention (positional-only)", family = "core",
    paper = "Are queries and keys always relevant? A case study on Transformer wave functions", arxiv = "2405.18874",
    year = 2024, cost = "O(n^2)",
    options = {
        "translation=invariant (alpha depends on the periodic offset j - i) or free (one weight per pair); default invariant",
        "lattice=1d (a ring of Nk sites) or 2d (an L x L torus, Nq = Nk = L*L); default 1d",
        "heads=number of attention heads; must divide E = H*D; default the heads of q",
        "seed=seed of the Xavier-uniform weights (SplittableRandom, order wv, wo, alpha); default 0",
        "weights=directory holding wv.npy, wo.npy [E, E] and alpha.npy [heads, Nk] (invariant) or [heads, Nq*Nk] (free)"},
    symmetries = {"roll:tokens"})
public final class FactoredAttention implements AttentionMechanism {
    /** Option: translation-invariant or free weights. */
    static final String TRANSLATION = "translation";
    /** Option: the lattice of the tokens. */
    static final String LATTICE = "lattice";

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        boolean invariant = switch (choice(call, TRANSLATION, "invariant")) {
            case "invariant" -> true;
            case "free" -> false;
            default -> throw new InvalidInputException("--opt " + TRANSLATION, "expected invariant or free, got '"
                + call.param(TRANSLATION, "") + "'");
        };
        boolean square = switch (choice(call, LATTICE, "1d")) {
            case "1d" -> false;
            case "2d" -> true;
            default -> throw new InvalidInputException("--opt " + LATTICE, "expected 1d or 2d, got '"
                + call.param(LATTICE, "") + "'");
        };
        ProjectedAttention.Embedded x = ProjectedAttention.embed(call, true);
        AttentionOptions o = call.options();
        rejectLogitOptions(o);
        int heads = x.heads();
        int e = x.width();
        int nq = x.xq().dim(1);
        int nk = x.xk().dim(1);
        int side = (int) Math.round(Math.sqrt(nk));
        if (square && (side * side != nk || nq != nk)) {
            throw new InvalidInputException("--opt " + LATTICE, "lattice=2d needs Nq = Nk = L*L sites, got Nq = " + nq
                + ", Nk = " + nk);
        }
        WeightSource source = WeightSource.of(call);
        Tensor wv = source.matrix("wv", e, e).to(x.xq().dtype());
        Tensor wo = source.matrix("wo", e, e).to(x.xq().dtype());
        Tensor a = source.matrix("alpha", heads, invariant ? nk : nq * nk);
        int batch = x.xq().dim(0);
        Tensor alpha = weights(a, batch, heads, nq, nk, invariant ? (square ? side : 0) : -1,
            AttentionScores.allowed(new int[] {batch, heads, nq, nk}, o), x.xq().dtype());
        Tensor vh = HeadLayout.split(backend.matmul(x.xv(), wv, false, false, null), heads);
        Tensor merged = HeadLayout.merge(AttentionScores.values(alpha, vh, backend));
        return HeadLayout.split(backend.matmul(merged, wo, false, false, null), call.q().dim(1));
    }

    private static String choice(AttentionCall call, String option, String dflt) {
        return call.param(option, dflt).trim().toLowerCase(Locale.ROOT);
    }

    private static void rejectLogitOptions(AttentionOptions o) {
        String why = "not defined for factored attention, whose weights are not logits; pass none";
        if (o.bias().isPresent()) {
            throw new InvalidInputException("bias", why);
        }
        if (o.scale().isPresent()) {
            throw new InvalidInputException("scale", why);
        }
        AttentionScores.rejectUndefined(o, "factored");
    }

    /**
     * α [B, heads, Nq, Nk] from the parameters a (side = −1: free, a [heads, Nq·Nk]; 0: a ring; L &gt; 0: an L×L
     * torus, a [heads, Nk]), zero where {@code allowed} (broadcastable boolean, or null for all) is false.
     */
    private static Tensor weights(Tensor a, int batch, int heads, int nq, int nk, int side, Tensor allowed,
                                  DType dtype) {
        double[] p = a.toDoubleArray();
        int cols = a.dim(1);
        int[] shape = {batch, heads, nq, nk};
        int[] strides = allowed == null ? null : Broadcast.strides("mask", allowed.shape(), shape);
        boolean[] mask = allowed == null ? null : allowed.booleanData();
        double[] w = new double[batch * heads * nq * nk];
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < nq; i++) {
                    for (int j = 0; j < nk; j++) {
                        if (mask != null && !mask[allowed.offset() + b * strides[0] + h * strides[1] + i * strides[2]
                            + j * strides[3]]) {
                            continue;
                        }
                        int at;
                        if (side < 0) {
                            at = i * nk + j;
                        } else if (side == 0) {
                            at = Math.floorMod(j - i, nk);
                        } else {
                            at = Math.floorMod(j / side - i / side, side) * side
                                + Math.floorMod(j % side - i % side, side);
                        }
                        w[((b * heads + h) * nq + i) * nk + j] = p[h * cols + at];
                    }
                }
            }
        }
        return Tensor.of(w, shape).to(dtype);
    }
}

package org.attune.attention.core;

import java.nio.file.Path;
import java.util.Locale;

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
 * Talking-heads attention: multi-head attention whose heads exchange information through learned linear maps
 * across the head axis, once on the logits before the softmax and once on the weights after it.
 * Shazeer, Lan, Cheng, Ding and Hou, "Talking-Heads Attention", arXiv:2003.02436, §4 (pseudo-code).
 * <pre>
 *   J[b,h,i,j] = scale · Q[b,h,i,:]·K[b,h,j,:] + bias[b,h,i,j]
 *   L[b,h',i,j] = Σ_h J[b,h,i,j] P_l[h,h']                              (logits projection)
 *   W[b,h,i,:]  = softmax_j(L[b,h,i,:] | mask ∧ (¬causal ∨ j ≤ i))
 *   U[b,h',i,j] = Σ_h W[b,h,i,j] P_w[h,h']                              (weights projection)
 *   O[b,h,i,:]  = Σ_j U[b,h,i,j] V[b,h,j,:],   out = Concat_h(O) W_o + b_o
 * </pre>
 * Q, K, V and the output projection are those of {@link MultiHeadAttention} (same shapes, layout, options and
 * weights); P_l, P_w are [heads, heads]. Option {@code mixing}: {@code seeded} (default; Xavier uniform from
 * {@code SplittableRandom(seed + 1)}, order pl, pw), {@code identity} (P = I: exactly multi-head attention)
 * or {@code files} (pl.npy and pw.npy beside the weights of {@code weights=DIR}). The bias enters before the
 * logits projection and the mask after it, so masked logits never mix (keep the bias finite: −∞ would mix
 * into NaN; use the mask to exclude keys); the weights projection may move
 * weight onto keys that another head masked (as in the paper, where all heads share one mask). A query row
 * masked in every head gives b_o.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "talking-heads", name = "Talking-Heads Attention", family = "core",
    paper = "Talking-Heads Attention", arxiv = "2003.02436", year = 2020, cost = "O(n^2)",
    options = {
        "heads=number of attention heads after projection; must divide E = H*D; default the heads of q",
        "mixing=seeded (Xavier uniform from seed + 1), identity (equals mha) or files (pl.npy, pw.npy); default seeded",
        "seed=seed of the Xavier-uniform weights (SplittableRandom, order wq, wk, wv, wo); default 0",
        "weights=directory holding wq.npy, wk.npy, wv.npy, wo.npy [E, E], optional biases, and pl.npy, pw.npy [heads, heads]"},
    symmetries = {"permutation:tokens"})
public final class TalkingHeadsAttention implements AttentionMechanism {
    /** Option: where the head-mixing matrices come from. */
    static final String MIXING = "mixing";

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        String mixing = call.param(MIXING, "seeded").trim().toLowerCase(Locale.ROOT);
        WeightSource source = switch (mixing) {
            case "identity" -> null;
            case "seeded" -> new SeededWeights(call.longParam(WeightSource.SEED, 0) + 1);
            case "files" -> {
                String dir = call.param(WeightSource.WEIGHTS, null);
                if (dir == null) {
                    throw new InvalidInputException("--opt " + MIXING, "mixing=files needs --opt weights=DIR");
                }
                yield new WeightFiles(Path.of(dir));
            }
            default -> throw new InvalidInputException("--opt " + MIXING, "expected seeded, identity or files, got '"
                + call.param(MIXING, "") + "'");
        };
        return ProjectedAttention.attend(call, backend, true, heads -> heads, ProjectedAttention.HEADS,
            (q, k, v, o, b) -> talk(q, k, v, o, b, source));
    }

    private static Tensor talk(Tensor q, Tensor k, Tensor v, AttentionOptions o, ComputeBackend backend,
                               WeightSource mixing) {
        int heads = q.dim(1);
        Tensor logits = AttentionScores.biased(AttentionScores.dot(q, k, o.scaleFor(q.dim(3)), backend), o, backend);
        if (mixing != null) {
            Tensor pl = mixing.matrix("pl", heads, heads).to(q.dtype());
            Tensor pw = mixing.matrix("pw", heads, heads).to(q.dtype());
            return AttentionScores.values(mix(AttentionScores.weights(mix(logits, pl, backend), o, backend), pw,
                backend), v, backend);
        }
        return AttentionScores.values(AttentionScores.weights(logits, o, backend), v, backend);
    }

    /** y[b,h',i,j] = Σ_h x[b,h,i,j] p[h,h'], per batch as pᵀ · x[b] with x[b] read as [heads, Nq·Nk]. */
    private static Tensor mix(Tensor x, Tensor p, ComputeBackend backend) {
        int b = x.dim(0), h = x.dim(1), n = x.dim(2) * x.dim(3);
        Tensor y = Tensor.zeros(x.dtype(), x.shape());
        for (int bi = 0; bi < b; bi++) {
            backend.matmul(p, x.select(bi).reshape(h, n), true, false, y.select(bi).reshape(h, n));
        }
        return y;
    }
}

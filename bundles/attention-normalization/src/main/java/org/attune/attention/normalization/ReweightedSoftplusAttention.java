package org.attune.attention.normalization;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Re-weighted length-scaled Softplus attention (LSSAR): {@link LengthScaledSoftplusAttention}'s weights followed
 * by a fine-tuning-free sharpening stage that amplifies large weights and suppresses small ones.
 * Gao, Spratling and Gionfrida, "Softplus Attention with Re-weighting Boosts Length Extrapolation in Large
 * Language Models", arXiv:2501.13428 (normalisation then re-weighting; no equation numbers cited, see the documented
 * choice below):
 * <pre>
 *   w_ij  = softplus(λ_i s_ij) / Σ_{j'} softplus(λ_i s_ij'),            λ_i = log n_i          (LSSA)
 *   w'_ij = max(0, n_i w_ij − θ)^p / Σ_{j'} max(0, n_i w_ij' − θ)^p,    O = W' V
 * </pre>
 * n_i is the number of keys row i may see ({@link SoftplusRows}); n_i w_ij compares a weight with the uniform
 * weight 1/n_i, θ thresholds it and the power p sharpens it. Documented choice: the paper's exact re-weighting
 * formula could not be read from the reference corpora; this is the power transform after thresholding,
 * renormalised, that its abstract and the catalogue describe, with θ (option {@code threshold}, in [0, 1),
 * default 0) and p (option {@code p} &gt; 0, default 2) as parameters. p = 1 with θ = 0 is LSSA
 * exactly; larger p lowers each row's entropy. The row never empties for θ &lt; 1 (its largest weight is ≥ 1/n_i).
 * Shapes, options and symmetries as {@link LengthScaledSoftplusAttention}; a fully masked row is zero.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "lssar", name = "LSSAR (Re-weighted Length-Scaled Softplus Attention)", family = "normalization",
    paper = "Softplus Attention with Re-weighting Boosts Length Extrapolation in Large Language Models",
    arxiv = "2501.13428", year = 2025, cost = "O(n^2)",
    options = {
        "length-scale=log (lambda_i = ln n_i, n_i the keys row i sees) or none (lambda_i = 1); default log",
        "p=sharpening power, > 0; default 2 (p = 1 with threshold 0 is LSSA)",
        "threshold=theta in [0, 1): weights below theta/n_i are dropped before the power; default 0"},
    symmetries = {"permutation:tokens"})
public final class ReweightedSoftplusAttention implements AttentionMechanism {
    static final String P = "p";
    static final String THRESHOLD = "threshold";

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        boolean lengthScaled = SoftplusRows.lengthScaled(call);
        double p = call.doubleParam(P, 2);
        if (!(p > 0) || Double.isInfinite(p)) {
            throw new InvalidInputException("--opt " + P, "must be a finite number > 0, got " + call.param(P, ""));
        }
        double threshold = call.doubleParam(THRESHOLD, 0);
        if (!(threshold >= 0 && threshold < 1)) {
            throw new InvalidInputException("--opt " + THRESHOLD, "must be in [0, 1), got " + call.param(THRESHOLD, ""));
        }
        ScoreMatrix s = ScoreMatrix.of(call.q(), call.k(), call.v(), call.options(), backend, "lssar", true);
        Tensor w = s.weights(plane -> {
            boolean[][] allowed = SoftplusRows.allowed(plane);
            SoftplusRows.normalise(plane, lengthScaled);
            SoftplusRows.sharpen(plane, allowed, p, threshold);
        });
        return s.values(w, call.v(), backend);
    }
}

package org.attune.attention.normalization;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Length-scaled Softplus attention (LSSA): softmax = φ(s)/‖φ(s)‖₁ with φ = exp replaced by softplus, applied to
 * the logits multiplied by a length-dependent factor, then ℓ1-normalised.
 * Gao, Spratling and Gionfrida, "Softplus Attention with Re-weighting Boosts Length Extrapolation in Large
 * Language Models", arXiv:2501.13428 (the normalisation stage; the dynamic scale factor from invariance
 * entropy; no equation numbers cited, see the documented choice below):
 * <pre>
 *   w_ij = softplus(λ_i s_ij) / Σ_{j' allowed} softplus(λ_i s_ij'),   λ_i = log n_i,   O = W V
 * </pre>
 * n_i is the number of keys row i may see (mask ∧ causal), so the factor is recomputed per row under a causal
 * mask ({@link SoftplusRows}). The logits s, mask, bias, causal and scale are {@link ScoreMatrix}'s (default
 * scale 1/√d). Documented choice: the paper's body (the exact constant in the scale factor) could not be read
 * from the reference corpora, so the factor is the natural logarithm of the visible length, λ_i = ln n_i, with no
 * training-length constant; option {@code length-scale=none} sets λ_i = 1 (plain ℓ1-normalised softplus).
 * q [B, H, Nq, D], k [B, Hkv, Nk, D], v [B, Hkv, Nk, Dv] → [B, H, Nq, Dv]; inputs not modified. Weights are ≥ 0
 * and each row with an allowed key sums to 1; a fully masked row is zero. Without mask, bias or causal mask it is
 * equivariant under permutations of the queries and invariant under joint permutations of keys and values.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "lssa", name = "LSSA (Length-Scaled Softplus Attention)", family = "normalization",
    paper = "Softplus Attention with Re-weighting Boosts Length Extrapolation in Large Language Models",
    arxiv = "2501.13428", year = 2025, cost = "O(n^2)",
    options = {"length-scale=log (lambda_i = ln n_i, n_i the keys row i sees) or none (lambda_i = 1); default log"},
    symmetries = {"permutation:tokens"})
public final class LengthScaledSoftplusAttention implements AttentionMechanism {

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        boolean lengthScaled = SoftplusRows.lengthScaled(call);
        ScoreMatrix s = ScoreMatrix.of(call.q(), call.k(), call.v(), call.options(), backend, "lssa", true);
        return s.values(s.weights(plane -> SoftplusRows.normalise(plane, lengthScaled)), call.v(), backend);
    }
}

package org.attune.attention.core;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.AttentionProblem;
import org.attune.api.backend.BinaryOp;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Attention as marginal probability: the weights are the posterior over which key a query attaches to, a prior
 * over the keys times an exponential-family likelihood; with a uniform prior this is softmax attention.
 * Singh and Buckley, "Attention: Marginal Probability is All You Need?", arXiv:2304.04556 (the Bayesian
 * reading of softmax attention: α_ij = p(z_i = j | q_i, K)).
 * <pre>
 *   α_ij = π_j exp(s_ij) / Σ_{j' allowed} π_j' exp(s_ij')  =  softmax_j(s_ij + log π_j),   out_i = Σ_j α_ij v_j
 *   s_ij = scale · q_i·k_j + bias_ij       (as {@link ScaledDotProductAttention}, with mask and causal)
 * </pre>
 * q [B, H, Nq, D], k [B, Hkv, Nk, D], v [B, Hkv, Nk, Dv] → [B, H, Nq, Dv]; inputs not modified. Option
 * {@code prior}: Nk comma-separated positive weights π_j (only their ratios matter), default uniform, which is
 * exactly SDPA. The paper gives no further architecture-specific priors, so none are offered. A fully masked
 * query row gives a zero row. With the uniform prior and without mask, bias or causal mask it is equivariant
 * under permutations of the queries and invariant under joint permutations of keys and values (a non-uniform
 * prior ties weights to key positions).
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "marginal", name = "Attention as Marginal Probability", family = "core",
    paper = "Attention: Marginal Probability is All You Need?", arxiv = "2304.04556", year = 2023, cost = "O(n^2)",
    options = {"prior=Nk comma-separated positive prior weights pi_j of the keys (ratios matter); default uniform"},
    symmetries = {"permutation:tokens"})
public final class MarginalProbabilityAttention implements AttentionMechanism {
    static final String PRIOR = "prior";

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        AttentionProblem p = AttentionProblem.of(call.q(), call.k(), call.v(), call.options(), null);
        Tensor e = AttentionScores.biased(AttentionScores.dot(call.q(), call.k(), p.scale(), backend), call.options(),
            backend);
        String prior = call.param(PRIOR, null);
        if (prior != null) {
            e = backend.binary(BinaryOp.ADD, e, logPrior(prior, p.nk()).to(e.dtype()), null);
        }
        return AttentionScores.values(AttentionScores.weights(e, call.options(), backend), call.v(), backend);
    }

    /** log π_j as a [Nk] tensor, from the option's text. */
    private static Tensor logPrior(String text, int nk) {
        String[] parts = text.split(",");
        if (parts.length != nk) {
            throw new InvalidInputException("--opt " + PRIOR, "expected " + nk + " comma-separated weights (one per key),"
                + " got " + parts.length);
        }
        double[] log = new double[nk];
        for (int j = 0; j < nk; j++) {
            double w;
            try {
                w = Double.parseDouble(parts[j].trim());
            } catch (NumberFormatException ex) {
                throw new InvalidInputException("--opt " + PRIOR, "expected positive numbers, got '" + parts[j] + "'");
            }
            if (!(w > 0 && Double.isFinite(w))) {
                throw new InvalidInputException("--opt " + PRIOR, "weights must be finite and > 0, got " + w);
            }
            log[j] = Math.log(w);
        }
        return Tensor.of(log, nk);
    }
}

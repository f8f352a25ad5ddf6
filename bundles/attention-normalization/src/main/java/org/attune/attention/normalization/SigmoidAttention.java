package org.attune.attention.normalization;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Sigmoid attention: each weight is an independent sigmoid of its logit plus a scalar bias, with no
 * normalisation over the keys.
 * Ramapuram et al., "Theory, Analysis, and Best Practices for Sigmoid Self-Attention", arXiv:2409.04431 (SigmoidAttn
 * and its bias b = −log n).
 * <pre>
 *   SigmoidAttn(Q, K, V) = σ(Q Kᵀ / √d + b) V,      b = −log n   (n = Nk, the key length)
 *   w[b,h,i,j] = σ(s[b,h,i,j] + b) where allowed, else 0
 * </pre>
 * q [B, H, Nq, D], k [B, Hkv, Nk, D], v [B, Hkv, Nk, Dv] → [B, H, Nq, Dv]; inputs not modified. Logits s, mask,
 * bias, causal and scale as in {@link ScoreMatrix}. Option {@code b} overrides the default −log Nk (checked
 * against apple/ml-sigmoid-attention's README: {@code sigmoid(q @ k.T / sqrt(d) + b) @ v}, b a scalar). Rows do
 * not sum to 1. Without mask, bias or causal mask it is equivariant under permutations of the queries and
 * invariant under joint permutations of keys and values.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "sigmoid", name = "Sigmoid Attention", family = "normalization",
    paper = "Theory, Analysis, and Best Practices for Sigmoid Self-Attention", arxiv = "2409.04431", year = 2024,
    cost = "O(n^2)",
    options = {"b=scalar added to every logit before the sigmoid; default -log(Nk), Nk the key length"},
    symmetries = {"permutation:tokens"})
public final class SigmoidAttention implements AttentionMechanism {
    /** Option: the scalar logit bias. */
    static final String BIAS = "b";

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        ScoreMatrix s = ScoreMatrix.of(call.q(), call.k(), call.v(), call.options(), backend, "sigmoid", true);
        double shift = call.doubleParam(BIAS, -Math.log(s.problem().nk()));
        Tensor w = s.weights(plane -> {
            for (double[] row : plane) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = row[j] == Double.NEGATIVE_INFINITY ? 0 : 1 / (1 + Math.exp(-(row[j] + shift)));
                }
            }
        });
        return s.values(w, call.v(), backend);
    }
}

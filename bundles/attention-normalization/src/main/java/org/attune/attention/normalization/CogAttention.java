package org.attune.attention.normalization;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Cog attention: signed weights, the softmax of the logits' magnitudes carrying the logits' signs.
 * Lv et al., "More Expressive Attention with Negative Weights", arXiv:2411.07176 (Cog attention).
 * <pre>
 *   P = Q Kᵀ / √d,    W = sign(P) ⊙ softmax_row(|P|),    O = W V
 *   w[b,h,i,j] = sign(s_ij) · exp(|s_ij| − m_i) / Σ_{j' allowed} exp(|s_ij'| − m_i),   m_i = max_{j allowed} |s_ij|
 * </pre>
 * q [B, H, Nq, D], k [B, Hkv, Nk, D], v [B, Hkv, Nk, Dv] → [B, H, Nq, Dv]; inputs not modified. Logits s, mask,
 * bias, causal and scale as in {@link ScoreMatrix}; masked positions are −∞ inside the softmax, so their weight is
 * exactly 0 and a fully masked row is zero. Σ_j |w_ij| = 1. When every allowed logit is ≥ 0 it is softmax
 * attention; negating k_j flips the sign of column j only. Without mask, bias or causal mask it is equivariant
 * under permutations of the queries and invariant under joint permutations of keys and values.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "cog", name = "Cog Attention", family = "normalization",
    paper = "More Expressive Attention with Negative Weights", arxiv = "2411.07176", year = 2024, cost = "O(n^2)",
    symmetries = {"permutation:tokens"})
public final class CogAttention implements AttentionMechanism {

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        ScoreMatrix s = ScoreMatrix.of(call.q(), call.k(), call.v(), call.options(), backend, "cog", true);
        Tensor w = s.weights(plane -> {
            double[][] sign = new double[plane.length][];
            for (int i = 0; i < plane.length; i++) {
                sign[i] = new double[plane[i].length];
                for (int j = 0; j < plane[i].length; j++) {
                    double x = plane[i][j];
                    sign[i][j] = Math.signum(x);
                    plane[i][j] = x == Double.NEGATIVE_INFINITY ? x : Math.abs(x);
                }
            }
            PlaneSoftmax.rows(plane);
            for (int i = 0; i < plane.length; i++) {
                for (int j = 0; j < plane[i].length; j++) {
                    plane[i][j] *= sign[i][j];
                }
            }
        });
        return s.values(w, call.v(), backend);
    }
}

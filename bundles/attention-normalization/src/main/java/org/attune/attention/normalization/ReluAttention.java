package org.attune.attention.normalization;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * ReLU attention: softmax replaced by a ReLU divided by the sequence length.
 * Wortsman et al., "Replacing softmax with ReLU in Vision Transformers", arXiv:2309.08586 (ReLU divided by the sequence length L).
 * <pre>
 *   w[b,h,i,j] = relu(s[b,h,i,j]) / Nk   where allowed, else 0;    out = w V
 * </pre>
 * q [B, H, Nq, D], k [B, Hkv, Nk, D], v [B, Hkv, Nk, Dv] → [B, H, Nq, Dv]; inputs not modified. Logits s, mask,
 * bias, causal and scale as in {@link ScoreMatrix}; the divisor is the key length Nk whatever the mask. Rows do
 * not sum to 1. Without mask, bias or causal mask it is equivariant under permutations of the queries and
 * invariant under joint permutations of keys and values.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "relu", name = "ReLU Attention", family = "normalization",
    paper = "Replacing softmax with ReLU in Vision Transformers", arxiv = "2309.08586", year = 2023, cost = "O(n^2)",
    symmetries = {"permutation:tokens"})
public final class ReluAttention implements AttentionMechanism {

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        ScoreMatrix s = ScoreMatrix.of(call.q(), call.k(), call.v(), call.options(), backend, "relu", true);
        int n = s.problem().nk();
        Tensor w = s.weights(plane -> {
            for (double[] row : plane) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = Math.max(row[j], 0) / n;
                }
            }
        });
        return s.values(w, call.v(), backend);
    }
}

package org.attune.attention.normalization;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * ReLU² attention, Mega's {@code relu2} attention function (after FLASH's squared ReLU).
 * Ma et al., "Mega: Moving Average Equipped Gated Attention", arXiv:2209.10655 (the relu² attention function);
 * Hua et al., "Transformer Quality in Linear Time", arXiv:2202.10447 (squared-ReLU attention of GAU).
 * <pre>
 *   w[b,h,i,j] = relu( s[b,h,i,j] / Nk )²   where allowed, else 0;    out = w V
 * </pre>
 * q [B, H, Nq, D], k [B, Hkv, Nk, D], v [B, Hkv, Nk, Dv] → [B, H, Nq, Dv]; inputs not modified. Logits s, mask,
 * bias, causal and scale as in {@link ScoreMatrix}. The logit is divided by the key length Nk before the squared
 * ReLU, as in the reference code ({@code qk = bmm(q, kᵀ) / lengths + bias; relu2(qk)}, facebookresearch/mega as
 * ported to huggingface/transformers); there Mega's relative-position bias is added after the division, while
 * here the options' bias is part of s and is divided too (pass Nk·bias for Mega's form). Rows do not sum to 1.
 * Without mask, bias or causal mask it is equivariant under permutations of the queries and invariant under
 * joint permutations of keys and values.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "relu2", name = "ReLU² Attention", family = "normalization",
    paper = "Mega: Moving Average Equipped Gated Attention", arxiv = "2209.10655", year = 2022, cost = "O(n^2)",
    symmetries = {"permutation:tokens"})
public final class ReluSquaredAttention implements AttentionMechanism {

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        ScoreMatrix s = ScoreMatrix.of(call.q(), call.k(), call.v(), call.options(), backend, "relu2", true);
        int n = s.problem().nk();
        Tensor w = s.weights(plane -> {
            for (double[] row : plane) {
                for (int j = 0; j < row.length; j++) {
                    double x = Math.max(row[j] / n, 0);
                    row[j] = x * x;
                }
            }
        });
        return s.values(w, call.v(), backend);
    }
}

package org.attune.positional.bias;

import org.attune.api.backend.ComputeBackend;
import org.attune.api.position.EncodingForm;
import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.PositionalEncodingMethod;
import org.attune.api.position.PositionalResult;
import org.attune.api.position.SymmetryCertificate;
import org.osgi.service.component.annotations.Component;

/**
 * ALiBi: attention with linear biases, a head-specific penalty proportional to the distance, no position
 * embedding. Press et al., "Train Short, Test Long: Attention with Linear Biases Enables Input Length
 * Extrapolation", arXiv:2108.12409, §3; slopes as {@link AlibiSlopes}.
 * <pre>
 *   causal:     b[h, i, j] = −mₕ · (pᵢ − pⱼ)      (entries j &gt; i are removed by the causal mask)
 *   symmetric:  b[h, i, j] = −mₕ · |pᵢ − pⱼ|      (non-causal, the bidirectional form)
 * </pre>
 * Bias [H, Nq, Nk] float64; the call's causal flag picks the form. In the causal form the bias is linear in the
 * positions, rank 2 per head (the property FlashBias uses).
 */
@Component(service = PositionalEncoding.class)
@PositionalEncodingMethod(id = "alibi", name = "ALiBi", family = "bias",
    paper = "Train Short, Test Long: Attention with Linear Biases Enables Input Length Extrapolation",
    arxiv = "2108.12409", year = 2021, cost = "O(n^2)",
    symmetries = {SymmetryCertificate.RELATIVE, SymmetryCertificate.SYMMETRIC})
public final class Alibi implements PositionalEncoding {

    @Override
    public EncodingForm form() {
        return EncodingForm.BIAS;
    }

    @Override
    public PositionalResult encode(PositionalCall call, ComputeBackend backend) {
        int heads = call.q() != null ? call.q().dim(1) : call.heads();
        double[] m = AlibiSlopes.of(heads);
        boolean causal = call.causal();
        return PositionalResult.bias(BiasTables.of(call,
            (h, i, j) -> -m[h] * (causal ? (double) (i - j) : (double) Math.abs(i - j))));
    }
}

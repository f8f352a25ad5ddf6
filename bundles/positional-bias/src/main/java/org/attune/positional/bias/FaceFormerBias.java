package org.attune.positional.bias;

import org.attune.api.backend.ComputeBackend;
import org.attune.api.position.EncodingForm;
import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.PositionalEncodingMethod;
import org.attune.api.position.PositionalResult;
import org.attune.api.position.SymmetryCertificate;
import org.attune.api.tensor.InvalidInputException;
import org.osgi.service.component.annotations.Component;

/**
 * FaceFormer's temporal bias for causal self-attention: an ALiBi-like penalty that steps once per period.
 * Fan et al., "FaceFormer: Speech-Driven 3D Facial Animation with Transformers", arXiv:2112.05329, eq. (6);
 * transcribed from the reference code {@code init_biased_mask} (EvelynFan/FaceFormer), with the ALiBi slopes.
 * <pre>
 *   b[h, i, j] = −mₕ · ⌊(pᵢ − pⱼ) / p⌋   for j ≤ i,   0 for j &gt; i (the reference's −∞ there is the causal mask)
 * </pre>
 * Bias [H, Nq, Nk] float64; use it with causal attention ({@code attention:run --causal}). Option {@code period}
 * p (default 25). With p = 1 it is causal ALiBi.
 */
@Component(service = PositionalEncoding.class)
@PositionalEncodingMethod(id = "faceformer-bias", name = "FaceFormer biased causal attention", family = "bias",
    paper = "FaceFormer: Speech-Driven 3D Facial Animation with Transformers", arxiv = "2112.05329", year = 2022,
    cost = "O(n^2)", options = "period=p: the bias steps every p frames; default 25",
    symmetries = SymmetryCertificate.RELATIVE)
public final class FaceFormerBias implements PositionalEncoding {

    @Override
    public EncodingForm form() {
        return EncodingForm.BIAS;
    }

    @Override
    public PositionalResult encode(PositionalCall call, ComputeBackend backend) {
        int period = call.intParam("period", 25);
        if (period < 1) {
            throw new InvalidInputException(PositionalCall.option("period"), "expected an integer >= 1, got " + period);
        }
        double[] m = AlibiSlopes.of(call.q() != null ? call.q().dim(1) : call.heads());
        return PositionalResult.bias(BiasTables.of(call,
            (h, i, j) -> j > i ? 0 : -m[h] * Math.floorDiv(i - j, (long) period)));
    }
}

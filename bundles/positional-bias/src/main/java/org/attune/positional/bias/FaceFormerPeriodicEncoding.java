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
 * FaceFormer's periodic positional encoding: the sinusoidal encoding of the position modulo a period p, so that
 * long sequences repeat positions seen in training. Fan et al., "FaceFormer: Speech-Driven 3D Facial Animation
 * with Transformers", arXiv:2112.05329, eq. (5); reference code {@code PeriodicPositionalEncoding}
 * (EvelynFan/FaceFormer): a sinusoidal table of p rows, sin at even and cos at odd channels, repeated.
 * <pre>
 *   PPE(t, 2i) = sin((t mod p) / 10000^(2i/E)),   PPE(t, 2i+1) = cos((t mod p) / 10000^(2i/E))
 * </pre>
 * q [B, H, Nq, D], k [B, Hkv, Nk, D], even embedding widths → q + PPE, k + PPE. Option {@code period} p
 * (default 25, the reference code's default).
 */
@Component(service = PositionalEncoding.class)
@PositionalEncodingMethod(id = "faceformer-ppe", name = "FaceFormer periodic positional encoding", family = "absolute",
    paper = "FaceFormer: Speech-Driven 3D Facial Animation with Transformers", arxiv = "2112.05329", year = 2022,
    options = "period=p: positions repeat every p; default 25",
    symmetries = SymmetryCertificate.PERIODIC + "(period=25)")
public final class FaceFormerPeriodicEncoding implements PositionalEncoding {

    @Override
    public EncodingForm form() {
        return EncodingForm.ABSOLUTE;
    }

    @Override
    public PositionalResult encode(PositionalCall call, ComputeBackend backend) {
        Embeddings.requireTokens(call.q(), call.k());
        Embeddings.requireWidth(call.q(), call.k(), 2);
        int period = call.intParam("period", 25);
        if (period < 1) {
            throw new InvalidInputException(PositionalCall.option("period"), "expected an integer >= 1, got " + period);
        }
        Embeddings.Table ppe = (p, c, w) -> Sinusoids.interleaved(Math.floorMod(p, period), c, w, 10000);
        return PositionalResult.tokens(Embeddings.add(call.q(), call.queryOffset(), ppe),
            Embeddings.add(call.k(), call.keyOffset(), ppe));
    }
}

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
 * Sinusoidal absolute position encoding, added to the token embeddings.
 * Vaswani et al., "Attention Is All You Need", arXiv:1706.03762, §3.5.
 * <pre>
 *   PE(p, 2i) = sin(p / base^(2i/E)),   PE(p, 2i+1) = cos(p / base^(2i/E))
 *   PE(p + k) = M(k) PE(p),  M(k) = ⊕ᵢ rotation by k·base^(−2i/E)     (the linear-offset property)
 * </pre>
 * q [B, H, Nq, D], k [B, Hkv, Nk, D] with embedding widths E = H·D (even) → q + PE, k + PE (see
 * {@link Embeddings}); query i at {@code queryOffset + i}, key j at {@code keyOffset + j}. Option {@code base}
 * (default 10000).
 */
@Component(service = PositionalEncoding.class)
@PositionalEncodingMethod(id = "sinusoidal", name = "Sinusoidal positional encoding", family = "absolute",
    paper = "Attention Is All You Need", arxiv = "1706.03762", year = 2017,
    options = "base=wavelength base; PE(p, 2i) = sin(p / base^(2i/E)); default 10000",
    symmetries = SymmetryCertificate.LINEAR)
public final class SinusoidalPositionEncoding implements PositionalEncoding {

    @Override
    public EncodingForm form() {
        return EncodingForm.ABSOLUTE;
    }

    @Override
    public PositionalResult encode(PositionalCall call, ComputeBackend backend) {
        Embeddings.requireTokens(call.q(), call.k());
        Embeddings.requireWidth(call.q(), call.k(), 2);
        double base = call.doubleParam("base", 10000);
        Embeddings.Table pe = (p, c, w) -> Sinusoids.interleaved(p, c, w, base);
        return PositionalResult.tokens(Embeddings.add(call.q(), call.queryOffset(), pe),
            Embeddings.add(call.k(), call.keyOffset(), pe));
    }
}

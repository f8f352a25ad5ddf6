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
 * No positional encoding, as a first-class choice: q and k pass unchanged, so order reaches attention only
 * through a causal mask. Kazemnejad et al., "The Impact of Positional Encoding on Length Generalization in
 * Transformers", arXiv:2305.19466.
 * <pre>
 *   q' = q,  k' = k
 * </pre>
 * q [B, H, Nq, D], k [B, Hkv, Nk, D] → copies of q and k.
 */
@Component(service = PositionalEncoding.class)
@PositionalEncodingMethod(id = "nope", name = "NoPE", family = "absolute",
    paper = "The Impact of Positional Encoding on Length Generalization in Transformers", arxiv = "2305.19466",
    year = 2023, symmetries = SymmetryCertificate.IDENTITY)
public final class NoPositionEncoding implements PositionalEncoding {

    @Override
    public EncodingForm form() {
        return EncodingForm.ABSOLUTE;
    }

    @Override
    public PositionalResult encode(PositionalCall call, ComputeBackend backend) {
        Embeddings.requireTokens(call.q(), call.k());
        return PositionalResult.tokens(call.q().copy(), call.k().copy());
    }
}

package org.attune.api.position;

import org.attune.api.backend.ComputeBackend;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A positional encoding, registered as an OSGi service with the {@link PositionalEncodingMethod} properties.
 *
 * <p><b>Contract by form</b> ({@link #form()}):
 * <ul>
 * <li>{@link EncodingForm#ABSOLUTE}, {@link EncodingForm#ROTARY}, {@link EncodingForm#CONDITIONAL}: read
 * {@code q} [B, H, Nq, D] and {@code k} [B, Hkv, Nk, D] of the call and return new q' and k' of the same shapes
 * and element type, with a null bias. They may add a value transform and an output transform (since 2.1,
 * {@link PositionalResult}), which the composer applies to v before and to the attention output after
 * attention.</li>
 * <li>{@link EncodingForm#BIAS}: return a null q and k and a bias broadcastable to [B, H, Nq, Nk], added to the
 * scaled logits: [H, Nq, Nk] (float64) from {@code heads, nq, nk} when it depends on positions only; when it
 * reads the content, [B, H, Nq, Nk] with q's element type, and a call without q and k is an
 * {@link org.attune.api.tensor.InvalidInputException} naming {@code q}.</li>
 * </ul>
 * Implementations are stateless with respect to calls, do not modify their inputs, reject bad input with
 * {@link org.attune.api.tensor.InvalidInputException} naming the argument, and publish their symmetry claims
 * in {@link PositionalEncodingMethod#symmetries()} in the vocabulary of {@link SymmetryCertificate}, which
 * checks them. Clients call through the registry
 * ({@link org.attune.api.registry.MethodRegistry#positionalEncoding(String)}).
 */
@ConsumerType
public interface PositionalEncoding {

    /** How this encoding enters attention. */
    EncodingForm form();

    /**
     * Encodes.
     *
     * @param call    inputs, positions and method parameters
     * @param backend where to compute
     * @return the encoded q and k, or the logit bias, as {@link #form()} says
     */
    PositionalResult encode(PositionalCall call, ComputeBackend backend);
}

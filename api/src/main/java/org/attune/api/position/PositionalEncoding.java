package org.attune.api.position;

import org.attune.api.backend.ComputeBackend;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A positional encoding, registered with {@link PositionalEncodingMethod} properties plus
 * {@link #FORM} (a {@link EncodingForm} name).
 */
@ConsumerType
public interface PositionalEncoding {
    /** Service property (String): the {@link EncodingForm} name. */
    String FORM = "attune.pe.form";

    /** Encodes; see {@link PositionalCall} for which inputs each form reads. */
    PositionalResult encode(PositionalCall call, ComputeBackend backend);
}

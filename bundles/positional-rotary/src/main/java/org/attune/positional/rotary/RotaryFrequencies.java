package org.attune.positional.rotary;

import org.attune.api.backend.ComputeBackend;
import org.attune.api.position.EncodingForm;
import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.PositionalResult;

/**
 * What every RoPE variant that differs only in its frequency table shares: it rotates q and k with
 * {@link RotaryTables#apply} using the table that {@link #tables} builds for head dimension d.
 */
abstract class RotaryFrequencies implements PositionalEncoding {

    @Override
    public final EncodingForm form() {
        return EncodingForm.ROTARY;
    }

    @Override
    public final PositionalResult encode(PositionalCall call, ComputeBackend backend) {
        TokenVectors.requireDims(call.q(), call.k(), 2);
        return tables(call, call.q().dim(3)).apply(call);
    }

    /** The rotation table of this variant for head dimension {@code d}. */
    abstract RotaryTables tables(PositionalCall call, int d);
}

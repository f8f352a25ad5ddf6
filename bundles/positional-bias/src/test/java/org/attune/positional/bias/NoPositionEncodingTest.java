package org.attune.positional.bias;

import java.util.List;

import org.attune.api.position.EncodingForm;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.SymmetryCertificate;

/** NoPE's whole behaviour is its claim: the identity certificate compares the result with the input. */
class NoPositionEncodingTest extends EncodingContract {

    @Override
    PositionalEncoding method() {
        return new NoPositionEncoding();
    }

    @Override
    EncodingForm form() {
        return EncodingForm.ABSOLUTE;
    }

    @Override
    List<String> claims() {
        return List.of(SymmetryCertificate.IDENTITY);
    }
}

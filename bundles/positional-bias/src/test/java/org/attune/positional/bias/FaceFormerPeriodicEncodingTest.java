package org.attune.positional.bias;

import java.util.List;
import java.util.Map;

import org.attune.api.position.EncodingForm;
import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.SymmetryCertificate;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;

class FaceFormerPeriodicEncodingTest extends EncodingContract {

    @Override
    PositionalEncoding method() {
        return new FaceFormerPeriodicEncoding();
    }

    @Override
    EncodingForm form() {
        return EncodingForm.ABSOLUTE;
    }

    @Override
    List<String> claims() {
        return List.of(SymmetryCertificate.PERIODIC + "(period=25)");
    }

    @Test
    void equalsSinusoidalInsideThePeriodAndRepeatsAfterIt() {
        Tensor zeros = Tensor.zeros(DType.FLOAT64, 1, 2, 30, 8);
        PositionalCall call = PositionalCall.tokens(zeros, zeros).withParams(Map.of("period", "30"));
        Tensor ppe = method().encode(call, Fixtures.BACKEND).q();
        Fixtures.assertSame("t < p", new SinusoidalPositionEncoding().encode(call, Fixtures.BACKEND).q(), ppe, 0);
        Fixtures.assertSame("t + 3p", ppe, method().encode(call.withOffsets(90, 90), Fixtures.BACKEND).q(), 0);
    }
}

package org.attune.positional.rotary;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;

class DynamicNtkScalingTest extends ScalingContract {

    @Override
    PositionalEncoding method() {
        return new DynamicNtkScaling();
    }

    /** No shift symmetry is claimed: the table changes with the length. */
    @Override
    List<String> claims() {
        return List.of();
    }

    /** Factor 1 and a trained context longer than any position: plain RoPE. */
    @Override
    Map<String, String> identityParams() {
        return Map.of("factor", "1", "original-max-positions", "100000");
    }

    @Override
    Map<String, String> scaledParams() {
        return Map.of("factor", "2", "original-max-positions", "1000");
    }

    /** L = max(3000 + 33, 5 + 40) = 3033 > L0 = 1000: base' = base·(s·L/L0 − (s − 1))^(d/(d−2)). */
    @Override
    double[] expectedTheta(int d) {
        return Float64Rotary.theta(d, 10000 * Math.pow(2.0 * 3033 / 1000 - 1, d / (d - 2.0)));
    }

    @Test
    void shortInputsSeePlainRopeEvenWhenScaled() {
        Fixtures f = new Fixtures(22);
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 10, 16);
        PositionalCall call = PositionalCall.tokens(q, q).withOffsets(90, 90);
        Tensor plain = new RotaryPositionEmbedding().encode(call, Fixtures.BACKEND).q();
        Tensor scaled = method().encode(call.withParams(Map.of("factor", "4", "original-max-positions", "100")),
            Fixtures.BACKEND).q();
        Fixtures.assertSame("L = 100 = L0", plain, scaled, 0);
        Tensor longer = method().encode(call.withOffsets(91, 91).withParams(Map.of("factor", "4",
            "original-max-positions", "100")), Fixtures.BACKEND).q();
        Tensor plainLonger = new RotaryPositionEmbedding().encode(call.withOffsets(91, 91), Fixtures.BACKEND).q();
        double diff = 0;
        for (int i = 0; i < longer.size(); i++) {
            diff = Math.max(diff, Math.abs(longer.getFlat(i) - plainLonger.getFlat(i)));
        }
        assertTrue(diff > 1e-3, "L = 101 > L0 must change the table, diff " + diff);
    }
}

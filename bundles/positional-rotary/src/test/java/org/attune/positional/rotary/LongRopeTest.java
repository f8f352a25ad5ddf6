package org.attune.positional.rotary;

import static org.attune.positional.rotary.Fixtures.assertArgument;

import java.util.Map;
import java.util.StringJoiner;

import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;

class LongRopeTest extends ScalingContract {

    @Override
    PositionalEncoding method() {
        return new LongRope();
    }

    @Override
    Map<String, String> identityParams() {
        return Map.of();
    }

    @Override
    Map<String, String> scaledParams() {
        return Map.of("factor", "32", "long-factor", rescale(32), "short-factor", "3", "original-max-positions", "4096");
    }

    /** λᵢ = 1 + i/8 from the long set (s &gt; 1): θ'ᵢ = θᵢ/λᵢ. */
    @Override
    double[] expectedTheta(int d) {
        double[] t = Float64Rotary.theta(d, 10000);
        for (int i = 0; i < t.length; i++) {
            t[i] = t[i] / (1 + i / 8.0);
        }
        return t;
    }

    /** a = √(1 + ln 32 / ln 4096). */
    @Override
    double expectedAttentionFactor() {
        return Math.sqrt(1 + Math.log(32) / Math.log(4096));
    }

    @Test
    void rejectsARescaleListOfTheWrongLength() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 1, 4, 8);
        assertArgument("--pe-option long-factor", () -> method().encode(PositionalCall.tokens(x, x)
            .withParams(Map.of("factor", "2", "long-factor", "1,2,3")), Fixtures.BACKEND));
    }

    private static String rescale(int m) {
        StringJoiner j = new StringJoiner(",");
        for (int i = 0; i < m; i++) {
            j.add(Double.toString(1 + i / 8.0));
        }
        return j.toString();
    }
}

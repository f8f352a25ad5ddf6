package org.attune.positional.rotary;

import java.util.Map;

import org.attune.api.position.PositionalEncoding;

class NtkAwareScalingTest extends ScalingContract {

    @Override
    PositionalEncoding method() {
        return new NtkAwareScaling();
    }

    @Override
    Map<String, String> identityParams() {
        return Map.of("factor", "1");
    }

    @Override
    Map<String, String> scaledParams() {
        return Map.of("factor", "8", "base", "5000");
    }

    /** base' = base · s^(d/(d−2)). */
    @Override
    double[] expectedTheta(int d) {
        return Float64Rotary.theta(d, 5000 * Math.pow(8, d / (d - 2.0)));
    }
}

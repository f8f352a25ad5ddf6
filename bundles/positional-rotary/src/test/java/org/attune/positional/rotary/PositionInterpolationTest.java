package org.attune.positional.rotary;

import java.util.Map;

import org.attune.api.position.PositionalEncoding;

class PositionInterpolationTest extends ScalingContract {

    @Override
    PositionalEncoding method() {
        return new PositionInterpolation();
    }

    @Override
    Map<String, String> identityParams() {
        return Map.of("factor", "1");
    }

    @Override
    Map<String, String> scaledParams() {
        return Map.of("factor", "4");
    }

    /** Chen et al. eq. (4): f'(x, m) = f(x, m/s), i.e. θ/s. */
    @Override
    double[] expectedTheta(int d) {
        double[] t = Float64Rotary.theta(d, 10000);
        for (int i = 0; i < t.length; i++) {
            t[i] = t[i] / 4;
        }
        return t;
    }
}

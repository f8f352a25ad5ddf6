package org.attune.positional.rotary;

import java.util.Map;

import org.attune.api.position.PositionalEncoding;

class YarnTest extends ScalingContract {

    @Override
    PositionalEncoding method() {
        return new Yarn();
    }

    @Override
    Map<String, String> identityParams() {
        return Map.of("factor", "1");
    }

    @Override
    Map<String, String> scaledParams() {
        return Map.of("factor", "16", "original-max-positions", "4096");
    }

    /**
     * HF {@code _compute_yarn_parameters} at d = 64, base 10⁴, L0 = 4096, β = (32, 1), s = 16:
     * c(r) = 64·ln(4096/(2πr))/(2 ln 10⁴); lo = ⌊c(32)⌋, hi = ⌈c(1)⌉; γᵢ ramps from lo to hi.
     */
    @Override
    double[] expectedTheta(int d) {
        double lo = Math.floor(d * Math.log(4096 / (32 * 2 * Math.PI)) / (2 * Math.log(10000)));
        double hi = Math.ceil(d * Math.log(4096 / (1 * 2 * Math.PI)) / (2 * Math.log(10000)));
        double[] t = Float64Rotary.theta(d, 10000);
        for (int i = 0; i < t.length; i++) {
            double ramp = i <= lo ? 0 : i >= hi ? 1 : (i - lo) / (hi - lo);
            t[i] = ramp * t[i] / 16 + (1 - ramp) * t[i];
        }
        return t;
    }

    @Override
    double expectedAttentionFactor() {
        return 1 + 0.1 * Math.log(16);
    }
}

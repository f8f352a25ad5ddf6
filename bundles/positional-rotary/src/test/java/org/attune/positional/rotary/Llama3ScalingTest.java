package org.attune.positional.rotary;

import java.util.Map;

import org.attune.api.position.PositionalEncoding;

class Llama3ScalingTest extends ScalingContract {

    @Override
    PositionalEncoding method() {
        return new Llama3Scaling();
    }

    @Override
    Map<String, String> identityParams() {
        return Map.of("factor", "1");
    }

    /** The released Llama 3.1 setting with base 500000. */
    @Override
    Map<String, String> scaledParams() {
        return Map.of("base", "500000");
    }

    /** HF {@code _compute_llama3_parameters}: s = 8, l = 1, h = 4, L0 = 8192. */
    @Override
    double[] expectedTheta(int d) {
        double[] t = Float64Rotary.theta(d, 500000);
        for (int i = 0; i < t.length; i++) {
            double wavelength = 2 * Math.PI / t[i];
            if (wavelength > 8192) {
                t[i] = t[i] / 8;
            } else if (wavelength >= 2048) {
                double smooth = (8192 / wavelength - 1) / 3;
                t[i] = (1 - smooth) * t[i] / 8 + smooth * t[i];
            }
        }
        return t;
    }
}

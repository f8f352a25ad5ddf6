package org.attune.positional.bias;

/**
 * Sinusoidal encodings of a scalar coordinate x in width w, in the two layouts the papers use:
 * <pre>
 *   interleaved (Vaswani et al. §3.5):       PE[2i] = sin(x·ωᵢ),  PE[2i+1] = cos(x·ωᵢ),  ωᵢ = base^(−2i/w)
 *   concatenated (MAE, Transformer-XL):     PE[i] = sin(x·ωᵢ),   PE[w/2 + i] = cos(x·ωᵢ)
 * </pre>
 */
final class Sinusoids {
    private Sinusoids() {
    }

    /** Channel c of the interleaved encoding of x in width w. */
    static double interleaved(double x, int c, int w, double base) {
        double angle = x * Math.pow(base, -2.0 * (c / 2) / w);
        return c % 2 == 0 ? Math.sin(angle) : Math.cos(angle);
    }

    /** Channel c of the concatenated encoding of x in width w (even). */
    static double concatenated(double x, int c, int w, double base) {
        int half = w / 2;
        double angle = x * Math.pow(base, -2.0 * (c % half) / w);
        return c < half ? Math.sin(angle) : Math.cos(angle);
    }
}

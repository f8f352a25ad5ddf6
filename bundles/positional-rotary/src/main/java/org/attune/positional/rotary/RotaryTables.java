package org.attune.positional.rotary;

import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalResult;
import org.attune.api.tensor.InvalidInputException;

/**
 * The frequencies of a rotary encoding and how a token vector is rotated by them:
 * <pre>
 *   θᵢ = base^(−2i/d),  i = 0 … d/2 − 1                    (RoFormer eq. 15; scaled variants replace θ)
 *   (x'ₐ, x'ᵦ) = a · (xₐ cos pθᵢ − xᵦ sin pθᵢ,  xᵦ cos pθᵢ + xₐ sin pθᵢ)   for pair i = (a, b) of the convention
 * </pre>
 * with a the attention factor (1 except YaRN and LongRoPE, which scale cos and sin as HF transformers does).
 *
 * @param inverseFrequencies θᵢ, one per pair
 * @param attentionFactor    a, multiplies cos and sin
 */
record RotaryTables(double[] inverseFrequencies, double attentionFactor) {

    /** RoPE's θᵢ = base^(−2i/d) for a rotated block of d channels. */
    static double[] standard(int d, double base) {
        double[] inv = new double[d / 2];
        for (int i = 0; i < inv.length; i++) {
            inv[i] = 1.0 / Math.pow(base, 2.0 * i / d);
        }
        return inv;
    }

    /** The {@code base} parameter (default 10000), which must be > 1. */
    static double base(PositionalCall call) {
        double base = call.doubleParam("base", 10000);
        if (base <= 1) {
            throw new InvalidInputException("--base", "expected a number > 1, got " + base);
        }
        return base;
    }

    /** The {@code factor} parameter (default {@code dflt}), which must be ≥ 1. */
    static double factor(PositionalCall call, double dflt) {
        double f = call.doubleParam("factor", dflt);
        if (f < 1) {
            throw new InvalidInputException(PositionalCall.option("factor"), "expected a number >= 1, got " + f);
        }
        return f;
    }

    /** Rotates the 2m channels from {@code from} of {@code v} in place for position p; m = θ's length. */
    void rotate(double[] v, int from, double p, RotaryConvention c) {
        int m = inverseFrequencies.length;
        for (int i = 0; i < m; i++) {
            double angle = p * inverseFrequencies[i];
            double cos = Math.cos(angle) * attentionFactor, sin = Math.sin(angle) * attentionFactor;
            int a = c.first(from, m, i), b = c.second(from, m, i);
            double xa = v[a], xb = v[b];
            v[a] = xa * cos - xb * sin;
            v[b] = xb * cos + xa * sin;
        }
    }

    /** q and k of the call rotated over their whole head dimension, at their positions, in the call's convention. */
    PositionalResult apply(PositionalCall call) {
        RotaryConvention c = RotaryConvention.of(call);
        return PositionalResult.tokens(
            TokenVectors.map(call.q(), call.queryOffset(), (v, p) -> rotate(v, 0, p, c)),
            TokenVectors.map(call.k(), call.keyOffset(), (v, p) -> rotate(v, 0, p, c)));
    }
}

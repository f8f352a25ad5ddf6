package org.attune.positional.rotary;

import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.PositionalEncodingMethod;
import org.attune.api.position.SymmetryCertificate;
import org.osgi.service.component.annotations.Component;

/**
 * YaRN: "NTK-by-parts" interpolation (frequencies that turn many times over the trained context are kept,
 * those that turn less than once are divided by s, a linear ramp between) plus an attention temperature applied
 * by scaling cos and sin. Peng et al., "YaRN: Efficient Context Window Extension of Large Language Models",
 * arXiv:2309.00071, eqs. (17)–(22); transcribed from HF transformers {@code _compute_yarn_parameters}.
 * <pre>
 *   c(r) = D · ln(L0 / (2π r)) / (2 ln base),  lo = max(⌊c(β_fast)⌋, 0),  hi = min(⌈c(β_slow)⌉, D − 1)
 *   γᵢ = clamp((i − lo)/(hi − lo), 0, 1)                                       (hi += 0.001 when hi = lo)
 *   θ'ᵢ = (θᵢ/s)·γᵢ + θᵢ·(1 − γᵢ),   attention factor a = 0.1·ln s + 1
 * </pre>
 * q [B, H, Nq, D], k [B, Hkv, Nk, D], D even → q', k'; logits scale by a². Options: {@code factor} s (default 1:
 * plain RoPE), {@code original-max-positions} L0 (2048), {@code beta-fast} (32), {@code beta-slow} (1),
 * {@code attention-factor} (a), {@code base}, {@code convention}.
 */
@Component(service = PositionalEncoding.class)
@PositionalEncodingMethod(id = "rope-yarn", name = "YaRN", family = "rotary",
    paper = "YaRN: Efficient Context Window Extension of Large Language Models", arxiv = "2309.00071", year = 2023,
    options = {"factor=context extension factor s >= 1; default 1", "original-max-positions=trained context length L0; default 2048", "beta-fast=rotations above which a frequency is kept; default 32", "beta-slow=rotations below which a frequency is interpolated; default 1", "attention-factor=multiplies cos and sin; default 0.1*ln(s)+1", "base=rotary base; default 10000", "convention=half (default) or interleaved"},
    symmetries = {SymmetryCertificate.RELATIVE})
public final class Yarn extends RotaryFrequencies {

    /** NTK-by-parts frequencies and the attention factor. */
    @Override
    RotaryTables tables(PositionalCall call, int d) {
        double s = RotaryTables.factor(call, 1);
        double base = RotaryTables.base(call);
        double original = call.intParam("original-max-positions", 2048);
        double fast = call.doubleParam("beta-fast", 32), slow = call.doubleParam("beta-slow", 1);
        double lo = Math.max(Math.floor(correctionDim(fast, d, base, original)), 0);
        double hi = Math.min(Math.ceil(correctionDim(slow, d, base, original)), d - 1);
        if (hi == lo) {
            hi += 0.001;
        }
        double[] inv = RotaryTables.standard(d, base);
        for (int i = 0; i < inv.length; i++) {
            double ramp = Math.min(1, Math.max(0, (i - lo) / (hi - lo)));
            inv[i] = inv[i] / s * ramp + inv[i] * (1 - ramp);
        }
        return new RotaryTables(inv, call.doubleParam("attention-factor", 0.1 * Math.log(s) + 1));
    }

    /** The pair index whose frequency turns r times over L0 positions. */
    private static double correctionDim(double r, int d, double base, double original) {
        return d * Math.log(original / (r * 2 * Math.PI)) / (2 * Math.log(base));
    }
}

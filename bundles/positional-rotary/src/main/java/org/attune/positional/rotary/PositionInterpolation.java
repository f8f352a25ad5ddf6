package org.attune.positional.rotary;

import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.PositionalEncodingMethod;
import org.attune.api.position.SymmetryCertificate;
import org.osgi.service.component.annotations.Component;

/**
 * RoPE with linear position interpolation: positions are divided by the extension factor s, i.e. θᵢ/s.
 * Chen et al., "Extending Context Window of Large Language Models via Positional Interpolation",
 * arXiv:2306.15595, eq. (4); frequencies as HF transformers {@code _compute_linear_scaling_rope_parameters}.
 * <pre>
 *   f'(x, m) = f(x, m/s),  θ'ᵢ = θᵢ / s
 * </pre>
 * q [B, H, Nq, D], k [B, Hkv, Nk, D], D even → q', k'. Options: {@code factor} s (default 1: plain RoPE),
 * {@code base}, {@code convention} as {@link RotaryPositionEmbedding}.
 */
@Component(service = PositionalEncoding.class)
@PositionalEncodingMethod(id = "rope-linear", name = "Position Interpolation", family = "rotary",
    paper = "Extending Context Window of Large Language Models via Positional Interpolation", arxiv = "2306.15595", year = 2023,
    options = {"factor=context extension factor s >= 1; positions are divided by s; default 1", "base=rotary base; default 10000", "convention=half (default) or interleaved"},
    symmetries = {SymmetryCertificate.RELATIVE})
public final class PositionInterpolation extends RotaryFrequencies {

    /** θᵢ / s. */
    @Override
    RotaryTables tables(PositionalCall call, int d) {
        double s = RotaryTables.factor(call, 1);
        double[] inv = RotaryTables.standard(d, RotaryTables.base(call));
        for (int i = 0; i < inv.length; i++) {
            inv[i] /= s;
        }
        return new RotaryTables(inv, 1);
    }
}

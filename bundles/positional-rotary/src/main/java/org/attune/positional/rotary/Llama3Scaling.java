package org.attune.positional.rotary;

import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.PositionalEncodingMethod;
import org.attune.api.position.SymmetryCertificate;
import org.attune.api.tensor.InvalidInputException;
import org.osgi.service.component.annotations.Component;

/**
 * Llama 3.1 RoPE scaling: wavelengths longer than L0/low-freq-factor are divided by s, shorter than
 * L0/high-freq-factor kept, and a smooth blend in between. Llama Team, "The Llama 3 Herd of Models",
 * arXiv:2407.21783 (the scaling is specified by the released code, not an equation of the paper); transcribed
 * from HF transformers {@code _compute_llama3_parameters}.
 * <pre>
 *   λᵢ = 2π/θᵢ
 *   θ'ᵢ = θᵢ                    if λᵢ &lt; L0/h
 *         θᵢ / s                if λᵢ &gt; L0/l
 *         (1−σ)·θᵢ/s + σ·θᵢ    otherwise, σ = (L0/λᵢ − l)/(h − l)
 * </pre>
 * q [B, H, Nq, D], k [B, Hkv, Nk, D], D even → q', k'. Options: {@code factor} s (8; 1 gives plain RoPE),
 * {@code low-freq-factor} l (1), {@code high-freq-factor} h (4), {@code original-max-positions} L0 (8192),
 * {@code base}, {@code convention}.
 */
@Component(service = PositionalEncoding.class)
@PositionalEncodingMethod(id = "rope-llama3", name = "Llama 3 RoPE scaling", family = "rotary",
    paper = "The Llama 3 Herd of Models", arxiv = "2407.21783", year = 2024,
    options = {"factor=divisor of the low frequencies; default 8", "low-freq-factor=default 1", "high-freq-factor=default 4", "original-max-positions=trained context length L0; default 8192", "base=rotary base; default 10000", "convention=half (default) or interleaved"},
    symmetries = {SymmetryCertificate.RELATIVE})
public final class Llama3Scaling extends RotaryFrequencies {

    /** The piecewise-scaled frequencies. */
    @Override
    RotaryTables tables(PositionalCall call, int d) {
        double s = RotaryTables.factor(call, 8);
        double l = call.doubleParam("low-freq-factor", 1), h = call.doubleParam("high-freq-factor", 4);
        if (!(h > l)) {
            throw new InvalidInputException(PositionalCall.option("high-freq-factor"), "expected a number > low-freq-factor "
                + l + ", got " + h);
        }
        double original = call.intParam("original-max-positions", 8192);
        double[] inv = RotaryTables.standard(d, RotaryTables.base(call));
        for (int i = 0; i < inv.length; i++) {
            double wavelength = 2 * Math.PI / inv[i];
            if (wavelength > original / l) {
                inv[i] /= s;
            } else if (wavelength >= original / h) {
                double smooth = (original / wavelength - l) / (h - l);
                inv[i] = (1 - smooth) * inv[i] / s + smooth * inv[i];
            }
        }
        return new RotaryTables(inv, 1);
    }
}

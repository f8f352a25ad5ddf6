package org.attune.positional.rotary;

import java.util.Arrays;

import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.PositionalEncodingMethod;
import org.attune.api.position.SymmetryCertificate;
import org.attune.api.tensor.InvalidInputException;
import org.osgi.service.component.annotations.Component;

/**
 * LongRoPE: a searched, per-frequency rescale factor λᵢ (a "long" set for the extended context, a "short" set
 * otherwise) and an attention temperature. Ding et al., "LongRoPE: Extending LLM Context Window Beyond 2 Million
 * Tokens", arXiv:2402.13753, eq. (4); transcribed from HF transformers {@code _compute_longrope_parameters}.
 * <pre>
 *   θ'ᵢ = 1 / (λᵢ · base^(2i/D)),   λ = long-factor if s &gt; 1 else short-factor
 *   a = √(1 + ln s / ln L0)  (s &gt; 1),  1 otherwise
 * </pre>
 * q [B, H, Nq, D], k [B, Hkv, Nk, D], D even → q', k'; logits scale by a². Options: {@code factor} s (1),
 * {@code short-factor}, {@code long-factor} (D/2 numbers each; default all 1: plain RoPE),
 * {@code original-max-positions} L0 (4096), {@code attention-factor}, {@code base}, {@code convention}.
 */
@Component(service = PositionalEncoding.class)
@PositionalEncodingMethod(id = "rope-longrope", name = "LongRoPE", family = "rotary",
    paper = "LongRoPE: Extending LLM Context Window Beyond 2 Million Tokens", arxiv = "2402.13753", year = 2024,
    options = {"factor=context extension ratio s = extended/original length; default 1", "short-factor=D/2 comma-separated rescale factors used when s <= 1; default all 1", "long-factor=D/2 comma-separated rescale factors used when s > 1; default all 1", "original-max-positions=trained context length L0; default 4096", "attention-factor=multiplies cos and sin; default sqrt(1+ln(s)/ln(L0)) (1 when s <= 1)", "base=rotary base; default 10000", "convention=half (default) or interleaved"},
    symmetries = {SymmetryCertificate.RELATIVE})
public final class LongRope extends RotaryFrequencies {

    /** The rescaled frequencies and the attention factor. */
    @Override
    RotaryTables tables(PositionalCall call, int d) {
        double s = RotaryTables.factor(call, 1);
        String which = s > 1 ? "long-factor" : "short-factor";
        double[] rescale = factors(call, which, d / 2);
        double original = call.intParam("original-max-positions", 4096);
        double[] inv = RotaryTables.standard(d, RotaryTables.base(call));
        for (int i = 0; i < inv.length; i++) {
            inv[i] /= rescale[i];
        }
        double a = s > 1 ? Math.sqrt(1 + Math.log(s) / Math.log(original)) : 1;
        return new RotaryTables(inv, call.doubleParam("attention-factor", a));
    }

    private static double[] factors(PositionalCall call, String name, int m) {
        double[] out = new double[m];
        String text = call.param(name, "");
        if (text.isBlank()) {
            Arrays.fill(out, 1);
            return out;
        }
        String[] parts = text.split(",");
        if (parts.length != m) {
            throw new InvalidInputException(PositionalCall.option(name), "expected D/2 = " + m + " numbers, got "
                + parts.length);
        }
        for (int i = 0; i < m; i++) {
            try {
                out[i] = Double.parseDouble(parts[i].strip());
            } catch (NumberFormatException e) {
                throw new InvalidInputException(PositionalCall.option(name), "expected numbers, got '" + parts[i] + "'");
            }
            if (!(out[i] > 0)) {
                throw new InvalidInputException(PositionalCall.option(name), "expected numbers > 0, got " + out[i]);
            }
        }
        return out;
    }
}

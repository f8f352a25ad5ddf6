package org.attune.positional.rotary;

import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.PositionalEncodingMethod;
import org.attune.api.position.SymmetryCertificate;
import org.osgi.service.component.annotations.Component;

/**
 * NTK-aware RoPE scaling: the base is enlarged so that the lowest frequency is interpolated by s while the
 * highest is nearly unchanged. Peng et al., "YaRN: Efficient Context Window Extension of Large Language
 * Models", arXiv:2309.00071, §3.1 eq. (16) (the "NTK-aware" interpolation of bloc97); frequencies as HF
 * transformers {@code _compute_ntk_parameters}.
 * <pre>
 *   base' = base · s^(D/(D−2)),  θ'ᵢ = base'^(−2i/D)
 * </pre>
 * q [B, H, Nq, D], k [B, Hkv, Nk, D], D even (D &gt; 2) → q', k'. Options: {@code factor} s (default 1: plain
 * RoPE), {@code base}, {@code convention}.
 */
@Component(service = PositionalEncoding.class)
@PositionalEncodingMethod(id = "rope-ntk", name = "NTK-aware scaled RoPE", family = "rotary",
    paper = "YaRN: Efficient Context Window Extension of Large Language Models", arxiv = "2309.00071", year = 2023,
    options = {"factor=context extension factor s >= 1; base becomes base*s^(D/(D-2)); default 1", "base=rotary base; default 10000", "convention=half (default) or interleaved"},
    symmetries = {SymmetryCertificate.RELATIVE})
public final class NtkAwareScaling extends RotaryFrequencies {

    /** θ from the enlarged base. */
    @Override
    RotaryTables tables(PositionalCall call, int d) {
        double s = RotaryTables.factor(call, 1);
        double base = RotaryTables.base(call) * (d > 2 ? Math.pow(s, (double) d / (d - 2)) : 1);
        return new RotaryTables(RotaryTables.standard(d, base), 1);
    }
}

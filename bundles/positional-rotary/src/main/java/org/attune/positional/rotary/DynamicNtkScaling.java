package org.attune.positional.rotary;

import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.PositionalEncodingMethod;
import org.attune.api.position.SymmetryCertificate;
import org.attune.api.tensor.InvalidInputException;
import org.osgi.service.component.annotations.Component;

/**
 * Dynamic NTK scaling: the NTK-aware base is recomputed from the current length L whenever L exceeds the
 * trained context L0, so that short inputs see plain RoPE. Peng et al., "YaRN", arXiv:2309.00071, §3.3
 * ("Dynamic NTK"); formula as HF transformers {@code _compute_dynamic_ntk_parameters}.
 * <pre>
 *   L = max(queryOffset + Nq, keyOffset + Nk)
 *   base' = base · (s·L/L0 − (s − 1))^(D/(D−2))  if L &gt; L0, else base
 * </pre>
 * q [B, H, Nq, D], k [B, Hkv, Nk, D], D even → q', k'. Options: {@code factor} s (default 1),
 * {@code original-max-positions} L0 (2048), {@code base}, {@code convention}. Within one call logits depend only
 * on i − j; the table itself changes with L, so no shift symmetry across lengths is claimed.
 */
@Component(service = PositionalEncoding.class)
@PositionalEncodingMethod(id = "rope-dynamic-ntk", name = "Dynamic NTK scaled RoPE", family = "rotary",
    paper = "YaRN: Efficient Context Window Extension of Large Language Models", arxiv = "2309.00071", year = 2023,
    options = {"factor=scaling factor s >= 1; default 1", "original-max-positions=context length L0 the model was trained on; default 2048", "base=rotary base; default 10000", "convention=half (default) or interleaved"},
    symmetries = {})
public final class DynamicNtkScaling extends RotaryFrequencies {

    /** θ from the base scaled for the current length. */
    @Override
    RotaryTables tables(PositionalCall call, int d) {
        double s = RotaryTables.factor(call, 1);
        int original = call.intParam("original-max-positions", 2048);
        if (original < 1) {
            throw new InvalidInputException(PositionalCall.option("original-max-positions"), "expected >= 1, got "
                + original);
        }
        long length = Math.max((long) call.queryOffset() + call.q().dim(2), (long) call.keyOffset() + call.k().dim(2));
        double base = RotaryTables.base(call);
        if (length > original && d > 2) {
            base *= Math.pow(s * length / original - (s - 1), (double) d / (d - 2));
        }
        return new RotaryTables(RotaryTables.standard(d, base), 1);
    }
}

package org.attune.positional.rotary;

import java.util.Locale;

import org.attune.api.position.PositionalCall;
import org.attune.api.tensor.InvalidInputException;

/**
 * Which channels of a head form the rotated pairs. Pair i of a block of 2m channels starting at {@code from}:
 * <pre>
 *   HALF        (from + i, from + m + i)   rotate-half: GPT-NeoX, HF LLaMA
 *   INTERLEAVED (from + 2i, from + 2i + 1) RoFormer, GPT-J
 * </pre>
 * Both rotate pair i by the same angle, so they agree after permuting channels 2i ↔ i, 2i+1 ↔ m+i.
 */
enum RotaryConvention {
    HALF,
    INTERLEAVED;

    /** Channel of the first member of pair i in a block of 2m channels starting at {@code from}. */
    int first(int from, int m, int i) {
        return this == HALF ? from + i : from + 2 * i;
    }

    /** Channel of the second member of pair i. */
    int second(int from, int m, int i) {
        return this == HALF ? from + m + i : from + 2 * i + 1;
    }

    /** The {@code convention} parameter: {@code half} (default) or {@code interleaved}. */
    static RotaryConvention of(PositionalCall call) {
        String s = call.param("convention", "half").strip().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "half", "rotate-half", "neox" -> HALF;
            case "interleaved", "gptj", "roformer" -> INTERLEAVED;
            default -> throw new InvalidInputException("--convention", "expected half or interleaved, got '" + s + "'");
        };
    }
}

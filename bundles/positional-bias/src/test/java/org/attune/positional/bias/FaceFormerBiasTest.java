package org.attune.positional.bias;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.attune.api.position.EncodingForm;
import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.SymmetryCertificate;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;

class FaceFormerBiasTest extends EncodingContract {

    @Override
    PositionalEncoding method() {
        return new FaceFormerBias();
    }

    @Override
    EncodingForm form() {
        return EncodingForm.BIAS;
    }

    @Override
    List<String> claims() {
        return List.of(SymmetryCertificate.RELATIVE);
    }

    /**
     * The reference {@code init_biased_mask(n_head, L, period)} literally: bias = arange(0, L, period) repeated
     * period times, // period, negated and flipped; row i takes its last i+1 entries; times the slopes.
     */
    @Test
    void matchesTheReferenceConstruction() {
        int heads = 4, length = 30, period = 4;
        long[] steps = new long[length];
        for (int t = 0; t < length; t++) {
            steps[t] = (long) (t / period) * period / period;
        }
        double[] flipped = new double[length];
        for (int t = 0; t < length; t++) {
            flipped[t] = -steps[length - 1 - t];
        }
        Tensor b = method().encode(PositionalCall.bias(heads, length, length, true)
            .withParams(Map.of("period", Integer.toString(period))), Fixtures.BACKEND).bias();
        double[] m = AlibiSlopes.of(heads);
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < length; i++) {
                for (int j = 0; j <= i; j++) {
                    double reference = m[h] * flipped[length - (i + 1) + j];
                    assertEquals(reference, b.get(h, i, j), 1e-15, "h=" + h + " i=" + i + " j=" + j);
                }
            }
        }
    }

    @Test
    void periodOneIsCausalAlibiOnTheAllowedKeys() {
        PositionalCall call = PositionalCall.bias(8, 9, 9, true).withOffsets(4, 4);
        Tensor b = method().encode(call.withParams(Map.of("period", "1")), Fixtures.BACKEND).bias();
        Tensor alibi = new Alibi().encode(call, Fixtures.BACKEND).bias();
        for (int h = 0; h < 8; h++) {
            for (int i = 0; i < 9; i++) {
                for (int j = 0; j <= i; j++) {
                    assertEquals(alibi.get(h, i, j), b.get(h, i, j), 0);
                }
            }
        }
    }

    @Test
    void rejectsAPeriodBelowOne() {
        Fixtures.assertArgument("--pe-option period", () -> method().encode(PositionalCall.bias(2, 3, 3, true)
            .withParams(Map.of("period", "0")), Fixtures.BACKEND));
    }
}

package org.attune.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.AttentionResult;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The reference semantics of the attention options of API 1.1 (window, ALiBi slopes, soft-capping, sinks,
 * log-sum-exp), each against the baseline it must reduce to: an explicit mask, an explicit bias, an extra key,
 * the uncapped logits, and the log-sum-exp written out for one row.
 */
class AttentionOptionsTest {
    private static final double EXACT = 1e-13;
    private final JavaBackend backend = new JavaBackend();
    private final Inputs inputs = new Inputs(31);
    private final int b = 2, h = 3, nq = 7, nk = 9, d = 5;
    private final Tensor q = inputs.uniform(DType.FLOAT64, 2, b, h, nq, d);
    private final Tensor k = inputs.uniform(DType.FLOAT64, 2, b, h, nk, d);
    private final Tensor v = inputs.uniform(DType.FLOAT64, 1, b, h, nk, d);

    private static double maxAbsDiff(Tensor x, Tensor y) {
        double m = 0;
        for (int i = 0; i < x.size(); i++) {
            m = Math.max(m, Math.abs(x.getFlat(i) - y.getFlat(i)));
        }
        return m;
    }

    @Test
    void windowEqualsTheBandMask() {
        for (boolean causal : new boolean[] {false, true}) {
            Tensor band = Tensor.zeros(DType.BOOL, nq, nk);
            for (int i = 0; i < nq; i++) {
                for (int j = 0; j < nk; j++) {
                    band.set(i - 2 <= j && j <= i + 1 ? 1 : 0, i, j);
                }
            }
            Tensor windowed = backend.attention(q, k, v, AttentionOptions.builder().causal(causal).window(2, 1).build(),
                null);
            Tensor masked = backend.attention(q, k, v, AttentionOptions.builder().causal(causal).mask(band).build(),
                null);
            assertTrue(windowed.contentEquals(masked));
        }
    }

    @Test
    void alibiEqualsTheBiasMinusSlopeTimesDistance() {
        double[] slopes = {0.5, 0.25, 0.125};
        Tensor bias = Tensor.zeros(DType.FLOAT64, h, nq, nk);
        for (int x = 0; x < h; x++) {
            for (int i = 0; i < nq; i++) {
                for (int j = 0; j < nk; j++) {
                    bias.set(-slopes[x] * Math.abs(i - j), x, i, j);
                }
            }
        }
        Tensor alibi = backend.attention(q, k, v, AttentionOptions.builder().causal(true)
            .alibiSlopes(Tensor.of(slopes, h)).build(), null);
        Tensor explicit = backend.attention(q, k, v, AttentionOptions.builder().causal(true).bias(bias).build(), null);
        assertTrue(maxAbsDiff(alibi, explicit) <= EXACT);
    }

    /** A sink is an extra key whose logit is the sink (a zero key plus that bias) and whose value is zero. */
    @Test
    void sinkEqualsAnExtraKeyWithZeroValue() {
        double[] sinks = {0.0, 1.5, -2.0};
        Tensor k1 = Tensor.zeros(DType.FLOAT64, b, h, nk + 1, d);
        Tensor v1 = Tensor.zeros(DType.FLOAT64, b, h, nk + 1, d);
        Tensor bias = Tensor.zeros(DType.FLOAT64, h, 1, nk + 1);
        for (int bb = 0; bb < b; bb++) {
            for (int x = 0; x < h; x++) {
                for (int j = 0; j < nk; j++) {
                    for (int e = 0; e < d; e++) {
                        k1.set(k.get(bb, x, j, e), bb, x, j, e);
                        v1.set(v.get(bb, x, j, e), bb, x, j, e);
                    }
                }
            }
        }
        for (int x = 0; x < h; x++) {
            bias.set(sinks[x], x, 0, nk);
        }
        AttentionResult sunk = backend.attentionWithLse(q, k, v,
            AttentionOptions.builder().sinks(Tensor.of(sinks, h)).build(), null);
        AttentionResult extra = backend.attentionWithLse(q, k1, v1, AttentionOptions.builder().bias(bias).build(), null);
        assertTrue(maxAbsDiff(sunk.output(), extra.output()) <= EXACT);
        assertTrue(maxAbsDiff(sunk.lse(), extra.lse()) <= EXACT);
    }

    @Test
    void softCapTransformsTheScaledLogitAndAHugeCapChangesNothing() {
        Tensor plain = backend.attention(q, k, v, null, null);
        Tensor huge = backend.attention(q, k, v, AttentionOptions.builder().softCap(1e9).build(), null);
        assertTrue(maxAbsDiff(plain, huge) <= 1e-12);
        // one query, two keys: out = (w0 v0 + w1 v1) / (w0 + w1), w = exp(c·tanh(scale·q·k / c))
        Tensor q1 = Tensor.of(new double[] {3, 0}, 1, 1, 1, 2);
        Tensor k1 = Tensor.of(new double[] {1, 0, -2, 0}, 1, 1, 2, 2);
        Tensor v1 = Tensor.of(new double[] {1, -1}, 1, 1, 2, 1);
        double c = 2;
        double s = 1 / Math.sqrt(2);
        double w0 = Math.exp(c * Math.tanh(s * 3 / c));
        double w1 = Math.exp(c * Math.tanh(s * -6 / c));
        Tensor capped = backend.attention(q1, k1, v1, AttentionOptions.builder().softCap(c).build(), null);
        assertEquals((w0 - w1) / (w0 + w1), capped.getFlat(0), EXACT);
    }

    @Test
    void lseIsTheLogOfTheSumOfExponentialsAndMinusInfinityForAnEmptyRow() {
        Tensor mask = Tensor.zeros(DType.BOOL, nq, nk);
        for (int i = 1; i < nq; i++) {
            for (int j = 0; j < nk; j++) {
                mask.set(1, i, j);
            }
        }
        AttentionResult r = backend.attentionWithLse(q, k, v, AttentionOptions.builder().mask(mask).build(), null);
        double z = 0;
        for (int j = 0; j < nk; j++) {
            double dot = 0;
            for (int e = 0; e < d; e++) {
                dot += q.get(1, 2, 3, e) * k.get(1, 2, j, e);
            }
            z += Math.exp(dot / Math.sqrt(d));
        }
        assertEquals(Math.log(z), r.lse().get(1, 2, 3), EXACT);
        assertEquals(Double.NEGATIVE_INFINITY, r.lse().get(0, 1, 0));
        for (int e = 0; e < d; e++) {
            assertEquals(0.0, r.output().get(0, 1, 0, e));
        }
        assertEquals(3, r.lse().rank());
    }
}

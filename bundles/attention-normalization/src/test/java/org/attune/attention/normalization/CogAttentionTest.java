package org.attune.attention.normalization;

import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.attune.api.attention.AttentionMechanism;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.attune.attention.core.AttentionContract;
import org.attune.attention.core.Fixtures;
import org.attune.attention.core.Float64Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CogAttentionTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new CogAttention();
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesFloat64ReferenceWithMaskBiasAndGroupedHeads(DType dtype) {
        Fixtures f = new Fixtures(24);
        Tensor q = f.uniform(dtype, 2, 2, 4, 19, 6);
        Tensor k = f.uniform(dtype, 2, 2, 2, 23, 6);
        Tensor v = f.uniform(dtype, 1, 2, 2, 23, 5);
        Tensor mask = f.mask(0.8, 19, 23);
        Tensor bias = f.uniform(DType.FLOAT64, 0.5, 4, 19, 23);
        AttentionOptions o = AttentionOptions.builder().mask(mask).bias(bias).causal(true).build();
        assertClose("cog mask+bias+causal gqa", NormalizationReference.cog(array(q), array(k), array(v), 1 / Math.sqrt(6),
            mask, true, bias), run(call(q, k, v).withOptions(o)));
    }

    @Test
    void equalsSoftmaxAttentionWhenAllLogitsAreNonNegative() {
        Fixtures f = new Fixtures(25);
        Tensor q = nonNegative(f.uniform(DType.FLOAT64, 1, 1, 3, 11, 5));
        Tensor k = nonNegative(f.uniform(DType.FLOAT64, 1, 1, 3, 14, 5));
        Tensor v = f.uniform(DType.FLOAT64, 1, 1, 3, 14, 4);
        assertClose("cog = sdpa on logits >= 0", Float64Reference.sdpa(array(q), array(k), array(v), 1 / Math.sqrt(5),
            false, null, null), run(q, k, v));
    }

    @Test
    void negatingAKeyFlipsTheSignOfItsColumnOnly() {
        Fixtures f = new Fixtures(26);
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 2, 7, 4);
        Tensor k = f.uniform(DType.FLOAT64, 1, 1, 2, 9, 4);
        Tensor v = f.uniform(DType.FLOAT64, 1, 1, 2, 9, 3);
        Tensor kFlipped = k.copy();
        Tensor vFlipped = v.copy();
        for (int h = 0; h < 2; h++) {
            for (int e = 0; e < 4; e++) {
                kFlipped.set(-k.get(0, h, 5, e), 0, h, 5, e);
            }
            for (int e = 0; e < 3; e++) {
                vFlipped.set(-v.get(0, h, 5, e), 0, h, 5, e);
            }
        }
        assertMaxDiff(run(q, k, vFlipped), run(q, kFlipped, v), 1e-15);
    }

    @Test
    void absoluteWeightsOfARowSumToOne() {
        Fixtures f = new Fixtures(27);
        Tensor q = f.uniform(DType.FLOAT64, 2, 1, 2, 6, 4);
        Tensor k = f.uniform(DType.FLOAT64, 2, 1, 2, 8, 4);
        Tensor w = run(q, k, NormalizationReference.oneHotValues(DType.FLOAT64, 1, 2, 8));
        for (int h = 0; h < 2; h++) {
            for (int i = 0; i < 6; i++) {
                double sum = 0;
                for (int j = 0; j < 8; j++) {
                    sum += Math.abs(w.get(0, h, i, j));
                }
                assertEquals(1, sum, 1e-14);
            }
        }
    }

    private static Tensor nonNegative(Tensor t) {
        for (int i = 0; i < t.size(); i++) {
            t.setFlat(i, Math.abs(t.getFlat(i)));
        }
        return t;
    }
}

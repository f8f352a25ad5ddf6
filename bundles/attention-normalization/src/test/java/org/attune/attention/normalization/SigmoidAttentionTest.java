package org.attune.attention.normalization;

import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;

import org.attune.api.attention.AttentionMechanism;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.attune.attention.core.AttentionContract;
import org.attune.attention.core.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SigmoidAttentionTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new SigmoidAttention();
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesFloat64ReferenceWithTheLengthBiasMaskBiasAndGroupedHeads(DType dtype) {
        Fixtures f = new Fixtures(20);
        Tensor q = f.uniform(dtype, 1, 2, 4, 19, 6);
        Tensor k = f.uniform(dtype, 1, 2, 2, 23, 6);
        Tensor v = f.uniform(dtype, 1, 2, 2, 23, 5);
        Tensor mask = f.mask(0.8, 19, 23);
        Tensor bias = f.uniform(DType.FLOAT64, 0.5, 4, 19, 23);
        AttentionOptions o = AttentionOptions.builder().mask(mask).bias(bias).causal(true).build();
        assertClose("sigmoid b=-log n mask+bias+causal gqa", NormalizationReference.sigmoid(array(q), array(k), array(v),
            1 / Math.sqrt(6), -Math.log(23), mask, true, bias), run(call(q, k, v).withOptions(o)));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void optionBReplacesTheLengthBias(DType dtype) {
        Fixtures f = new Fixtures(21);
        Tensor q = f.uniform(dtype, 1, 1, 2, 9, 4);
        Tensor k = f.uniform(dtype, 1, 1, 2, 12, 4);
        Tensor v = f.uniform(dtype, 1, 1, 2, 12, 3);
        AttentionOptions o = AttentionOptions.builder().scale(0.7).build();
        assertClose("sigmoid b=0.5 scale=0.7", NormalizationReference.sigmoid(array(q), array(k), array(v), 0.7, 0.5,
            null, false, null), run(call(q, k, v).withParam("b", "0.5").withOptions(o)));
    }

    @Test
    void malformedBiasIsNamed() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 2, 3, 4);
        assertArgument("--opt b", () -> run(call(x, x, x).withParam("b", "minus one")));
    }
}

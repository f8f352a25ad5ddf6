package org.attune.attention.normalization;

import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;

import org.attune.api.attention.AttentionMechanism;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.attune.attention.core.AttentionContract;
import org.attune.attention.core.Fixtures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ReluAttentionTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new ReluAttention();
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesFloat64ReferenceWithMaskBiasAndGroupedHeads(DType dtype) {
        Fixtures f = new Fixtures(22);
        Tensor q = f.uniform(dtype, 1, 2, 4, 17, 6);
        Tensor k = f.uniform(dtype, 1, 2, 2, 21, 6);
        Tensor v = f.uniform(dtype, 1, 2, 2, 21, 5);
        Tensor mask = f.mask(0.8, 2, 1, 17, 21);
        Tensor bias = f.uniform(DType.FLOAT64, 0.5, 17, 21);
        AttentionOptions o = AttentionOptions.builder().mask(mask).bias(bias).causal(true).build();
        assertClose("relu/L mask+bias+causal gqa", NormalizationReference.relu(array(q), array(k), array(v),
            1 / Math.sqrt(6), false, mask, true, bias), run(call(q, k, v).withOptions(o)));
    }
}

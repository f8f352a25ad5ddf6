package org.attune.attention.core;

import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;

import java.nio.file.Path;

import org.attune.api.attention.AttentionMechanism;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CrossAttentionTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new CrossAttention();
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesFloat64ReferenceWithAContextOfOtherLengthAndWidths(DType dtype, @TempDir Path dir) {
        Fixtures f = new Fixtures(40);
        Float64Reference.Weights w = MultiHeadAttentionTest.writeWeights(f, dir, 60, 45, 28, 60, 60, true);
        Tensor q = f.uniform(dtype, 1, 2, 2, 63, 30);
        Tensor k = f.uniform(dtype, 1, 2, 3, 100, 15);
        Tensor v = f.uniform(dtype, 1, 2, 4, 100, 7);
        Tensor mask = f.mask(0.7, 2, 1, 1, 100);
        Tensor out = run(call(q, k, v).withParam("weights", dir.toString()).withParam("heads", "5")
            .withOptions(AttentionOptions.builder().mask(mask).build()));
        assertClose("cross Ek=45 Ev=28 heads=5 padding mask", Float64Reference.multiHead(array(q), array(k), array(v), w,
            5, 5, null, false, mask, null, null, null), out);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void equalsMultiHeadAttentionWhenTheWidthsAgree(DType dtype) {
        Fixtures f = new Fixtures(41);
        Tensor q = f.uniform(dtype, 1, 2, 2, 7, 6);
        Tensor k = f.uniform(dtype, 1, 2, 2, 10, 6);
        Tensor v = f.uniform(dtype, 1, 2, 2, 10, 6);
        Tensor mha = new MultiHeadAttention().attend(call(q, k, v).withParam("seed", "9"), Fixtures.BACKEND);
        assertMaxDiff(mha, run(call(q, k, v).withParam("seed", "9")), 0.0);
    }
}

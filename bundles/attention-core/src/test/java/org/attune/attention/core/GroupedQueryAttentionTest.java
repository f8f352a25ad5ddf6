package org.attune.attention.core;

import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;

import java.nio.file.Path;

import org.attune.api.attention.AttentionMechanism;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class GroupedQueryAttentionTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new GroupedQueryAttention();
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesFloat64ReferenceWithTwoGroupsOfThree(DType dtype, @TempDir Path dir) {
        Fixtures f = new Fixtures(30);
        Float64Reference.Weights w = MultiHeadAttentionTest.writeWeights(f, dir, 60, 60, 60, 60, 20, true);
        Tensor q = f.uniform(dtype, 1, 2, 2, 63, 30);
        Tensor k = f.uniform(dtype, 1, 2, 2, 63, 30);
        Tensor v = f.uniform(dtype, 1, 2, 2, 63, 30);
        Tensor out = run(call(q, k, v).withParam("weights", dir.toString()).withParam("heads", "6")
            .withParam("kv-heads", "2").withOptions(AttentionOptions.builder().causal(true).build()));
        assertClose("gqa heads=6 kv-heads=2 causal", Float64Reference.multiHead(array(q), array(k), array(v), w, 6, 2,
            null, true, null, null, null, null), out);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void kvHeadsEqualToHeadsIsMultiHeadAttention(DType dtype) {
        Fixtures f = new Fixtures(31);
        Tensor q = f.uniform(dtype, 1, 2, 4, 13, 6);
        Tensor k = f.uniform(dtype, 1, 2, 4, 9, 6);
        Tensor v = f.uniform(dtype, 1, 2, 4, 9, 6);
        Tensor gqa = run(call(q, k, v).withParam("seed", "5").withParam("kv-heads", "4"));
        Tensor mha = new MultiHeadAttention().attend(call(q, k, v).withParam("seed", "5"), Fixtures.BACKEND);
        assertMaxDiff(mha, gqa, 0.0);
    }

    @Test
    void kvHeadsMustDivideHeads() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 4, 3, 2);
        assertArgument("--opt kv-heads", () -> run(call(x, x, x).withParam("kv-heads", "3")));
        assertArgument("--opt kv-heads", () -> run(call(x, x, x).withParam("kv-heads", "0")));
    }
}

package org.attune.attention.core;

import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;

import java.nio.file.Path;

import org.attune.api.attention.AttentionMechanism;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MultiQueryAttentionTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new MultiQueryAttention();
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesFloat64ReferenceWithOneSharedKvHead(DType dtype, @TempDir Path dir) {
        Fixtures f = new Fixtures(20);
        Float64Reference.Weights w = MultiHeadAttentionTest.writeWeights(f, dir, 60, 60, 60, 60, 15, true);
        Tensor q = f.uniform(dtype, 1, 2, 3, 63, 20);
        Tensor k = f.uniform(dtype, 1, 2, 3, 31, 20);
        Tensor v = f.uniform(dtype, 1, 2, 3, 31, 20);
        Tensor out = run(call(q, k, v).withParam("weights", dir.toString()).withParam("heads", "4"));
        assertClose("mqa heads=4", Float64Reference.multiHead(array(q), array(k), array(v), w, 4, 1, null, false, null,
            null, null, null), out);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void equalsGroupedQueryAttentionWithOneKvHead(DType dtype) {
        Fixtures f = new Fixtures(21);
        Tensor q = f.uniform(dtype, 1, 2, 4, 13, 6);
        Tensor k = f.uniform(dtype, 1, 2, 4, 9, 6);
        Tensor v = f.uniform(dtype, 1, 2, 4, 9, 6);
        Tensor mqa = run(call(q, k, v).withParam("seed", "3"));
        Tensor gqa = new GroupedQueryAttention().attend(call(q, k, v).withParam("seed", "3").withParam("kv-heads", "1"),
            Fixtures.BACKEND);
        assertMaxDiff(gqa, mqa, 0.0);
    }

    @Test
    void differsFromMultiHeadAttention() {
        Fixtures f = new Fixtures(22);
        Tensor x = f.uniform(DType.FLOAT64, 1, 1, 2, 5, 4);
        Tensor mha = new MultiHeadAttention().attend(call(x, x, x), Fixtures.BACKEND);
        org.junit.jupiter.api.Assertions.assertFalse(mha.contentEquals(run(x, x, x)));
    }
}

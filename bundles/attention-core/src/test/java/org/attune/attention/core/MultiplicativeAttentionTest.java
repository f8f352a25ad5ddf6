package org.attune.attention.core;

import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;
import static org.attune.attention.core.Float64Reference.matrix;

import java.nio.file.Path;

import org.attune.api.attention.AttentionMechanism;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MultiplicativeAttentionTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new MultiplicativeAttention();
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void generalScoreMatchesFloat64Reference(DType dtype, @TempDir Path dir) {
        Fixtures f = new Fixtures(60);
        double[][] wa = matrix(f.write(dir, "wa", 0.3, 60, 9));
        Tensor q = f.uniform(dtype, 1, 2, 4, 63, 60);
        Tensor k = f.uniform(dtype, 1, 2, 2, 30, 9);
        Tensor v = f.uniform(dtype, 1, 2, 2, 30, 5);
        Tensor out = run(call(q, k, v).withParam("weights", dir.toString()));
        assertClose("multiplicative general Dq=60 Dk=9 gqa", Float64Reference.general(array(q), array(k), array(v), wa,
            1.0), out);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void dotScoreWithScaleOneOverRootDIsScaledDotProductAttention(DType dtype) {
        Fixtures f = new Fixtures(61);
        Tensor q = f.uniform(dtype, 1, 2, 2, 15, 8);
        Tensor k = f.uniform(dtype, 1, 2, 2, 12, 8);
        Tensor v = f.uniform(dtype, 1, 2, 2, 12, 8);
        Tensor mask = f.mask(0.7, 15, 12);
        AttentionOptions o = AttentionOptions.builder().scale(1 / Math.sqrt(8)).mask(mask).causal(true).build();
        Tensor dot = run(call(q, k, v).withParam("score", "dot").withOptions(o));
        Tensor sdpa = new ScaledDotProductAttention().attend(call(q, k, v).withOptions(o), Fixtures.BACKEND);
        assertMaxDiff(sdpa, dot, dtype == DType.FLOAT64 ? 1e-14 : 1e-6);
    }

    @Test
    void dotScoreIsUnscaledByDefault() {
        Fixtures f = new Fixtures(62);
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 1, 5, 4);
        Tensor k = f.uniform(DType.FLOAT64, 1, 1, 1, 6, 4);
        Tensor v = f.uniform(DType.FLOAT64, 1, 1, 1, 6, 4);
        assertClose("multiplicative dot", Float64Reference.sdpa(array(q), array(k), array(v), 1.0, false, null, null),
            run(call(q, k, v).withParam("score", "dot")));
    }

    @Test
    void rejectsUnknownScoresAndDotOfOtherDims() {
        Tensor q = Tensor.zeros(DType.FLOAT32, 1, 2, 3, 4);
        assertArgument("--opt score", () -> run(call(q, q, q).withParam("score", "concat")));
        Tensor k = Tensor.zeros(DType.FLOAT32, 1, 2, 3, 5);
        assertArgument("k", () -> run(call(q, k, q).withParam("score", "dot")));
    }
}

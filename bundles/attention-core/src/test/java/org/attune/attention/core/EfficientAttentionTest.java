package org.attune.attention.core;

import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;
import static org.attune.attention.core.Float64Reference.matrix;

import java.io.IOException;
import java.nio.file.Path;

import org.attune.api.attention.AttentionMechanism;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class EfficientAttentionTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new EfficientAttention();
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void weightFilesMatchFloat64Reference(DType dtype, @TempDir Path dir) {
        Fixtures f = new Fixtures(340);
        double[][] wq = matrix(f.write(dir, "wq", 0.3, 12, 12));
        double[][] wo = matrix(f.write(dir, "wo", 0.3, 12, 12));
        Tensor q = f.uniform(dtype, 1, 2, 2, 13, 6);
        Tensor k = f.uniform(dtype, 1, 2, 3, 9, 4);
        Tensor v = f.uniform(dtype, 1, 2, 1, 9, 12);
        Tensor mask = f.mask(0.8, 13, 9);
        Tensor bias = f.uniform(DType.FLOAT64, 0.5, 3, 13, 9);
        AttentionOptions o = AttentionOptions.builder().mask(mask).bias(bias).causal(true).build();
        Tensor out = run(call(q, k, v).withParam("weights", dir.toString()).withParam("heads", "3").withOptions(o));
        assertClose("pba-efficient files heads=3 mask+bias+causal", OptimisedAttentionTest.sliced(array(q), array(k),
            array(v), wq, null, wo, null, 3, null, true, mask, bias), out);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void isOptimisedAttentionWithIdentityKeysAndMultiHeadAttentionWithIdentityKeysAndValues(DType dtype,
                                                                                           @TempDir Path dir)
        throws IOException {
        Fixtures f = new Fixtures(341);
        f.write(dir, "wq", 0.3, 12, 12);
        f.write(dir, "wo", 0.3, 12, 12);
        OptimisedAttentionTest.writeIdentity(dir, "wk", 12);
        OptimisedAttentionTest.writeIdentity(dir, "wv", 12);
        Tensor q = f.uniform(dtype, 1, 1, 3, 10, 4);
        Tensor k = f.uniform(dtype, 1, 1, 3, 7, 4);
        Tensor v = f.uniform(dtype, 1, 1, 3, 7, 4);
        AttentionOptions o = AttentionOptions.builder().mask(f.mask(0.7, 10, 7)).causal(true).build();
        Tensor out = run(call(q, k, v).withParam("weights", dir.toString()).withParam("heads", "6").withOptions(o));
        Tensor optimised = new OptimisedAttention().attend(call(q, k, v).withParam("weights", dir.toString())
            .withParam("heads", "6").withOptions(o), Fixtures.BACKEND);
        Tensor mha = new MultiHeadAttention().attend(call(q, k, v).withParam("weights", dir.toString())
            .withParam("heads", "6").withOptions(o), Fixtures.BACKEND);
        double tolerance = dtype == DType.FLOAT64 ? 1e-14 : 1e-6;
        assertMaxDiff(optimised, out, tolerance);
        assertMaxDiff(mha, out, tolerance);
    }

    @Test
    void rejectsHeadsThatDoNotDivideTheEmbedding() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 2, 3, 4);
        assertArgument("--opt heads", () -> run(call(x, x, x).withParam("heads", "0")));
        assertArgument("k", () -> run(x, Tensor.zeros(DType.FLOAT32, 1, 1, 3, 4), x));
    }
}

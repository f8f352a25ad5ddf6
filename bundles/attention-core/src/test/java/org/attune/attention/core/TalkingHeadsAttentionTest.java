package org.attune.attention.core;

import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;
import static org.attune.attention.core.Float64Reference.matrix;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.SplittableRandom;

import org.attune.api.attention.AttentionMechanism;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TalkingHeadsAttentionTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new TalkingHeadsAttention();
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void mixingFilesMatchFloat64Reference(DType dtype, @TempDir Path dir) {
        Fixtures f = new Fixtures(70);
        Float64Reference.Weights w = MultiHeadAttentionTest.writeWeights(f, dir, 60, 60, 60, 60, 60, true);
        double[][] pl = matrix(f.write(dir, "pl", 0.8, 4, 4));
        double[][] pw = matrix(f.write(dir, "pw", 0.8, 4, 4));
        Tensor q = f.uniform(dtype, 1, 2, 2, 63, 30);
        Tensor k = f.uniform(dtype, 1, 2, 2, 50, 30);
        Tensor v = f.uniform(dtype, 1, 2, 2, 50, 30);
        Tensor mask = f.mask(0.8, 2, 1, 63, 50);
        Tensor bias = f.uniform(DType.FLOAT64, 0.5, 4, 1, 50);
        AttentionOptions o = AttentionOptions.builder().mask(mask).bias(bias).build();
        Tensor out = run(call(q, k, v).withParam("weights", dir.toString()).withParam("heads", "4")
            .withParam("mixing", "files").withOptions(o));
        assertClose("talking-heads files heads=4 mask+bias", Float64Reference.multiHead(array(q), array(k), array(v),
            w, 4, 4, null, false, mask, bias, pl, pw), out);
    }

    @Test
    void seededMixingFollowsTheDocumentedInitialiser() {
        Fixtures f = new Fixtures(71);
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 3, 8, 4);
        Tensor k = f.uniform(DType.FLOAT64, 1, 1, 3, 8, 4);
        Tensor v = f.uniform(DType.FLOAT64, 1, 1, 3, 8, 4);
        SplittableRandom r = new SplittableRandom(6 + 1);
        double[][] pl = AdditiveAttentionTest.xavier(r, 3, 3);
        double[][] pw = AdditiveAttentionTest.xavier(r, 3, 3);
        Tensor out = run(call(q, k, v).withParam("seed", "6").withOptions(AttentionOptions.builder().causal(true).build()));
        assertClose("talking-heads seed=6 causal", Float64Reference.multiHead(array(q), array(k), array(v),
            MultiHeadAttentionTest.documentedSeeded(6, 12, 12), 3, 3, null, true, null, null, pl, pw), out);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void identityMixingIsMultiHeadAttention(DType dtype) {
        Fixtures f = new Fixtures(72);
        Tensor q = f.uniform(dtype, 1, 2, 4, 21, 5);
        Tensor k = f.uniform(dtype, 1, 2, 4, 17, 5);
        Tensor v = f.uniform(dtype, 1, 2, 4, 17, 5);
        AttentionOptions o = AttentionOptions.builder().mask(f.mask(0.7, 21, 17)).causal(true).build();
        Tensor th = run(call(q, k, v).withParam("mixing", "identity").withParam("seed", "2").withOptions(o));
        Tensor mha = new MultiHeadAttention().attend(call(q, k, v).withParam("seed", "2").withOptions(o),
            Fixtures.BACKEND);
        assertMaxDiff(mha, th, dtype == DType.FLOAT64 ? 1e-14 : 1e-6);
        assertFalse(mha.contentEquals(run(call(q, k, v).withParam("seed", "2").withOptions(o))), "seeded mixing differs");
    }

    @Test
    void rejectsUnknownMixingAndFilesWithoutWeights() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 2, 3, 4);
        assertArgument("--opt mixing", () -> run(call(x, x, x).withParam("mixing", "random")));
        assertArgument("--opt mixing", () -> run(call(x, x, x).withParam("mixing", "files")));
    }
}

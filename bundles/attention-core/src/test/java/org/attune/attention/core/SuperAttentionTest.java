package org.attune.attention.core;

import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;
import static org.attune.attention.core.Float64Reference.matrix;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

import org.attune.api.attention.AttentionMechanism;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Npy;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SuperAttentionTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new SuperAttention();
    }

    /** W_A gives every key a position, so only the queries' half of the permutation symmetry holds. */
    @Override
    protected boolean keysAreASet() {
        return false;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void weightFilesMatchFloat64ReferenceWithAndWithoutCausalMask(DType dtype, @TempDir Path dir) {
        Fixtures f = new Fixtures(350);
        double[][] wq = matrix(f.write(dir, "wq", 0.3, 12, 12));
        double[][] wo = matrix(f.write(dir, "wo", 0.3, 12, 12));
        double[][] wa = matrix(f.write(dir, "wa", 0.4, 13, 13));
        Tensor q = f.uniform(dtype, 1, 2, 2, 13, 6);
        Tensor k = f.uniform(dtype, 1, 2, 3, 13, 4);
        Tensor v = f.uniform(dtype, 1, 2, 1, 13, 12);
        Tensor mask = f.mask(0.8, 13, 13);
        Tensor bias = f.uniform(DType.FLOAT64, 0.5, 3, 13, 13);
        for (boolean causal : new boolean[] {false, true}) {
            AttentionOptions o = AttentionOptions.builder().mask(mask).bias(bias).causal(causal).build();
            Tensor out = run(call(q, k, v).withParam("weights", dir.toString()).withParam("heads", "3").withOptions(o));
            assertClose("pba-super files heads=3 mask+bias causal=" + causal, OptimisedAttentionTest.sliced(array(q),
                array(k), array(v), wq, null, wo, wa, 3, null, causal, mask, bias), out);
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void seededWeightsFollowTheDocumentedInitialiser(DType dtype) {
        Fixtures f = new Fixtures(351);
        Tensor q = f.uniform(dtype, 1, 1, 2, 6, 4);
        Tensor k = f.uniform(dtype, 1, 1, 2, 9, 4);
        Tensor v = f.uniform(dtype, 1, 1, 2, 9, 4);
        SplittableRandom r = new SplittableRandom(4);
        double[][][] w = {AdditiveAttentionTest.xavier(r, 8, 8), AdditiveAttentionTest.xavier(r, 8, 8),
            AdditiveAttentionTest.xavier(r, 9, 9)};
        if (dtype == DType.FLOAT32) {
            for (int m = 0; m < w.length; m++) {
                w[m] = MultiHeadAttentionTest.rounded(w[m]);
            }
        }
        Tensor out = run(call(q, k, v).withParam("seed", "4"));
        assertClose("pba-super seed=4", OptimisedAttentionTest.sliced(array(q), array(k), array(v), w[0], null, w[1],
            w[2], 2, null, false, null, null), out);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void identityAlignmentIsEfficientAttention(DType dtype, @TempDir Path dir) throws IOException {
        Fixtures f = new Fixtures(352);
        f.write(dir, "wq", 0.3, 12, 12);
        f.write(dir, "wo", 0.3, 12, 12);
        OptimisedAttentionTest.writeIdentity(dir, "wa", 8);
        Tensor q = f.uniform(dtype, 1, 1, 3, 10, 4);
        Tensor k = f.uniform(dtype, 1, 1, 3, 8, 4);
        Tensor v = f.uniform(dtype, 1, 1, 3, 8, 4);
        AttentionOptions o = AttentionOptions.builder().mask(f.mask(0.7, 10, 8)).causal(true).build();
        Tensor efficient = new EfficientAttention().attend(call(q, k, v).withParam("weights", dir.toString())
            .withOptions(o), Fixtures.BACKEND);
        assertMaxDiff(efficient, run(call(q, k, v).withParam("weights", dir.toString()).withOptions(o)), 0);
    }

    @Test
    void causalAlignmentKeepsLaterValuesFromEarlierOutputs() {
        Fixtures f = new Fixtures(353);
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 2, 8, 4);
        Tensor k = f.uniform(DType.FLOAT64, 1, 1, 2, 8, 4);
        Tensor v = f.uniform(DType.FLOAT64, 1, 1, 2, 8, 4);
        Tensor changed = v.copy();
        for (int h = 0; h < 2; h++) {
            for (int e = 0; e < 4; e++) {
                changed.set(5.0, 0, h, 7, e);
            }
        }
        AttentionOptions causal = AttentionOptions.builder().causal(true).build();
        Tensor before = run(call(q, k, v).withOptions(causal));
        Tensor after = run(call(q, k, changed).withOptions(causal));
        double earlier = 0, last = 0;
        for (int h = 0; h < 2; h++) {
            for (int e = 0; e < 4; e++) {
                for (int i = 0; i < 7; i++) {
                    earlier = Math.max(earlier, Math.abs(before.get(0, h, i, e) - after.get(0, h, i, e)));
                }
                last = Math.max(last, Math.abs(before.get(0, h, 7, e) - after.get(0, h, 7, e)));
            }
        }
        assertTrue(earlier == 0 && last > 0, "earlier rows unchanged (" + earlier + "), last row changed (" + last + ")");
    }

    @Test
    void rejectsAnAlignmentOfAnotherLength(@TempDir Path dir) throws IOException {
        Fixtures f = new Fixtures(354);
        f.write(dir, "wq", 0.3, 8, 8);
        f.write(dir, "wo", 0.3, 8, 8);
        Npy.write(dir.resolve("wa.npy"), Tensor.zeros(DType.FLOAT64, 5, 5));
        Tensor x = f.uniform(DType.FLOAT64, 1, 1, 2, 6, 4);
        assertArgument("--opt weights", () -> run(call(x, x, x).withParam("weights", dir.toString())));
    }
}

package org.attune.attention.core;

import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;
import static org.attune.attention.core.Float64Reference.matrix;

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

class AdditiveAttentionTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new AdditiveAttention();
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesFloat64ReferenceWithOtherKeyDimGroupsMaskAndBias(DType dtype, @TempDir Path dir) {
        Fixtures f = new Fixtures(50);
        double[][] wa = matrix(f.write(dir, "wa", 0.4, 12, 16));
        double[][] ua = matrix(f.write(dir, "ua", 0.4, 10, 16));
        double[] va = f.write(dir, "va", 0.4, 16).toDoubleArray();
        Tensor q = f.uniform(dtype, 1, 2, 4, 63, 12);
        Tensor k = f.uniform(dtype, 1, 2, 2, 40, 10);
        Tensor v = f.uniform(dtype, 1, 2, 2, 40, 7);
        Tensor mask = f.mask(0.8, 1, 4, 63, 40);
        Tensor bias = f.uniform(DType.FLOAT32, 0.5, 63, 40);
        AttentionOptions o = AttentionOptions.builder().mask(mask).bias(bias).causal(true).build();
        Tensor out = run(call(q, k, v).withParam("weights", dir.toString()).withParam("hidden", "16").withOptions(o));
        assertClose("additive hidden=16 gqa mask+bias+causal", Float64Reference.additive(array(q), array(k), array(v),
            wa, ua, va, 1.0, true, mask, bias), out);
    }

    @Test
    void seededWeightsFollowTheDocumentedInitialiser() {
        Fixtures f = new Fixtures(51);
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 2, 9, 6);
        Tensor k = f.uniform(DType.FLOAT64, 1, 1, 2, 11, 6);
        Tensor v = f.uniform(DType.FLOAT64, 1, 1, 2, 11, 3);
        SplittableRandom r = new SplittableRandom(4);
        double[][] wa = xavier(r, 6, 5);
        double[][] ua = xavier(r, 6, 5);
        double[][] va = xavier(r, 5, 1);
        double[] vaVector = {va[0][0], va[1][0], va[2][0], va[3][0], va[4][0]};
        Tensor out = run(call(q, k, v).withParam("seed", "4").withParam("hidden", "5")
            .withOptions(AttentionOptions.builder().scale(2.0).build()));
        assertClose("additive seed=4 hidden=5 scale=2", Float64Reference.additive(array(q), array(k), array(v), wa, ua,
            vaVector, 2.0, false, null, null), out);
    }

    @Test
    void hiddenMustBePositive() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 2, 3, 4);
        assertArgument("--opt hidden", () -> run(call(x, x, x).withParam("hidden", "0")));
    }

    static double[][] xavier(SplittableRandom r, int rows, int cols) {
        double[][] w = new double[rows][cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                w[i][j] = (2 * r.nextDouble() - 1) * Math.sqrt(6.0 / (rows + cols));
            }
        }
        return w;
    }
}

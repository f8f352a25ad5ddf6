package org.attune.attention.normalization;

import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.attune.api.attention.AttentionMechanism;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.attune.attention.core.AttentionContract;
import org.attune.attention.core.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ReweightedSoftplusAttentionTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new ReweightedSoftplusAttention();
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesFloat64ReferenceWithThresholdMaskBiasCausalAndGroupedHeads(DType dtype) {
        Fixtures f = new Fixtures(80);
        Tensor q = f.uniform(dtype, 2, 2, 4, 19, 6);
        Tensor k = f.uniform(dtype, 2, 2, 2, 23, 6);
        Tensor v = f.uniform(dtype, 1, 2, 2, 23, 5);
        Tensor mask = f.mask(0.8, 19, 23);
        Tensor bias = f.uniform(DType.FLOAT64, 0.5, 4, 19, 23);
        AttentionOptions o = AttentionOptions.builder().mask(mask).bias(bias).causal(true).build();
        assertClose("lssar p=3 threshold=0.5", LengthScaledSoftplusAttentionTest.reference(array(q), array(k), array(v),
            1 / Math.sqrt(6), mask, true, bias, true, 3.0, 0.5),
            run(call(q, k, v).withParam("p", "3").withParam("threshold", "0.5").withOptions(o)));
        assertClose("lssar defaults", LengthScaledSoftplusAttentionTest.reference(array(q), array(k), array(v),
            1 / Math.sqrt(6), null, false, null, true, 2.0, 0), run(q, k, v));
    }

    @Test
    void powerOneWithoutThresholdIsLssa() {
        Fixtures f = new Fixtures(81);
        Tensor q = f.uniform(DType.FLOAT64, 2, 1, 2, 11, 5);
        Tensor k = f.uniform(DType.FLOAT64, 2, 1, 2, 14, 5);
        Tensor v = f.uniform(DType.FLOAT64, 1, 1, 2, 14, 4);
        AttentionOptions o = AttentionOptions.builder().causal(true).build();
        assertMaxDiff(new LengthScaledSoftplusAttention().attend(call(q, k, v).withOptions(o), Fixtures.BACKEND),
            run(call(q, k, v).withParam("p", "1").withOptions(o)), 1e-14);
    }

    @Test
    void largerPowersLowerEveryRowsEntropy() {
        Fixtures f = new Fixtures(82);
        Tensor q = f.uniform(DType.FLOAT64, 3, 1, 1, 7, 4);
        Tensor k = f.uniform(DType.FLOAT64, 3, 1, 1, 12, 4);
        Tensor onehot = NormalizationReference.oneHotValues(DType.FLOAT64, 1, 1, 12);
        double[] previous = null;
        for (String p : new String[] {"1", "2", "4", "8"}) {
            Tensor w = run(call(q, k, onehot).withParam("p", p));
            double[] entropy = new double[7];
            for (int i = 0; i < 7; i++) {
                for (int j = 0; j < 12; j++) {
                    double x = w.get(0, 0, i, j);
                    entropy[i] -= x > 0 ? x * Math.log(x) : 0;
                }
                if (previous != null) {
                    assertTrue(entropy[i] < previous[i], "row " + i + " p=" + p);
                }
            }
            previous = entropy;
        }
    }

    @Test
    void badPowerAndThresholdAreNamed() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 2, 3, 4);
        assertArgument("--opt p", () -> run(call(x, x, x).withParam("p", "0")));
        assertArgument("--opt p", () -> run(call(x, x, x).withParam("p", "two")));
        assertArgument("--opt threshold", () -> run(call(x, x, x).withParam("threshold", "1")));
        assertArgument("--opt threshold", () -> run(call(x, x, x).withParam("threshold", "-0.1")));
    }
}

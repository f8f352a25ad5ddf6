package org.attune.attention.normalization;

import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.attune.api.attention.AttentionMechanism;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.attune.attention.core.AttentionContract;
import org.attune.attention.core.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SlotAttentionTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new SlotAttention();
    }

    @Override
    protected boolean acceptsMasks() {
        return false;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesAlgorithmOneWithoutTheLearnedLayers(DType dtype) {
        Fixtures f = new Fixtures(34);
        Tensor slots = f.uniform(dtype, 1, 2, 4, 5, 6);
        Tensor k = f.uniform(dtype, 1, 2, 2, 31, 6);
        Tensor v = f.uniform(dtype, 1, 2, 2, 31, 6);
        assertClose("slot-attention T=1 gqa", NormalizationReference.slots(array(slots), array(k), array(v),
            1 / Math.sqrt(6), 1), run(slots, k, v));
        assertClose("slot-attention T=3 gqa", NormalizationReference.slots(array(slots), array(k), array(v),
            1 / Math.sqrt(6), 3), run(call(slots, k, v).withParam("iterations", "3")));
    }

    @Test
    void oneSlotTakesTheMeanOfTheValues() {
        Fixtures f = new Fixtures(35);
        Tensor slot = f.uniform(DType.FLOAT64, 1, 1, 2, 1, 4);
        Tensor k = f.uniform(DType.FLOAT64, 1, 1, 2, 9, 4);
        Tensor v = f.uniform(DType.FLOAT64, 1, 1, 2, 9, 3);
        Tensor out = run(slot, k, v);
        for (int h = 0; h < 2; h++) {
            for (int e = 0; e < 3; e++) {
                double mean = 0;
                for (int j = 0; j < 9; j++) {
                    mean += v.get(0, h, j, e) / 9;
                }
                assertEquals(mean, out.get(0, h, 0, e), 1e-15);
            }
        }
    }

    @Test
    void slotsShareEachInputAndTakeAWeightedMean() {
        Fixtures f = new Fixtures(36);
        Tensor slots = f.uniform(DType.FLOAT64, 2, 1, 1, 4, 5);
        Tensor k = f.uniform(DType.FLOAT64, 2, 1, 1, 12, 5);
        Tensor w = run(slots, k, NormalizationReference.oneHotValues(DType.FLOAT64, 1, 1, 12));
        double[] share = new double[12];
        for (int i = 0; i < 4; i++) {
            double row = 0;
            for (int j = 0; j < 12; j++) {
                row += w.get(0, 0, i, j);
            }
            assertEquals(1, row, 1e-14, "a slot's weights are a mean");
        }
        for (int j = 0; j < 12; j++) {
            for (int i = 0; i < 4; i++) {
                share[j] += w.get(0, 0, i, j) > 0 ? 1 : 0;
            }
            assertEquals(4, share[j], "every slot takes a share of every input");
        }
    }

    @Test
    void iteratingNeedsValuesOfTheSlotWidth() {
        Tensor q = Tensor.zeros(DType.FLOAT32, 1, 2, 3, 4);
        Tensor k = Tensor.zeros(DType.FLOAT32, 1, 2, 5, 4);
        assertArgument("v", () -> run(call(q, k, Tensor.zeros(DType.FLOAT32, 1, 2, 5, 3)).withParam("iterations", "2")));
        assertArgument("--opt iterations", () -> run(call(q, k, k).withParam("iterations", "0")));
    }
}

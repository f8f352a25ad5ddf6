package org.attune.attention.normalization;

import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.attune.api.attention.AttentionMechanism;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.attune.attention.core.AttentionContract;
import org.attune.attention.core.Fixtures;
import org.attune.attention.core.Float64Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ReversedAttentionTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new ReversedAttention();
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesFloat64ReferenceWithMaskBiasAndGroupedHeads(DType dtype) {
        Fixtures f = new Fixtures(28);
        Tensor q = f.uniform(dtype, 1, 2, 4, 19, 6);
        Tensor k = f.uniform(dtype, 1, 2, 2, 23, 6);
        Tensor v = f.uniform(dtype, 1, 2, 2, 23, 5);
        Tensor mask = f.mask(0.8, 19, 23);
        Tensor bias = f.uniform(DType.FLOAT64, 0.5, 4, 19, 23);
        AttentionOptions o = AttentionOptions.builder().mask(mask).bias(bias).causal(true).build();
        assertClose("reversed mask+bias+causal gqa", NormalizationReference.reversed(array(q), array(k), array(v),
            1 / Math.sqrt(6), mask, true, bias), run(call(q, k, v).withOptions(o)));
    }

    @Test
    void columnsSumToOne() {
        Fixtures f = new Fixtures(29);
        Tensor q = f.uniform(DType.FLOAT64, 2, 2, 3, 7, 4);
        Tensor k = f.uniform(DType.FLOAT64, 2, 2, 3, 10, 4);
        Tensor a = run(q, k, NormalizationReference.oneHotValues(DType.FLOAT64, 2, 3, 10));
        for (int b = 0; b < 2; b++) {
            for (int h = 0; h < 3; h++) {
                for (int j = 0; j < 10; j++) {
                    double sum = 0;
                    for (int i = 0; i < 7; i++) {
                        sum += a.get(b, h, i, j);
                    }
                    assertEquals(1, sum, 1e-14);
                }
            }
        }
    }

    @Test
    void isTheTransposeOfSoftmaxAttentionWithTheRolesSwapped() {
        Fixtures f = new Fixtures(30);
        Tensor q = f.uniform(DType.FLOAT64, 2, 1, 2, 7, 4);
        Tensor k = f.uniform(DType.FLOAT64, 2, 1, 2, 10, 4);
        Tensor a = run(q, k, NormalizationReference.oneHotValues(DType.FLOAT64, 1, 2, 10));
        double[][][][] swapped = Float64Reference.sdpa(array(k), array(q),
            array(NormalizationReference.oneHotValues(DType.FLOAT64, 1, 2, 7)), 0.5, false, null, null);
        double[][][][] transposed = new double[1][2][7][10];
        for (int h = 0; h < 2; h++) {
            for (int i = 0; i < 7; i++) {
                for (int j = 0; j < 10; j++) {
                    transposed[0][h][i][j] = swapped[0][h][j][i];
                }
            }
        }
        assertClose("reversed = softmax_row(K Qᵀ)ᵀ", transposed, a);
    }
}

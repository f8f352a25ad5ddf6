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

class SinkhornAttentionTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new SinkhornAttention();
    }

    @Override
    protected boolean acceptsMasks() {
        return false;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesTheProbabilityDomainReference(DType dtype) {
        Fixtures f = new Fixtures(31);
        Tensor q = f.uniform(dtype, 1, 2, 4, 13, 6);
        Tensor k = f.uniform(dtype, 1, 2, 2, 17, 6);
        Tensor v = f.uniform(dtype, 1, 2, 2, 17, 5);
        AttentionOptions o = AttentionOptions.builder().scale(0.8).build();
        assertClose("sinkhorn T=4 eps=0.5 gqa", NormalizationReference.sinkhorn(array(q), array(k), array(v), 0.8, 4, 0.5),
            run(call(q, k, v).withParam("iterations", "4").withParam("epsilon", "0.5").withOptions(o)));
    }

    @Test
    void rowsAndColumnsSumToTheMarginals() {
        Fixtures f = new Fixtures(32);
        Tensor q = f.uniform(DType.FLOAT64, 2, 2, 2, 6, 4);
        Tensor k = f.uniform(DType.FLOAT64, 2, 2, 2, 9, 4);
        Tensor plan = run(call(q, k, NormalizationReference.oneHotValues(DType.FLOAT64, 2, 2, 9))
            .withParam("iterations", "500"));
        for (int b = 0; b < 2; b++) {
            for (int h = 0; h < 2; h++) {
                for (int i = 0; i < 6; i++) {
                    double row = 0;
                    for (int j = 0; j < 9; j++) {
                        row += plan.get(b, h, i, j);
                    }
                    assertEquals(1, row, 1e-13, "row " + i);
                }
                for (int j = 0; j < 9; j++) {
                    double column = 0;
                    for (int i = 0; i < 6; i++) {
                        column += plan.get(b, h, i, j);
                    }
                    assertEquals(6.0 / 9, column, 1e-10, "column " + j);
                }
            }
        }
    }

    @Test
    void oneIterationIsSoftmaxAttention() {
        Fixtures f = new Fixtures(33);
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 2, 8, 4);
        Tensor k = f.uniform(DType.FLOAT64, 1, 1, 2, 11, 4);
        Tensor v = f.uniform(DType.FLOAT64, 1, 1, 2, 11, 3);
        assertClose("sinkhorn T=1 = sdpa", Float64Reference.sdpa(array(q), array(k), array(v), 0.5, false, null, null),
            run(call(q, k, v).withParam("iterations", "1")));
    }

    @Test
    void badIterationsAndEpsilonAreNamed() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 2, 3, 4);
        assertArgument("--opt iterations", () -> run(call(x, x, x).withParam("iterations", "0")));
        assertArgument("--opt epsilon", () -> run(call(x, x, x).withParam("epsilon", "-1")));
        assertArgument("--opt epsilon", () -> run(call(x, x, x).withParam("epsilon", "NaN")));
    }
}

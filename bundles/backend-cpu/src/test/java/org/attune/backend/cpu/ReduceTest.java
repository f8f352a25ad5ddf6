package org.attune.backend.cpu;

import static org.attune.backend.cpu.MatmulTest.assertArgument;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.attune.api.backend.Reduction;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ReduceTest {
    private final Nd4jCpuBackend backend = new Nd4jCpuBackend();
    private final RandomTensors random = new RandomTensors(53);

    @ParameterizedTest
    @EnumSource(Reduction.class)
    void middleAxisBothTypes(Reduction r) {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor x = random.uniform(dtype, -3, 3, 3, 5, 4);
            Tensor ref = Float64Reference.reduceMiddle(r, x);
            Tensor dropped = backend.reduce(r, x, 1, false);
            Closeness.assertClose(ref, dropped);
            Tensor kept = backend.reduce(r, x, -2, true);
            assertArrayEquals(new int[] {3, 1, 4}, kept.shape());
            Closeness.assertClose(ref, kept.reshape(3, 4));
        }
    }

    @Test
    void logSumExpOfLargeValuesIsStable() {
        Tensor x = Tensor.of(new double[] {1000, 1001, 999, -1000, -1001, -999}, 2, 3);
        Tensor r = backend.reduce(Reduction.LOG_SUM_EXP, x, 1, false);
        double lse = Math.log(Math.exp(-1) + 1 + Math.exp(-2));
        assertEquals(1001 + lse, r.get(0), 1e-12);
        assertEquals(-999 + lse, r.get(1), 1e-12);
        Tensor f = backend.reduce(Reduction.LOG_SUM_EXP, x.to(DType.FLOAT32), 1, false);
        assertEquals(1001 + lse, f.get(0), 1e-3);
    }

    @Test
    void emptyAxis() {
        Tensor x = Tensor.zeros(DType.FLOAT64, 2, 0);
        assertEquals(Double.NEGATIVE_INFINITY, backend.reduce(Reduction.MAX, x, 1, false).get(0));
        assertEquals(Double.POSITIVE_INFINITY, backend.reduce(Reduction.MIN, x, 1, false).get(1));
        assertEquals(Double.NEGATIVE_INFINITY, backend.reduce(Reduction.LOG_SUM_EXP, x, 1, false).get(0));
        assertEquals(0.0, backend.reduce(Reduction.SUM, x, 1, false).get(0));
    }

    @Test
    void rejectsBadAxis() {
        Tensor x = random.uniform(DType.FLOAT32, -1, 1, 2, 3);
        assertArgument("axis", () -> backend.reduce(Reduction.SUM, x, 2, false));
        assertArgument("axis", () -> backend.reduce(Reduction.SUM, x, -3, true));
    }
}

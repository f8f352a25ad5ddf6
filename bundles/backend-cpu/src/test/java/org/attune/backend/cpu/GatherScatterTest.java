package org.attune.backend.cpu;

import static org.attune.backend.cpu.MatmulTest.assertArgument;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class GatherScatterTest {
    private final Nd4jCpuBackend backend = new Nd4jCpuBackend();
    private final RandomTensors random = new RandomTensors(67);

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void gatherRows(DType dtype) {
        Tensor x = random.normal(dtype, 5, 2, 3);
        Tensor index = Tensor.of(new long[] {4, 0, 4, 2}, 4);
        Tensor r = backend.gather(x, index);
        assertArrayEquals(new int[] {4, 2, 3}, r.shape());
        for (int i = 0; i < 4; i++) {
            for (int a = 0; a < 2; a++) {
                for (int c = 0; c < 3; c++) {
                    assertEquals(x.get((int) index.get(i), a, c), r.get(i, a, c));
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void scatterAddSumsRepeatedIndices(DType dtype) {
        Tensor src = random.normal(dtype, 6, 3);
        Tensor index = Tensor.of(new long[] {2, 0, 2, 3, 2, 0}, 6);
        Tensor r = backend.scatterAdd(src, index, 5);
        Tensor ref = Tensor.zeros(DType.FLOAT64, 5, 3);
        for (int i = 0; i < 6; i++) {
            for (int c = 0; c < 3; c++) {
                int row = (int) index.get(i);
                ref.set(ref.get(row, c) + src.get(i, c), row, c);
            }
        }
        Closeness.assertClose(ref, r);
        assertEquals(0.0, r.get(1, 0));
        assertEquals(0.0, r.get(4, 2));
    }

    @Test
    void indicesAreBoundsChecked() {
        Tensor x = random.normal(DType.FLOAT32, 3, 2);
        assertArgument("index", () -> backend.gather(x, Tensor.of(new long[] {0, 3}, 2)));
        assertArgument("index", () -> backend.gather(x, Tensor.of(new long[] {-1}, 1)));
        assertArgument("index", () -> backend.gather(x, Tensor.of(new double[] {0}, 1)));
        assertArgument("index", () -> backend.gather(x, Tensor.of(new long[] {0, 1}, 1, 2)));
        assertArgument("index", () -> backend.scatterAdd(x, Tensor.of(new long[] {0, 1, 4}, 3), 4));
        assertArgument("index", () -> backend.scatterAdd(x, Tensor.of(new long[] {0, 1}, 2), 3));
        assertArgument("size", () -> backend.scatterAdd(x, Tensor.of(new long[] {0, 1, 2}, 3), -1));
        assertArgument("x", () -> backend.gather(Tensor.scalar(DType.FLOAT32, 1), Tensor.of(new long[] {0}, 1)));
        InvalidInputException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidInputException.class,
            () -> backend.gather(x, Tensor.of(new long[] {7}, 1)));
        assertTrue(e.getMessage().contains("7"), e.getMessage());
    }
}

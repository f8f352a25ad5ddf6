package org.attune.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.attune.api.backend.BackendDeclinedException;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MatmulTest {
    private final Nd4jCpuBackend backend = new Nd4jCpuBackend();
    private final RandomTensors random = new RandomTensors(11);

    private static int[] operand(boolean transpose, int batch, int rows, int cols) {
        return transpose ? new int[] {batch, cols, rows} : new int[] {batch, rows, cols};
    }

    @ParameterizedTest
    @CsvSource({"FLOAT32,false,false", "FLOAT32,true,false", "FLOAT32,false,true", "FLOAT32,true,true",
        "FLOAT64,false,false", "FLOAT64,true,false", "FLOAT64,false,true", "FLOAT64,true,true"})
    void batchedMatchesReference(DType dtype, boolean ta, boolean tb) {
        Tensor a = random.normal(dtype, operand(ta, 3, 5, 7));
        Tensor b = random.normal(dtype, operand(tb, 3, 7, 4));
        Tensor r = backend.matmul(a, b, ta, tb, null);
        assertEquals(dtype, r.dtype());
        Closeness.assertClose(Float64Reference.matmul(a, b, ta, tb), r);
    }

    @ParameterizedTest
    @CsvSource({"FLOAT32,false,false", "FLOAT32,true,true", "FLOAT64,false,true", "FLOAT64,true,false"})
    void sharedRankTwoB(DType dtype, boolean ta, boolean tb) {
        Tensor a = random.normal(dtype, operand(ta, 4, 3, 6));
        Tensor b = random.normal(dtype, tb ? new int[] {5, 6} : new int[] {6, 5});
        Closeness.assertClose(Float64Reference.matmul(a, b, ta, tb), backend.matmul(a, b, ta, tb, null));
    }

    @ParameterizedTest
    @CsvSource({"FLOAT32", "FLOAT64"})
    void rankTwoAndRankFour(DType dtype) {
        Tensor a2 = random.normal(dtype, 6, 9);
        Tensor b2 = random.normal(dtype, 9, 3);
        Tensor r2 = backend.matmul(a2, b2, false, false, null);
        Closeness.assertClose(Float64Reference.matmul(a2.reshape(1, 6, 9), b2.reshape(1, 9, 3), false, false),
            r2.reshape(1, 6, 3));

        Tensor a4 = random.normal(dtype, 2, 3, 4, 5);
        Tensor b4 = random.normal(dtype, 2, 3, 6, 5);
        Tensor r4 = backend.matmul(a4, b4, false, true, null);
        assertEquals(Tensor.format(new int[] {2, 3, 4, 6}), Tensor.format(r4.shape()));
        Closeness.assertClose(Float64Reference.matmul(a4.reshape(6, 4, 5), b4.reshape(6, 6, 5), false, true),
            r4.reshape(6, 4, 6));
    }

    @Test
    void writesIntoOutAndReadsViews() {
        Tensor big = random.normal(DType.FLOAT32, 5, 4, 3);
        Tensor a = big.slice(2, 4); // a view at a non-zero offset
        Tensor b = random.normal(DType.FLOAT32, 2, 3, 2);
        Tensor out = Tensor.zeros(DType.FLOAT32, 2, 4, 2);
        assertSame(out, backend.matmul(a, b, false, false, out));
        Closeness.assertClose(Float64Reference.matmul(a, b, false, false), out);
        assertEquals(5 * 4 * 3, big.size(), "inputs untouched");
    }

    @Test
    void emptyInnerDimensionGivesZeros() {
        Tensor out = Tensor.of(new double[] {7, 7, 7, 7}, 2, 2);
        backend.matmul(Tensor.zeros(DType.FLOAT64, 2, 0), Tensor.zeros(DType.FLOAT64, 0, 2), false, false, out);
        assertEquals(0.0, out.sum());
    }

    @Test
    void rejectsBadShapesNamingTheArgument() {
        Tensor a = random.normal(DType.FLOAT32, 2, 3, 4);
        assertArgument("a", () -> backend.matmul(Tensor.zeros(DType.FLOAT32, 4), a, false, false, null));
        assertArgument("b", () -> backend.matmul(a, random.normal(DType.FLOAT32, 2, 5, 2), false, false, null));
        assertArgument("b", () -> backend.matmul(a, random.normal(DType.FLOAT32, 3, 4, 2), false, false, null));
        assertArgument("b", () -> backend.matmul(a, random.normal(DType.FLOAT64, 4, 2), false, false, null));
        assertArgument("out", () -> backend.matmul(a, random.normal(DType.FLOAT32, 4, 2), false, false,
            Tensor.zeros(DType.FLOAT32, 2, 3, 3)));
        assertArgument("out", () -> backend.matmul(a, random.normal(DType.FLOAT32, 4, 2), false, false,
            Tensor.zeros(DType.FLOAT64, 2, 3, 2)));
    }

    @Test
    void declinesIntegerTensors() {
        Tensor a = Tensor.zeros(DType.INT64, 2, 2);
        BackendDeclinedException e = assertThrows(BackendDeclinedException.class,
            () -> backend.matmul(a, a, false, false, null));
        assertEquals("cpu", e.backend());
        assertTrue(e.getMessage().contains("float32 and float64 only"), e.getMessage());
    }

    static void assertArgument(String argument, Runnable call) {
        InvalidInputException e = assertThrows(InvalidInputException.class, call::run);
        assertEquals(argument, e.argument(), e.getMessage());
        assertTrue(e.getMessage().startsWith(argument + ": "), e.getMessage());
    }
}

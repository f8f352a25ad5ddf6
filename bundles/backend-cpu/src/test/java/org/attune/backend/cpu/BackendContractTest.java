package org.attune.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Dictionary;

import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.BackendDeclinedException;
import org.attune.api.backend.BinaryOp;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.backend.Operation;
import org.attune.api.backend.Reduction;
import org.attune.api.backend.Support;
import org.attune.api.backend.UnaryOp;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;

class BackendContractTest {
    private final Nd4jCpuBackend backend = new Nd4jCpuBackend();

    @Test
    void supportsExactlyFloat32AndFloat64() {
        for (Operation op : Operation.values()) {
            assertTrue(backend.supports(op, DType.FLOAT32).supported());
            assertTrue(backend.supports(op, DType.FLOAT64).supported());
            Support no = backend.supports(op, DType.INT64);
            assertFalse(no.supported());
            assertTrue(no.reason().contains("float32 and float64 only"), no.reason());
            assertFalse(backend.supports(op, DType.BOOL).supported());
        }
    }

    @Test
    void declinesOtherTypesConsistentlyWithSupports() {
        Tensor i = Tensor.of(new long[] {1, 2, 3, 4}, 2, 2);
        Tensor index = Tensor.of(new long[] {0}, 1);
        Runnable[] calls = {
            () -> backend.matmul(i, i, false, false, null),
            () -> backend.softmax(i, 1, null, null),
            () -> backend.unary(UnaryOp.EXP, i, null),
            () -> backend.binary(BinaryOp.ADD, i, i, null),
            () -> backend.reduce(Reduction.SUM, i, 0, false),
            () -> backend.gather(i, index),
            () -> backend.scatterAdd(i, Tensor.of(new long[] {0, 1}, 2), 2)};
        for (Runnable call : calls) {
            BackendDeclinedException e = assertThrows(BackendDeclinedException.class, call::run);
            assertEquals("cpu", e.backend());
            assertEquals(backend.supports(Operation.MATMUL, DType.INT64).reason(), e.reason());
        }
        // attention validates through AttentionProblem like every backend: integer q is invalid input
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> backend.attention(
            Tensor.zeros(DType.INT64, 1, 1, 1, 1), Tensor.zeros(DType.INT64, 1, 1, 1, 1),
            Tensor.zeros(DType.INT64, 1, 1, 1, 1), AttentionOptions.defaults(), null));
        assertEquals("q", e.argument());
    }

    @Test
    void serviceProperties() {
        Dictionary<String, Object> p = Nd4jCpuBackend.serviceProperties();
        assertEquals("cpu", p.get(ComputeBackend.ID));
        assertEquals("cpu", backend.id());
        assertEquals("Nd4j CPU (OpenBLAS)", p.get(ComputeBackend.NAME));
        String device = (String) p.get(ComputeBackend.DEVICE);
        assertTrue(device.matches("CPU, \\d+ cores?, Nd4j 1\\.0\\.0-M2\\.1 (AVX512|AVX2|generic x86-64)"), device);
        assertArrayEquals(Arrays.stream(Operation.values()).map(Operation::id).toArray(String[]::new),
            (String[]) p.get(ComputeBackend.OPERATIONS));
        assertArrayEquals(new String[] {"f32", "f64"}, (String[]) p.get(ComputeBackend.DTYPES));
        assertEquals(Integer.valueOf(100), p.get("service.ranking"));
    }
}

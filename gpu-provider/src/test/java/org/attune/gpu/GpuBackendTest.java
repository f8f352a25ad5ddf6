package org.attune.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.BackendDeclinedException;
import org.attune.api.backend.BinaryOp;
import org.attune.api.backend.Operation;
import org.attune.api.backend.Reduction;
import org.attune.api.backend.UnaryOp;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * What the backend declines before touching a device, and the tables that tie Java enums to kernel codes. (A
 * backend without a session answers and declines; every computing path needs a GPU: gpu-check.sh.)
 */
class GpuBackendTest {
    private final GpuBackend backend = new GpuBackend(null);

    @Test
    void supportsFloat32OnlyAndNotTheIndexOperations() {
        for (Operation op : GpuBackend.OPERATIONS) {
            assertTrue(backend.supports(op, DType.FLOAT32).supported(), op.id());
            assertFalse(backend.supports(op, DType.FLOAT64).supported(), op.id());
            assertTrue(backend.supports(op, DType.FLOAT64).reason().contains("f64"));
        }
        assertFalse(backend.supports(Operation.GATHER, DType.FLOAT32).supported());
        assertFalse(backend.supports(Operation.SCATTER_ADD, DType.FLOAT32).reason().isBlank());
    }

    @Test
    void declinesWithTheBackendIdAndReason() {
        Tensor x64 = Tensor.zeros(DType.FLOAT64, 1, 1, 2, 4);
        BackendDeclinedException e = assertThrows(BackendDeclinedException.class,
            () -> backend.attention(x64, x64, x64, AttentionOptions.defaults(), null));
        assertEquals("gpu", e.backend());
        assertTrue(e.reason().contains("f64"), e.reason());
        assertThrows(BackendDeclinedException.class, () -> backend.gather(Tensor.zeros(DType.FLOAT32, 2, 2),
            Tensor.of(new long[] {0}, 1)));
        assertThrows(BackendDeclinedException.class, () -> backend.scatterAdd(Tensor.zeros(DType.FLOAT32, 2, 2),
            Tensor.of(new long[] {0, 1}, 2), 2));
        assertThrows(BackendDeclinedException.class, () -> backend.matmul(Tensor.zeros(DType.FLOAT64, 2, 2),
            Tensor.zeros(DType.FLOAT64, 2, 2), false, false, null));
    }

    @Test
    void everyEnumConstantHasTheKernelCodeOfItsOrdinal() {
        for (UnaryOp op : UnaryOp.values()) {
            assertEquals(op.ordinal(), GpuBackend.UNARY_CODES.get(op), op.name());
        }
        for (BinaryOp op : BinaryOp.values()) {
            assertEquals(op.ordinal(), GpuBackend.BINARY_CODES.get(op), op.name());
        }
        for (Reduction r : Reduction.values()) {
            assertEquals(r.ordinal(), GpuBackend.REDUCTION_CODES.get(r), r.name());
        }
    }

    @Test
    void broadcastStructLayout() {
        int[] s = GpuBackend.broadcastLayout(new int[] {2, 3}, new int[] {3, 1}, new int[] {0, 1});
        assertEquals(25, s.length);
        assertEquals(2, s[0]);
        assertArrayEquals(new int[] {2, 3}, new int[] {s[1], s[2]});
        assertArrayEquals(new int[] {3, 1}, new int[] {s[9], s[10]});
        assertArrayEquals(new int[] {0, 1}, new int[] {s[17], s[18]});
    }

    @Test
    void implementedOptionsPassAndAreRealAccessors() {
        Tensor mask = Tensor.of(new boolean[] {true, false}, 1, 2);
        Tensor bias = Tensor.of(new float[] {0.5f, -1f}, 1, 2);
        AttentionOptions all = AttentionOptions.builder().scale(0.3).causal(true).mask(mask).bias(bias).build();
        assertEquals(List.of(), SupportedOptions.unsupported(all));
        assertEquals(List.of(), SupportedOptions.unsupported(AttentionOptions.defaults()));
        for (String name : SupportedOptions.IMPLEMENTED) {
            assertTrue(hasAccessor(name), "AttentionOptions." + name + "()");
        }
    }

    @Test
    void anyOtherOptionSetIsNamedAndDeclined() throws Exception {
        // every builder setter taking a boolean that is not an implemented option, set to true, must be named
        List<String> tried = new ArrayList<>();
        for (Method m : AttentionOptions.Builder.class.getMethods()) {
            if (m.getParameterCount() == 1 && m.getParameterTypes()[0] == boolean.class
                && !SupportedOptions.IMPLEMENTED.contains(m.getName())) {
                AttentionOptions.Builder b = AttentionOptions.builder();
                m.invoke(b, true);
                AttentionOptions o = b.build();
                List<String> named = SupportedOptions.unsupported(o);
                assertFalse(named.isEmpty(), m.getName() + "(true) is not detected");
                Tensor q = Tensor.zeros(DType.FLOAT32, 1, 1, 2, 4);
                BackendDeclinedException e = assertThrows(BackendDeclinedException.class,
                    () -> backend.attention(q, q, q, o, null));
                assertTrue(e.reason().contains(named.get(0)), e.reason());
                tried.add(m.getName());
            }
        }
        Assumptions.assumeFalse(tried.isEmpty(), "the API has no boolean attention option beyond causal yet");
    }

    private static boolean hasAccessor(String name) {
        try {
            Method m = AttentionOptions.class.getMethod(name);
            return !Modifier.isStatic(m.getModifiers());
        } catch (NoSuchMethodException e) {
            return false;
        }
    }
}

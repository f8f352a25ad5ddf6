package org.attune.backend.cpu;

import static org.attune.backend.cpu.MatmulTest.assertArgument;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.attune.api.backend.BinaryOp;
import org.attune.api.backend.UnaryOp;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ElementwiseTest {
    private final Nd4jCpuBackend backend = new Nd4jCpuBackend();
    private final RandomTensors random = new RandomTensors(41);

    /** Inputs inside each function's domain: positive for LOG and SQRT, away from 0 for RECIPROCAL. */
    private Tensor inputFor(UnaryOp op, DType dtype) {
        return switch (op) {
            case LOG, SQRT -> random.uniform(dtype, 0.01, 10, 3, 17);
            case RECIPROCAL -> random.uniform(dtype, 0.5, 4, 3, 17);
            default -> random.uniform(dtype, -4, 4, 3, 17);
        };
    }

    private static Tensor reference(UnaryOp op, Tensor x) {
        Tensor r = Tensor.zeros(DType.FLOAT64, x.shape());
        for (int i = 0; i < x.size(); i++) {
            r.setFlat(i, Float64Reference.unary(op, x.getFlat(i)));
        }
        return r;
    }

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void unaryFloat32(UnaryOp op) {
        Tensor x = inputFor(op, DType.FLOAT32);
        Closeness.assertClose(reference(op, x), backend.unary(op, x, null));
    }

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void unaryFloat64(UnaryOp op) {
        Tensor x = inputFor(op, DType.FLOAT64);
        Closeness.assertClose(reference(op, x), backend.unary(op, x, null));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void extremeArgumentsStayFinite(DType dtype) {
        Tensor x = Tensor.of(new double[] {-100, -30, 0, 30, 100}, 5).to(dtype);
        for (UnaryOp op : new UnaryOp[] {UnaryOp.SOFTPLUS, UnaryOp.SIGMOID, UnaryOp.TANH, UnaryOp.GELU, UnaryOp.ELU}) {
            Closeness.assertClose(reference(op, x), backend.unary(op, x, null));
        }
        assertEquals(100.0, backend.unary(UnaryOp.SOFTPLUS, x, null).get(4), 1e-12);
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void binaryWithBroadcasting(BinaryOp op) {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor a = random.uniform(dtype, 0.5, 2, 2, 1, 4);
            Tensor b = random.uniform(dtype, -2, 2, 3, 1);
            Tensor r = backend.binary(op, a, b, null);
            Closeness.assertClose(Float64Reference.binary(op, a, b, new int[] {2, 3, 4}), r);
            Tensor s = Tensor.scalar(dtype, 1.5);
            Closeness.assertClose(Float64Reference.binary(op, s, a, a.shape()), backend.binary(op, s, a, null));
        }
    }

    @Test
    void binaryWritesIntoOutFromViews() {
        Tensor big = random.uniform(DType.FLOAT64, -1, 1, 4, 3);
        Tensor a = big.slice(1, 3);
        Tensor b = random.uniform(DType.FLOAT64, -1, 1, 3);
        Tensor out = Tensor.zeros(DType.FLOAT64, 2, 3);
        assertSame(out, backend.binary(BinaryOp.SUB, a, b, out));
        Closeness.assertClose(Float64Reference.binary(BinaryOp.SUB, a, b, new int[] {2, 3}), out);
        Tensor u = Tensor.zeros(DType.FLOAT64, 2, 3);
        assertSame(u, backend.unary(UnaryOp.EXP, a, u));
        Closeness.assertClose(reference(UnaryOp.EXP, a), u);
    }

    @Test
    void rejectsBadArguments() {
        Tensor a = random.uniform(DType.FLOAT32, -1, 1, 2, 3);
        assertArgument("b", () -> backend.binary(BinaryOp.ADD, a, random.uniform(DType.FLOAT32, -1, 1, 4), null));
        assertArgument("b", () -> backend.binary(BinaryOp.ADD, a, random.uniform(DType.FLOAT64, -1, 1, 3), null));
        assertArgument("out", () -> backend.binary(BinaryOp.ADD, a, a, Tensor.zeros(DType.FLOAT32, 3, 2)));
        assertArgument("out", () -> backend.unary(UnaryOp.NEG, a, Tensor.zeros(DType.FLOAT64, 2, 3)));
    }
}

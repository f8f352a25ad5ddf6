package org.attune.backend.java;

import static org.attune.backend.java.AttentionKernelTest.assertArgument;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

import org.attune.api.backend.BackendDeclinedException;
import org.attune.api.backend.BinaryOp;
import org.attune.api.backend.Operation;
import org.attune.api.backend.Reduction;
import org.attune.api.backend.UnaryOp;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The non-attention operations of {@link JavaBackend} against literal formulas, in float32 and float64. */
class JavaBackendTest {
    private final JavaBackend backend = new JavaBackend();

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matmulMatchesTheSumWithTransposesAndSharedRight(DType dtype) {
        Inputs in = new Inputs(11);
        Tensor a = in.uniform(dtype, 1, 3, 7, 5);
        Tensor b = in.uniform(dtype, 1, 3, 6, 7);
        Tensor c = backend.matmul(a, b, true, true, null);
        assertArrayEquals(new int[] {3, 5, 6}, c.shape());
        for (int t = 0; t < 3; t++) {
            for (int i = 0; i < 5; i++) {
                for (int j = 0; j < 6; j++) {
                    double s = 0;
                    for (int p = 0; p < 7; p++) {
                        s += a.get(t, p, i) * b.get(t, j, p);
                    }
                    assertEquals(dtype == DType.FLOAT32 ? (float) s : s, c.get(t, i, j), 0.0);
                }
            }
        }
        Tensor w = in.uniform(dtype, 1, 5, 4);
        Tensor x = in.uniform(dtype, 1, 2, 3, 5);
        Tensor y = backend.matmul(x, w, false, false, null);
        assertArrayEquals(new int[] {2, 3, 4}, y.shape());
        double s = 0;
        for (int p = 0; p < 5; p++) {
            s += x.get(1, 2, p) * w.get(p, 3);
        }
        assertEquals(dtype == DType.FLOAT32 ? (float) s : s, y.get(1, 2, 3), 0.0);
    }

    @Test
    void matmulRejectsBadShapes() {
        Tensor a = Tensor.zeros(DType.FLOAT64, 2, 3, 4);
        assertArgument("a", () -> backend.matmul(Tensor.zeros(DType.FLOAT64, 4), a, false, false, null));
        assertArgument("b", () -> backend.matmul(a, Tensor.zeros(DType.FLOAT64, 5, 2), false, false, null));
        assertArgument("b", () -> backend.matmul(a, Tensor.zeros(DType.FLOAT64, 3, 4, 2), false, false, null));
        assertArgument("b", () -> backend.matmul(a, Tensor.zeros(DType.FLOAT32, 4, 2), false, false, null));
        assertArgument("out", () -> backend.matmul(a, Tensor.zeros(DType.FLOAT64, 4, 2), false, false,
            Tensor.zeros(DType.FLOAT64, 2, 3, 3)));
    }

    @Test
    void softmaxRowsSumToOneAndMaskedEntriesAreZero() {
        Inputs in = new Inputs(12);
        Tensor x = in.uniform(DType.FLOAT64, 500, 3, 6, 4);
        Tensor mask = in.mask(0.6, 6, 1);
        mask.set(0, 2, 0);
        mask.set(0, 4, 0);
        mask.set(1, 1, 0);
        Tensor y = backend.softmax(x, 1, mask, null);
        for (int a = 0; a < 3; a++) {
            for (int c = 0; c < 4; c++) {
                double sum = 0;
                double max = Double.NEGATIVE_INFINITY;
                for (int t = 0; t < 6; t++) {
                    if (mask.get(t, 0) != 0) {
                        max = Math.max(max, x.get(a, t, c));
                    }
                }
                for (int t = 0; t < 6; t++) {
                    double ref = 0;
                    if (mask.get(t, 0) != 0) {
                        double z = 0;
                        for (int u = 0; u < 6; u++) {
                            z += mask.get(u, 0) != 0 ? Math.exp(x.get(a, u, c) - max) : 0;
                        }
                        ref = Math.exp(x.get(a, t, c) - max) / z;
                    }
                    assertEquals(ref, y.get(a, t, c), 1e-15);
                    sum += y.get(a, t, c);
                }
                assertEquals(1.0, sum, 1e-14);
            }
        }
        Tensor none = Tensor.zeros(DType.BOOL, 1, 4);
        Tensor z = backend.softmax(x, -1, none, null);
        assertEquals(0.0, z.sum());
    }

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void unaryMatchesItsDefinition(UnaryOp op) {
        DoubleUnaryOperator f = switch (op) {
            case NEG -> x -> -x;
            case EXP -> Math::exp;
            case LOG -> Math::log;
            case TANH -> Math::tanh;
            case SIGMOID -> x -> 1 / (1 + Math.exp(-x));
            case RELU -> x -> Math.max(x, 0);
            case GELU -> x -> x * NormalCdfTest.phiByIntegration(x);
            case ELU -> x -> x > 0 ? x : Math.exp(x) - 1;
            case SOFTPLUS -> x -> Math.log(1 + Math.exp(x));
            case SQRT -> Math::sqrt;
            case SQUARE -> x -> x * x;
            case ABS -> Math::abs;
            case RECIPROCAL -> x -> 1 / x;
        };
        double[] xs = {-6, -2.5, -1, -0.375, 0.25, 0.75, 1, 2, 4.5, 7};
        Tensor x = Tensor.of(xs.clone(), 2, 5);
        Tensor y64 = backend.unary(op, x, null);
        Tensor y32 = backend.unary(op, x.to(DType.FLOAT32), null);
        for (int i = 0; i < xs.length; i++) {
            double ref = f.applyAsDouble(xs[i]);
            if (Double.isNaN(ref)) {
                assertTrue(Double.isNaN(y64.getFlat(i)), op + "(" + xs[i] + ")");
            } else {
                assertEquals(ref, y64.getFlat(i), 1e-13 * Math.max(1, Math.abs(ref)), op + "(" + xs[i] + ")");
            }
            assertEquals((float) y64.getFlat(i), y32.getFlat(i), 0.0, op + " f32");
        }
    }

    @Test
    void stableFormsHandleLargeArguments() {
        Tensor x = Tensor.of(new double[] {-800, 800}, 2);
        assertArrayEquals(new double[] {0, 800}, backend.unary(UnaryOp.SOFTPLUS, x, null).toDoubleArray());
        assertArrayEquals(new double[] {0, 1}, backend.unary(UnaryOp.SIGMOID, x, null).toDoubleArray());
        assertArrayEquals(new double[] {-0.0, 800}, backend.unary(UnaryOp.GELU, x, null).toDoubleArray());
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void binaryBroadcastsAsNumPy(BinaryOp op) {
        DoubleBinaryOperator f = switch (op) {
            case ADD -> (a, b) -> a + b;
            case SUB -> (a, b) -> a - b;
            case MUL -> (a, b) -> a * b;
            case DIV -> (a, b) -> a / b;
            case MAX -> Math::max;
            case MIN -> Math::min;
            case POW -> Math::pow;
        };
        Inputs in = new Inputs(13);
        Tensor a = backend.unary(UnaryOp.ABS, in.uniform(DType.FLOAT64, 2, 3, 1, 4), null);
        Tensor b = in.uniform(DType.FLOAT64, 2, 5, 1);
        Tensor y = backend.binary(op, a, b, null);
        assertArrayEquals(new int[] {3, 5, 4}, y.shape());
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 5; j++) {
                for (int e = 0; e < 4; e++) {
                    assertEquals(f.applyAsDouble(a.get(i, 0, e), b.get(j, 0)), y.get(i, j, e), 0.0);
                }
            }
        }
        assertArgument("b", () -> backend.binary(op, a, Tensor.zeros(DType.FLOAT64, 3, 3), null));
    }

    @ParameterizedTest
    @EnumSource(Reduction.class)
    void reduceMatchesItsDefinition(Reduction r) {
        Inputs in = new Inputs(14);
        Tensor x = in.uniform(DType.FLOAT64, 3, 2, 5, 3);
        Tensor y = backend.reduce(r, x, 1, false);
        assertArrayEquals(new int[] {2, 3}, y.shape());
        assertArrayEquals(new int[] {2, 1, 3}, backend.reduce(r, x, -2, true).shape());
        for (int a = 0; a < 2; a++) {
            for (int c = 0; c < 3; c++) {
                double sum = 0, max = Double.NEGATIVE_INFINITY, min = Double.POSITIVE_INFINITY, exp = 0;
                for (int t = 0; t < 5; t++) {
                    double v = x.get(a, t, c);
                    sum += v;
                    max = Math.max(max, v);
                    min = Math.min(min, v);
                    exp += Math.exp(v);
                }
                double ref = switch (r) {
                    case SUM -> sum;
                    case MEAN -> sum / 5;
                    case MAX -> max;
                    case MIN -> min;
                    case LOG_SUM_EXP -> Math.log(exp);
                };
                assertEquals(ref, y.get(a, c), 1e-14, r.toString());
            }
        }
    }

    @Test
    void logSumExpIsStable() {
        Tensor x = Tensor.of(new float[] {1000, 1000, -1000, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY,
            Float.NEGATIVE_INFINITY}, 2, 3);
        Tensor y = backend.reduce(Reduction.LOG_SUM_EXP, x, 1, false);
        assertEquals((float) (1000 + Math.log(2)), y.get(0), 0.0);
        assertEquals(Double.NEGATIVE_INFINITY, y.get(1));
        assertEquals(Double.NEGATIVE_INFINITY,
            backend.reduce(Reduction.LOG_SUM_EXP, Tensor.zeros(DType.FLOAT64, 2, 0), 1, false).get(0));
    }

    @Test
    void gatherAndScatterAddMoveRows() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 3, 2);
        Tensor index = Tensor.of(new long[] {2, 0, 2, 1}, 4);
        Tensor g = backend.gather(x, index);
        assertArrayEquals(new double[] {5, 6, 1, 2, 5, 6, 3, 4}, g.toDoubleArray());
        Tensor s = backend.scatterAdd(g.to(DType.FLOAT32), index, 4);
        assertArrayEquals(new int[] {4, 2}, s.shape());
        assertArrayEquals(new float[] {1, 2, 3, 4, 10, 12, 0, 0}, s.toFloatArray());
    }

    @Test
    void indicesAreBoundsChecked() {
        Tensor x = Tensor.zeros(DType.FLOAT64, 3, 2);
        assertArgument("index", () -> backend.gather(x, Tensor.of(new long[] {0, 3}, 2)));
        assertArgument("index", () -> backend.gather(x, Tensor.of(new long[] {-1}, 1)));
        assertArgument("index", () -> backend.gather(x, Tensor.of(new double[] {0}, 1)));
        assertArgument("index", () -> backend.scatterAdd(x, Tensor.of(new long[] {0, 1, 4}, 3), 4));
        assertArgument("index", () -> backend.scatterAdd(x, Tensor.of(new long[] {0, 1}, 2), 4));
        assertArgument("size", () -> backend.scatterAdd(x, Tensor.of(new long[] {0, 1, 0}, 3), -1));
    }

    @Test
    void supportsFloatTypesOnlyAndDeclinesTheRest() {
        for (Operation op : Operation.values()) {
            assertTrue(backend.supports(op, DType.FLOAT32).supported());
            assertTrue(backend.supports(op, DType.FLOAT64).supported());
            assertFalse(backend.supports(op, DType.INT64).supported());
            assertFalse(backend.supports(op, DType.BOOL).reason().isEmpty());
        }
        assertThrows(BackendDeclinedException.class,
            () -> backend.unary(UnaryOp.EXP, Tensor.zeros(DType.INT64, 2), null));
        assertThrows(BackendDeclinedException.class,
            () -> backend.gather(Tensor.zeros(DType.BOOL, 2), Tensor.of(new long[] {0}, 1)));
    }
}

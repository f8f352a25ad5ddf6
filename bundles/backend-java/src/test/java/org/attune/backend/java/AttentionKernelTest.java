package org.attune.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.BackendDeclinedException;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** {@link JavaBackend#attention} against a literal transcription of the formula, and its properties. */
class AttentionKernelTest {
    private final JavaBackend backend = new JavaBackend();

    /**
     * The formula of {@link org.attune.api.backend.ComputeBackend#attention}, element by element:
     * out[b,h,i,:] = Σ_j softmax_j(scale·q·k + bias | mask ∧ causal) v[b,g,j,:], g = h / (Hq/Hkv).
     */
    static double[][][][] reference(Tensor q, Tensor k, Tensor v, double scale, boolean causal, Tensor mask,
                                    Tensor bias) {
        int bN = q.dim(0), hq = q.dim(1), nq = q.dim(2), d = q.dim(3), hkv = k.dim(1), nk = k.dim(2), dv = v.dim(3);
        double[][][][] out = new double[bN][hq][nq][dv];
        for (int b = 0; b < bN; b++) {
            for (int h = 0; h < hq; h++) {
                int g = h / (hq / hkv);
                for (int i = 0; i < nq; i++) {
                    double[] s = new double[nk];
                    boolean[] ok = new boolean[nk];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < nk; j++) {
                        ok[j] = (!causal || j <= i) && (mask == null || read(mask, b, h, i, j) != 0);
                        double dot = 0;
                        for (int e = 0; e < d; e++) {
                            dot += q.get(b, h, i, e) * k.get(b, g, j, e);
                        }
                        s[j] = scale * dot + (bias == null ? 0 : read(bias, b, h, i, j));
                        if (ok[j]) {
                            max = Math.max(max, s[j]);
                        }
                    }
                    double z = 0;
                    for (int j = 0; j < nk; j++) {
                        z += ok[j] ? Math.exp(s[j] - max) : 0;
                    }
                    for (int j = 0; j < nk; j++) {
                        if (ok[j]) {
                            for (int e = 0; e < dv; e++) {
                                out[b][h][i][e] += Math.exp(s[j] - max) / z * v.get(b, g, j, e);
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Reads a tensor broadcast to [B, H, Nq, Nk]: axes of size 1 read index 0. */
    private static double read(Tensor t, int... index) {
        int[] s = t.shape();
        int[] at = new int[s.length];
        for (int a = 0; a < s.length; a++) {
            int i = index[index.length - s.length + a];
            at[a] = s[a] == 1 ? 0 : i;
        }
        return t.get(at);
    }

    static double maxError(double[][][][] ref, Tensor t) {
        double err = 0;
        int f = 0;
        for (double[][][] a : ref) {
            for (double[][] b : a) {
                for (double[] c : b) {
                    for (double x : c) {
                        err = Math.max(err, Math.abs(x - t.getFlat(f++)));
                    }
                }
            }
        }
        assertEquals(t.size(), f, "size");
        return err;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesTheFormulaWithMaskBiasCausalAndGroupedHeads(DType dtype) {
        Inputs in = new Inputs(1);
        Tensor q = in.uniform(dtype, 1, 2, 4, 7, 5);
        Tensor k = in.uniform(dtype, 1, 2, 2, 9, 5);
        Tensor v = in.uniform(dtype, 1, 2, 2, 9, 3);
        Tensor mask = in.mask(0.7, 4, 1, 9);
        Tensor bias = in.uniform(DType.FLOAT64, 0.5, 7, 9);
        AttentionOptions o = AttentionOptions.builder().causal(true).mask(mask).bias(bias).scale(0.3).build();
        Tensor out = backend.attention(q, k, v, o, null);
        assertEquals(dtype, out.dtype());
        double err = maxError(reference(q, k, v, 0.3, true, mask, bias), out);
        assertTrue(err <= (dtype == DType.FLOAT64 ? 1e-14 : 6e-8), "max error " + err);
    }

    @Test
    void groupedHeadsEqualRepeatedKvHeads() {
        Inputs in = new Inputs(2);
        Tensor q = in.uniform(DType.FLOAT64, 1, 1, 6, 5, 4);
        Tensor k = in.uniform(DType.FLOAT64, 1, 1, 2, 8, 4);
        Tensor v = in.uniform(DType.FLOAT64, 1, 1, 2, 8, 4);
        Tensor kr = Tensor.zeros(DType.FLOAT64, 1, 6, 8, 4);
        Tensor vr = Tensor.zeros(DType.FLOAT64, 1, 6, 8, 4);
        for (int h = 0; h < 6; h++) {
            kr.select(0).select(h).copyFrom(k.select(0).select(h / 3));
            vr.select(0).select(h).copyFrom(v.select(0).select(h / 3));
        }
        Tensor grouped = backend.attention(q, k, v, null, null);
        Tensor repeated = backend.attention(q, kr, vr, null, null);
        assertTrue(grouped.contentEquals(repeated));
    }

    @Test
    void allTrueMaskEqualsNoMask() {
        Inputs in = new Inputs(3);
        Tensor q = in.uniform(DType.FLOAT64, 1, 2, 2, 5, 4);
        Tensor k = in.uniform(DType.FLOAT64, 1, 2, 2, 6, 4);
        Tensor v = in.uniform(DType.FLOAT64, 1, 2, 2, 6, 4);
        Tensor all = in.mask(1.1, 2, 2, 5, 6);
        Tensor masked = backend.attention(q, k, v, AttentionOptions.builder().mask(all).build(), null);
        assertTrue(masked.contentEquals(backend.attention(q, k, v, null, null)));
    }

    @Test
    void causalEqualsExplicitLowerTriangularMask() {
        Inputs in = new Inputs(4);
        Tensor q = in.uniform(DType.FLOAT64, 1, 2, 2, 5, 4);
        Tensor k = in.uniform(DType.FLOAT64, 1, 2, 2, 7, 4);
        Tensor v = in.uniform(DType.FLOAT64, 1, 2, 2, 7, 4);
        Tensor tril = Tensor.zeros(DType.BOOL, 5, 7);
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j <= i; j++) {
                tril.set(1, i, j);
            }
        }
        Tensor causal = backend.attention(q, k, v, AttentionOptions.builder().causal(true).build(), null);
        Tensor explicit = backend.attention(q, k, v, AttentionOptions.builder().mask(tril).build(), null);
        assertTrue(causal.contentEquals(explicit));
    }

    @Test
    void fullyMaskedRowIsZero() {
        Inputs in = new Inputs(5);
        Tensor q = in.uniform(DType.FLOAT32, 1, 1, 1, 3, 4);
        Tensor k = in.uniform(DType.FLOAT32, 1, 1, 1, 4, 4);
        Tensor v = in.uniform(DType.FLOAT32, 1, 1, 1, 4, 4);
        Tensor mask = Tensor.of(new boolean[] {true, false, true, true, false, false, false, false, true, true, true,
            true}, 3, 4);
        Tensor out = backend.attention(q, k, v, AttentionOptions.builder().mask(mask).build(), null);
        for (int e = 0; e < 4; e++) {
            assertEquals(0.0, out.get(0, 0, 1, e));
            assertTrue(out.get(0, 0, 0, e) != 0);
        }
    }

    @Test
    void largeLogitsStayFiniteAndCorrect() {
        Inputs in = new Inputs(6);
        Tensor q = in.uniform(DType.FLOAT64, 40, 1, 2, 6, 8);
        Tensor k = in.uniform(DType.FLOAT64, 40, 1, 2, 6, 8);
        Tensor v = in.uniform(DType.FLOAT64, 1, 1, 2, 6, 8);
        AttentionOptions o = AttentionOptions.builder().scale(1.0).build();
        Tensor out = backend.attention(q, k, v, o, null);
        double[][][][] ref = reference(q, k, v, 1.0, false, null, null);
        for (int i = 0; i < out.size(); i++) {
            assertTrue(Double.isFinite(out.getFlat(i)));
        }
        assertTrue(maxError(ref, out) <= 1e-14);
        double largest = 0;
        for (int h = 0; h < 2; h++) {
            for (int i = 0; i < 6; i++) {
                for (int j = 0; j < 6; j++) {
                    double dot = 0;
                    for (int e = 0; e < 8; e++) {
                        dot += q.get(0, h, i, e) * k.get(0, h, j, e);
                    }
                    largest = Math.max(largest, Math.abs(dot));
                }
            }
        }
        assertTrue(largest > 400, "largest logit " + largest);
    }

    @Test
    void writesIntoOut() {
        Inputs in = new Inputs(7);
        Tensor q = in.uniform(DType.FLOAT32, 1, 1, 2, 3, 4);
        Tensor out = Tensor.zeros(DType.FLOAT32, 1, 2, 3, 4);
        Tensor r = backend.attention(q, q, q, null, out);
        assertTrue(r == out);
        assertTrue(out.contentEquals(backend.attention(q, q, q, null, null)));
    }

    @Test
    void badShapesNameTheArgument() {
        Tensor q = Tensor.zeros(DType.FLOAT32, 1, 4, 3, 8);
        assertArgument("q", () -> backend.attention(Tensor.zeros(DType.FLOAT32, 4, 3, 8), q, q, null, null));
        assertArgument("k", () -> backend.attention(q, Tensor.zeros(DType.FLOAT32, 1, 4, 3, 7), q, null, null));
        assertArgument("k", () -> backend.attention(q, Tensor.zeros(DType.FLOAT32, 1, 3, 3, 8),
            Tensor.zeros(DType.FLOAT32, 1, 3, 3, 8), null, null));
        assertArgument("v", () -> backend.attention(q, q, Tensor.zeros(DType.FLOAT32, 1, 4, 2, 8), null, null));
        assertArgument("k", () -> backend.attention(q, q.to(DType.FLOAT64), q, null, null));
        assertArgument("mask", () -> backend.attention(q, q, q,
            AttentionOptions.builder().mask(Tensor.zeros(DType.BOOL, 2, 3)).build(), null));
        assertArgument("bias", () -> backend.attention(q, q, q,
            AttentionOptions.builder().bias(Tensor.zeros(DType.FLOAT32, 5, 3, 3)).build(), null));
        assertArgument("out", () -> backend.attention(q, q, q, null, Tensor.zeros(DType.FLOAT32, 1, 4, 3, 7)));
    }

    @Test
    void declinesIntegerTensors() {
        Tensor q = Tensor.zeros(DType.INT64, 1, 1, 2, 2);
        BackendDeclinedException e = assertThrows(BackendDeclinedException.class,
            () -> backend.attention(q, q, q, null, null));
        assertEquals("java", e.backend());
    }

    static void assertArgument(String argument, Runnable call) {
        InvalidInputException e = assertThrows(InvalidInputException.class, call::run);
        assertEquals(argument, e.argument(), e.getMessage());
        assertTrue(e.getMessage().startsWith(argument + ": "), e.getMessage());
    }
}

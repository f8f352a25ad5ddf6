package org.attune.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Function;

import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.AttentionResult;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.attune.backend.java.JavaBackend;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The fused kernel against the pure-Java float64 backend (the reference semantics of every option) and against
 * FlashAttention's accuracy rule: its float32 error against float64 is at most twice the error of the naive float32
 * computation (logits in float32, softmax with the row maximum subtracted, then P·V), computed here.
 *
 * <p>Sizes break the tiles on purpose: n = 63 and 100 are not multiples of the 64-key or 128-query tiles, d = 60
 * and Dv = 36 are not multiples of the vector length.
 */
class FlashAttentionKernelTest {
    private static final double F64_TOLERANCE = 1e-12;
    private final ComputeBackend cpu = new Nd4jCpuBackend();
    private final ComputeBackend reference = new JavaBackend();
    private final RandomTensors random = new RandomTensors(20240611);

    private Tensor[] qkv(DType dtype, double spread, int b, int hq, int hkv, int nq, int nk, int d, int dv) {
        return new Tensor[] {random.uniform(dtype, -spread, spread, b, hq, nq, d),
            random.uniform(dtype, -spread, spread, b, hkv, nk, d), random.normal(dtype, b, hkv, nk, dv)};
    }

    private static double maxAbsDiff(Tensor a, Tensor b) {
        double m = 0;
        for (int i = 0; i < a.size(); i++) {
            m = Math.max(m, Math.abs(a.getFlat(i) - b.getFlat(i)));
        }
        return m;
    }

    /** Naive float32 attention: S = scale·(q·k) in float32, softmax with its maximum subtracted, then P·V. */
    private static Tensor naiveFloat32(Tensor q, Tensor k, Tensor v, float scale, boolean causal) {
        int b = q.dim(0), hq = q.dim(1), nq = q.dim(2), d = q.dim(3), hkv = k.dim(1), nk = k.dim(2), dv = v.dim(3);
        float[] qa = q.floatData(), ka = k.floatData(), va = v.floatData();
        float[] out = new float[b * hq * nq * dv];
        float[] s = new float[nk];
        for (int bh = 0; bh < b * hq; bh++) {
            int kv = bh / hq * hkv + bh % hq / (hq / hkv);
            for (int i = 0; i < nq; i++) {
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < nk; j++) {
                    float dot = 0;
                    for (int e = 0; e < d; e++) {
                        dot += qa[(bh * nq + i) * d + e] * ka[(kv * nk + j) * d + e];
                    }
                    s[j] = causal && j > i ? Float.NEGATIVE_INFINITY : dot * scale;
                    max = Math.max(max, s[j]);
                }
                float sum = 0;
                for (int j = 0; j < nk; j++) {
                    s[j] = (float) Math.exp(s[j] - max);
                    sum += s[j];
                }
                for (int e = 0; e < dv; e++) {
                    float o = 0;
                    for (int j = 0; j < nk; j++) {
                        o += s[j] / sum * va[(kv * nk + j) * dv + e];
                    }
                    out[(bh * nq + i) * dv + e] = o;
                }
            }
        }
        return Tensor.of(out, b, hq, nq, dv);
    }

    @ParameterizedTest(name = "B{0}-Hq{1}-Hkv{2}-Nq{3}-Nk{4}-D{5}-Dv{6}-spread{7}-causal{8}")
    @CsvSource({
        "1, 2, 2, 63, 63, 64, 64, 1, false",
        "2, 4, 2, 100, 100, 60, 36, 1, true",
        "1, 3, 1, 130, 200, 16, 64, 1, false",
        "1, 2, 2, 300, 300, 64, 64, 1, true",
        // |logits| up to ≈ 28² · 8 / √8 ≈ 2200: beyond exp's float32 range unless the maximum is subtracted
        "1, 2, 2, 100, 100, 8, 8, 28, false",
        "1, 2, 1, 63, 100, 8, 16, 28, true",
    })
    void float32ErrorIsAtMostTwiceTheNaiveFloat32Error(int b, int hq, int hkv, int nq, int nk, int d, int dv,
                                                       double spread, boolean causal) {
        Tensor[] t = qkv(DType.FLOAT32, spread, b, hq, hkv, nq, nk, d, dv);
        AttentionOptions o = AttentionOptions.builder().causal(causal).build();
        Tensor exact = reference.attention(t[0].to(DType.FLOAT64), t[1].to(DType.FLOAT64), t[2].to(DType.FLOAT64), o,
            null);
        Tensor fused = cpu.attention(t[0], t[1], t[2], o, null);
        Tensor naive = naiveFloat32(t[0], t[1], t[2], (float) (1 / Math.sqrt(d)), causal);
        double fusedError = maxAbsDiff(fused, exact);
        double naiveError = maxAbsDiff(naive, exact);
        for (int i = 0; i < fused.size(); i++) {
            assertTrue(Double.isFinite(fused.getFlat(i)), "finite output");
        }
        assertTrue(fusedError <= 2 * naiveError,
            "fused float32 error " + fusedError + " exceeds twice the naive float32 error " + naiveError);
    }

    /** One option at a time, and all of them together, in float64 (to 1e-12) and float32 (by the 2× rule). */
    @ParameterizedTest
    @ValueSource(strings = {"plain", "causal", "window", "causalWindow", "bias", "alibi", "mask", "softCap", "sinks",
        "gqa", "all"})
    void everyOptionMatchesTheFloat64Reference(String option) {
        int b = 2, hq = 4, hkv = option.equals("gqa") || option.equals("all") ? 2 : 4, nq = 100, nk = 130;
        int d = 60, dv = 36;
        Function<DType, AttentionOptions> options = dtype -> {
            AttentionOptions.Builder o = AttentionOptions.builder();
            RandomTensors r = new RandomTensors(7);
            if (option.equals("causal") || option.equals("causalWindow") || option.equals("all")) {
                o.causal(true);
            }
            if (option.equals("window")) {
                o.window(20, 5);
            }
            if (option.equals("causalWindow") || option.equals("all")) {
                o.window(70, null);
            }
            if (option.equals("bias") || option.equals("all")) {
                o.bias(r.uniform(dtype, -2, 2, 1, hq, nq, nk));
            }
            if (option.equals("alibi") || option.equals("all")) {
                o.alibiSlopes(Tensor.of(new double[] {0.5, 0.25, 0.125, 0.0625}, hq).to(dtype));
            }
            if (option.equals("mask") || option.equals("all")) {
                o.mask(r.mask(0.7, b, 1, nq, nk));
            }
            if (option.equals("softCap") || option.equals("all")) {
                o.softCap(1.5);
            }
            if (option.equals("sinks") || option.equals("all")) {
                o.sinks(Tensor.of(new double[] {0.0, 2.0, -1.0, 5.0}, hq).to(dtype));
            }
            return o.build();
        };
        Tensor[] t = qkv(DType.FLOAT64, 2, b, hq, hkv, nq, nk, d, dv);
        AttentionResult exact = reference.attentionWithLse(t[0], t[1], t[2], options.apply(DType.FLOAT64), null);
        AttentionResult f64 = cpu.attentionWithLse(t[0], t[1], t[2], options.apply(DType.FLOAT64), null);
        assertTrue(maxAbsDiff(f64.output(), exact.output()) <= F64_TOLERANCE, "float64 output");
        assertLseEquals(exact.lse(), f64.lse(), F64_TOLERANCE);

        Tensor[] t32 = {t[0].to(DType.FLOAT32), t[1].to(DType.FLOAT32), t[2].to(DType.FLOAT32)};
        AttentionResult exact32 = reference.attentionWithLse(t32[0].to(DType.FLOAT64), t32[1].to(DType.FLOAT64),
            t32[2].to(DType.FLOAT64), options.apply(DType.FLOAT64), null);
        AttentionResult f32 = cpu.attentionWithLse(t32[0], t32[1], t32[2], options.apply(DType.FLOAT32), null);
        assertEquals(DType.FLOAT32, f32.output().dtype());
        // float32 with float32 accumulation over ≤ 130 keys: relative rounding ≈ 1e-6 of the values (|v| ≲ 4)
        assertTrue(maxAbsDiff(f32.output(), exact32.output()) <= 2e-5,
            "float32 output: " + maxAbsDiff(f32.output(), exact32.output()));
        assertLseEquals(exact32.lse(), f32.lse(), 2e-5);
    }

    private static void assertLseEquals(Tensor expected, Tensor actual, double tolerance) {
        for (int i = 0; i < expected.size(); i++) {
            double e = expected.getFlat(i);
            double a = actual.getFlat(i);
            assertTrue(e == a || Math.abs(e - a) <= tolerance * Math.max(1, Math.abs(e)),
                "lse[" + i + "]: expected " + e + ", got " + a);
        }
    }

    @Test
    void fullyMaskedRowsGiveZeroRowsAndLseMinusInfinity() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor[] t = qkv(dtype, 1, 1, 2, 2, 70, 70, 16, 16);
            Tensor mask = Tensor.zeros(DType.BOOL, 1, 1, 70, 70);
            for (int i = 0; i < 70; i++) {
                for (int j = 0; j < 70; j++) {
                    mask.setFlat(i * 70 + j, i % 3 == 0 ? 0 : 1);
                }
            }
            // a zero-width window with causal leaves only the diagonal key j = i, which the mask removes on those rows
            AttentionResult r = cpu.attentionWithLse(t[0], t[1], t[2], AttentionOptions.builder().mask(mask).build(),
                null);
            AttentionResult w = cpu.attentionWithLse(t[0], t[1], t[2],
                AttentionOptions.builder().window(0, 0).mask(mask).causal(true).build(), null);
            for (int h = 0; h < 2; h++) {
                for (int i = 0; i < 70; i++) {
                    for (int e = 0; e < 16; e++) {
                        double x = r.output().get(0, h, i, e);
                        assertTrue(i % 3 == 0 ? x == 0 : Double.isFinite(x), "row " + i);
                        assertTrue(i % 3 != 0 || w.output().get(0, h, i, e) == 0);
                    }
                    assertEquals(i % 3 == 0, r.lse().get(0, h, i) == Double.NEGATIVE_INFINITY);
                }
            }
        }
    }

    @Test
    void sinkOnAFullyMaskedRowGivesZeroAndLseEqualToTheSink() {
        Tensor[] t = qkv(DType.FLOAT32, 1, 1, 1, 1, 5, 5, 8, 8);
        AttentionResult r = cpu.attentionWithLse(t[0], t[1], t[2], AttentionOptions.builder()
            .mask(Tensor.zeros(DType.BOOL, 5, 5)).sinks(Tensor.of(new float[] {1.5f}, 1)).build(), null);
        assertEquals(0.0, r.output().sum());
        assertEquals(1.5, r.lse().getFlat(0), 1e-6);
    }

    @Test
    void causalKernelMatchesTheNd4jCompositePath() {
        Tensor[] t = qkv(DType.FLOAT32, 1, 1, 8, 8, 257, 257, 64, 64);
        AttentionOptions o = AttentionOptions.builder().causal(true).build();
        assertTrue(maxAbsDiff(cpu.attention(t[0], t[1], t[2], o, null),
            ScaledDotProductAttention.compute(t[0], t[1], t[2], o, null)) < 1e-5);
    }

    @Test
    void rejectsBadOptionsNamingTheArgument() {
        Tensor q = Tensor.zeros(DType.FLOAT32, 1, 4, 3, 8);
        assertThrows(InvalidInputException.class, () -> cpu.attention(q, q, q,
            AttentionOptions.builder().window(-1, null).build(), null)).getMessage().contains("window");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> cpu.attention(q, q, q,
            AttentionOptions.builder().alibiSlopes(Tensor.zeros(DType.FLOAT32, 3)).build(), null));
        assertTrue(e.getMessage().contains("alibiSlopes"), e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> cpu.attention(q, q, q,
            AttentionOptions.builder().sinks(Tensor.zeros(DType.FLOAT32, 5)).build(), null));
        assertTrue(e.getMessage().contains("sinks"), e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> cpu.attention(q, q, q,
            AttentionOptions.builder().softCap(0.0).build(), null));
        assertTrue(e.getMessage().contains("softCap"), e.getMessage());
    }
}

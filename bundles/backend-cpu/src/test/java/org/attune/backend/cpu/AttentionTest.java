package org.attune.backend.cpu;

import static org.attune.backend.cpu.MatmulTest.assertArgument;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.attune.api.backend.AttentionOptions;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class AttentionTest {
    private final Nd4jCpuBackend backend = new Nd4jCpuBackend();
    private final RandomTensors random = new RandomTensors(37);

    /** Expands a tensor broadcastable to [B, H, Nq, Nk] by NumPy's rule, element by element. */
    private static Tensor expand(Tensor t, int... full) {
        Tensor e = Tensor.zeros(DType.FLOAT64, full);
        int[] s = t.shape();
        int lead = full.length - s.length;
        int[] idx = new int[s.length];
        for (int b = 0; b < full[0]; b++) {
            for (int h = 0; h < full[1]; h++) {
                for (int i = 0; i < full[2]; i++) {
                    for (int j = 0; j < full[3]; j++) {
                        int[] f = {b, h, i, j};
                        for (int a = 0; a < s.length; a++) {
                            idx[a] = s[a] == 1 ? 0 : f[a + lead];
                        }
                        e.set(t.get(idx), b, h, i, j);
                    }
                }
            }
        }
        return e;
    }

    private Tensor[] qkv(DType dtype, int b, int hq, int hkv, int nq, int nk, int d, int dv) {
        return new Tensor[] {random.normal(dtype, b, hq, nq, d), random.normal(dtype, b, hkv, nk, d),
            random.normal(dtype, b, hkv, nk, dv)};
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void plainAttention(DType dtype) {
        Tensor[] t = qkv(dtype, 2, 3, 3, 5, 7, 8, 6);
        Tensor r = backend.attention(t[0], t[1], t[2], AttentionOptions.defaults(), null);
        assertEquals(dtype, r.dtype());
        Closeness.assertClose(Float64Reference.attention(t[0], t[1], t[2], 1 / Math.sqrt(8), false, null, null), r);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void groupedQueryHeadsWithExplicitScale(DType dtype) {
        Tensor[] t = qkv(dtype, 2, 6, 2, 4, 5, 4, 3);
        AttentionOptions o = AttentionOptions.builder().scale(0.3).build();
        Closeness.assertClose(Float64Reference.attention(t[0], t[1], t[2], 0.3, false, null, null),
            backend.attention(t[0], t[1], t[2], o, null));
        Tensor[] one = qkv(dtype, 1, 4, 1, 3, 6, 5, 5);
        Closeness.assertClose(Float64Reference.attention(one[0], one[1], one[2], 1 / Math.sqrt(5), false, null, null),
            backend.attention(one[0], one[1], one[2], AttentionOptions.defaults(), null));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void causalIsTopLeftAligned(DType dtype) {
        AttentionOptions causal = AttentionOptions.builder().causal(true).build();
        for (int[] n : new int[][] {{5, 5}, {4, 7}, {7, 4}}) {
            Tensor[] t = qkv(dtype, 1, 2, 1, n[0], n[1], 4, 4);
            Tensor r = backend.attention(t[0], t[1], t[2], causal, null);
            Closeness.assertClose(Float64Reference.attention(t[0], t[1], t[2], 0.5, true, null, null), r);
            // row 0 sees key 0 only: its output is v[.., 0, :]
            for (int c = 0; c < 4; c++) {
                assertEquals(t[2].get(0, 0, 0, c), r.get(0, 1, 0, c), Closeness.tolerance(dtype) * 10);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void broadcastMaskAndBiasWithCausal(DType dtype) {
        int b = 2;
        int h = 4;
        int nq = 5;
        int nk = 6;
        Tensor[] t = qkv(dtype, b, h, 2, nq, nk, 3, 2);
        Tensor keyPadding = random.mask(0.7, b, 1, 1, nk);
        keyPadding.set(1, 0, 0, 0, 0);
        keyPadding.set(1, 1, 0, 0, 0);
        Tensor bias = random.uniform(DType.FLOAT64, -2, 2, 1, h, nq, nk); // float64 bias on any q
        AttentionOptions o = AttentionOptions.builder().mask(keyPadding).bias(bias).causal(true).build();
        Tensor r = backend.attention(t[0], t[1], t[2], o, null);
        int[] full = {b, h, nq, nk};
        Closeness.assertClose(Float64Reference.attention(t[0], t[1], t[2], 1 / Math.sqrt(3), true,
            expand(keyPadding, full), expand(bias, full)), r);

        Tensor mask2 = random.mask(0.5, nq, nk);
        Tensor bias2 = random.uniform(dtype, -1, 1, nk);
        AttentionOptions o2 = AttentionOptions.builder().mask(mask2).bias(bias2).build();
        Closeness.assertClose(Float64Reference.attention(t[0], t[1], t[2], 1 / Math.sqrt(3), false,
            expand(mask2, full), expand(bias2, full)), backend.attention(t[0], t[1], t[2], o2, null));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void fullyMaskedRowsAreZero(DType dtype) {
        Tensor[] t = qkv(dtype, 1, 2, 2, 4, 5, 3, 3);
        Tensor mask = random.mask(0.8, 1, 2, 4, 5);
        for (int j = 0; j < 5; j++) {
            mask.set(0, 0, 1, 2, j); // head 1, query 2: nothing allowed
        }
        for (int i = 0; i < 4; i++) {
            mask.set(1, 0, 0, i, 0);
            if (i != 2) {
                mask.set(1, 0, 1, i, 0);
            }
        }
        Tensor out = Tensor.zeros(dtype, 1, 2, 4, 3);
        for (int i = 0; i < out.size(); i++) {
            out.setFlat(i, Double.NaN); // stale contents must be overwritten
        }
        assertSame(out, backend.attention(t[0], t[1], t[2], AttentionOptions.builder().mask(mask).build(), out));
        for (int c = 0; c < 3; c++) {
            assertEquals(0.0, out.get(0, 1, 2, c));
        }
        Closeness.assertClose(Float64Reference.attention(t[0], t[1], t[2], 1 / Math.sqrt(3), false, mask, null), out);
        // no keys at all: every row is fully masked
        Tensor[] empty = qkv(dtype, 1, 1, 1, 3, 0, 2, 2);
        Tensor r = backend.attention(empty[0], empty[1], empty[2], AttentionOptions.defaults(), null);
        assertEquals(0.0, r.sum());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void logitsBeyond400StayFiniteAndCorrect(DType dtype) {
        Tensor[] t = qkv(dtype, 1, 2, 2, 3, 4, 2, 3);
        // q·k = ±(400..1000) after scale 1: far beyond exp's float32 range (≈ 88) and float64 range (≈ 709)
        double[] qv = {20, 25, -30, 18, 22, -21, 30, 31, 24, -25, 19, 20};
        double[] kv = {21, 22, -20, 25, 30, -19, 18, 26, 23, 24, -29, 17, 20, 28, 25, -22};
        for (int i = 0; i < qv.length; i++) {
            t[0].setFlat(i, qv[i]);
        }
        for (int i = 0; i < kv.length; i++) {
            t[1].setFlat(i, kv[i]);
        }
        Tensor r = backend.attention(t[0], t[1], t[2], AttentionOptions.builder().scale(1.0).build(), null);
        for (int i = 0; i < r.size(); i++) {
            assertTrue(Double.isFinite(r.getFlat(i)), "finite");
        }
        Closeness.assertClose(Float64Reference.attention(t[0], t[1], t[2], 1.0, false, null, null), r);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void chunkedPairsMatchOneChunk(DType dtype) {
        Tensor[] t = qkv(dtype, 3, 4, 2, 5, 6, 4, 3);
        AttentionOptions o = AttentionOptions.builder().causal(true).bias(random.uniform(dtype, -1, 1, 5, 6)).build();
        Tensor whole = backend.attention(t[0], t[1], t[2], o, null);
        Tensor chunked = ScaledDotProductAttention.compute(t[0], t[1], t[2], o, null, 1);
        Closeness.assertClose(whole.to(DType.FLOAT64), chunked);
        Closeness.assertClose(Float64Reference.attention(t[0], t[1], t[2], 0.5, true, null,
            expand(o.bias().orElseThrow(), 3, 4, 5, 6)), chunked);
    }

    @Test
    void concurrentCallsAgreeWithSerialOnes() throws Exception {
        List<Tensor[]> inputs = new ArrayList<>();
        List<Tensor> serial = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Tensor[] t = qkv(i % 2 == 0 ? DType.FLOAT32 : DType.FLOAT64, 2, 4, 2, 16, 16, 8, 8);
            inputs.add(t);
            serial.add(backend.attention(t[0], t[1], t[2], AttentionOptions.builder().causal(true).build(), null));
        }
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Tensor>> futures = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (Tensor[] t : inputs) {
                    futures.add(pool.submit(() -> backend.attention(t[0], t[1], t[2],
                        AttentionOptions.builder().causal(true).build(), null)));
                }
            }
            for (int i = 0; i < futures.size(); i++) {
                assertTrue(serial.get(i % inputs.size()).contentEquals(futures.get(i).get()), "call " + i);
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void rejectsBadInputsNamingTheArgument() {
        Tensor[] t = qkv(DType.FLOAT32, 1, 4, 2, 3, 5, 4, 2);
        AttentionOptions none = AttentionOptions.defaults();
        assertArgument("q", () -> backend.attention(random.normal(DType.FLOAT32, 4, 3, 4), t[1], t[2], none, null));
        assertArgument("k", () -> backend.attention(t[0], random.normal(DType.FLOAT32, 1, 2, 5, 3), t[2], none, null));
        assertArgument("k", () -> backend.attention(t[0], random.normal(DType.FLOAT32, 1, 3, 5, 4),
            random.normal(DType.FLOAT32, 1, 3, 5, 2), none, null));
        assertArgument("v", () -> backend.attention(t[0], t[1], random.normal(DType.FLOAT32, 1, 2, 4, 2), none, null));
        assertArgument("mask", () -> backend.attention(t[0], t[1], t[2],
            AttentionOptions.builder().mask(Tensor.zeros(DType.FLOAT32, 3, 5)).build(), null));
        assertArgument("mask", () -> backend.attention(t[0], t[1], t[2],
            AttentionOptions.builder().mask(Tensor.zeros(DType.BOOL, 4, 5)).build(), null));
        assertArgument("bias", () -> backend.attention(t[0], t[1], t[2],
            AttentionOptions.builder().bias(Tensor.zeros(DType.FLOAT32, 2, 5)).build(), null));
        assertArgument("out", () -> backend.attention(t[0], t[1], t[2], none, Tensor.zeros(DType.FLOAT32, 1, 4, 3, 4)));
    }
}

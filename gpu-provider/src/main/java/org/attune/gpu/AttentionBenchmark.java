package org.attune.gpu;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import org.attune.api.backend.AttentionProblem;

/**
 * Times the attention kernel alone, as a PyTorch benchmark of {@code scaled_dot_product_attention} on tensors
 * already on the GPU does: q, k, v of [batch, heads, n, d] are drawn on the device (normal_f32), the kernel is
 * launched {@code warmup} times, then each of {@code repeats} launches is timed with CUDA events.
 *
 * @param precision   arithmetic
 * @param batch       B
 * @param heads       H (query and KV heads)
 * @param n           sequence length (queries and keys)
 * @param d           head dimension
 * @param causal      causal masking
 * @param medianMs    median launch time
 * @param minMs       fastest launch
 */
record AttentionBenchmark(AttentionPrecision precision, int batch, int heads, int n, int d, boolean causal,
                          double medianMs, double minMs) {

    /** FLOP of the two products, 4·B·H·n²·d, halved when causal. */
    double flop() {
        return 4.0 * batch * heads * (double) n * n * d * (causal ? 0.5 : 1.0);
    }

    /** Throughput at the median time in TFLOP/s. */
    double teraflops() {
        return flop() / (medianMs * 1e9);
    }

    /** Runs the measurement on {@code session}. */
    static AttentionBenchmark measure(CudaSession session, AttentionPrecision precision, int batch, int heads, int n,
                                      int d, boolean causal, int warmup, int repeats) {
        AttentionProblem sizes = new AttentionProblem(batch, heads, heads, n, n, d, d, 1.0 / Math.sqrt(d), null, null);
        AttentionTiling.check(precision, d, d, n, session.device().sharedMemoryPerBlock()).orThrow(GpuBackend.BACKEND_ID,
            "attention benchmark");
        AttentionTiling t = AttentionTiling.plan(precision, batch, heads, n, d, d);
        double[] ms = session.call(c -> {
            long count = (long) batch * heads * n * d;
            long[] qkv = new long[3];
            for (int i = 0; i < 3; i++) {
                qkv[i] = c.allocate(count * Float.BYTES);
                c.launch("normal_f32", RowTiling.elementGrid(count), RowTiling.elementBlock(), 0,
                    c.args().pointer(qkv[i]).i64(count).i64(42 + i));
            }
            long out = c.allocate(count * Float.BYTES);
            KernelArgs args = GpuBackend.attentionArgs(c.args(), qkv[0], qkv[1], qkv[2], out, 0, 0, null, 0, null,
                sizes, causal);
            for (int i = 0; i < warmup; i++) {
                c.launch(t.kernel(), t.grid(), t.block(), t.sharedBytes(), args);
            }
            double[] times = new double[repeats];
            for (int i = 0; i < repeats; i++) {
                MemorySegment start = c.record();
                c.launch(t.kernel(), t.grid(), t.block(), t.sharedBytes(), args);
                MemorySegment end = c.record();
                times[i] = c.elapsed(start, end);
            }
            return times;
        });
        Arrays.sort(ms);
        double median = ms.length % 2 == 1 ? ms[ms.length / 2] : (ms[ms.length / 2 - 1] + ms[ms.length / 2]) / 2;
        return new AttentionBenchmark(precision, batch, heads, n, d, causal, median, ms[0]);
    }
}

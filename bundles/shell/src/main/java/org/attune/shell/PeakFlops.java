package org.attune.shell;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 FLOP peak of this machine, measured: every thread runs independent chains of vector FMAs
 * (12 accumulators, more than latency × pipes, so the FMA units never wait) on registers only.
 * FLOP = 2 · lanes per FMA. {@code attention:bench} and the benchmarks module report times as a fraction of it.
 */
public final class PeakFlops {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int WARM_UP_CALLS = 20_000;
    private static final long WARM_UP_ITERATIONS = 64;

    private PeakFlops() {
    }

    /** One thread's chains: {@code iterations} × 12 FMAs; returns a value that depends on all of them. */
    static float chains(long iterations) {
        FloatVector a0 = FloatVector.broadcast(F, 1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
        FloatVector a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        FloatVector m = FloatVector.broadcast(F, 0.999999f);
        FloatVector c = FloatVector.broadcast(F, 1e-6f);
        for (long i = 0; i < iterations; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
            .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }

    /** FLOP of {@link #chains} for {@code iterations}. */
    static double flop(long iterations) {
        return 12.0 * 2 * F.length() * iterations;
    }

    /**
     * Runs {@code threads} threads of FMA chains for about {@code millis} ms each (after a warm-up) and returns the
     * total GFLOP/s, the best of three runs.
     */
    public static double measure(int threads, long millis) {
        // many short calls first, so that C2 compiles chains() itself (not only an on-stack replacement of its
        // loop, which new threads cannot enter): otherwise the first rounds run at a fraction of the peak
        for (int i = 0; i < WARM_UP_CALLS; i++) {
            chains(WARM_UP_ITERATIONS);
        }
        long iterations = 1_000_000;
        long t0 = System.nanoTime();
        chains(iterations);
        double perIteration = Math.max(1e-3, (System.nanoTime() - t0) / (double) iterations);
        long n = (long) (millis * 1e6 / perIteration);
        double best = 0;
        for (int round = 0; round < 3; round++) {
            Thread[] ts = new Thread[threads];
            float[] sink = new float[threads];
            long start = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                int id = t;
                ts[t] = new Thread(() -> sink[id] = chains(n));
                ts[t].start();
            }
            for (Thread t : ts) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return best;
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (Float.isNaN(sink[0])) {
                throw new IllegalStateException("FMA chain diverged");
            }
            best = Math.max(best, threads * flop(n) / seconds / 1e9);
        }
        return best;
    }
}

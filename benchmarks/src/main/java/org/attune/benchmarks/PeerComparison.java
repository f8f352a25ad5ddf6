package org.attune.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.attune.api.tensor.Tensor;
import org.attune.shell.PeakFlops;

/**
 * All attention peers in one process, in rounds whose order rotates, with the FMA peak measured before and after
 * and the machine's CPU pressure (PSI {@code /proc/pressure/cpu} "some" total) read around every timed run, so that
 * each row's stall is the share of that method's own run time in which some task waited for a CPU (a peer whose
 * threads spin after a call, as Nd4j's do, shows up in the rows of the methods that run after it).
 * Prints, per n and causality, median and min ms, effective GFLOP/s, % of the FMA peak and the fused kernel's time
 * ratio to each peer; then the fused kernel's extra heap allocation per call for the memory lengths.
 *
 * <pre>
 *   java --add-modules=jdk.incubator.vector -cp target/classes:$(cat target/classpath.txt) \
 *     org.attune.benchmarks.PeerComparison [--n 512,1024,2048,4096] [--reps 5] [--warmup 2] [--heads 8] [--d 64]
 *     [--composite-max 4096] [--memory 16384,65536] [--jit-seconds 8] [--csv FILE]
 * </pre>
 */
public final class PeerComparison {
    private PeerComparison() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> a = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        int[] ns = ints(a.getOrDefault("--n", "512,1024,2048,4096"));
        int reps = Integer.parseInt(a.getOrDefault("--reps", "5"));
        int warm = Integer.parseInt(a.getOrDefault("--warmup", "2"));
        int heads = Integer.parseInt(a.getOrDefault("--heads", "8"));
        int d = Integer.parseInt(a.getOrDefault("--d", "64"));
        int compositeMax = Integer.parseInt(a.getOrDefault("--composite-max", "4096"));
        int[] memory = ints(a.getOrDefault("--memory", ""));
        String csv = a.get("--csv");

        agreement(heads, d, 256);
        warmUp(heads, d, ns[0], Long.parseLong(a.getOrDefault("--jit-seconds", "8")));
        long psi0 = cpuStallMicros();
        long wall0 = System.nanoTime();
        double peakBefore = PeakFlops.measure(2, 400);
        System.out.printf(Locale.ROOT, "FMA peak before: %.1f GFLOP/s (2 threads)%n", peakBefore);
        List<String> rows = new ArrayList<>();
        rows.add("n,causal,method,median_ms,min_ms,gflops,pct_peak,fused_ratio,stall_pct");
        List<Object[]> table = new ArrayList<>();
        for (boolean causal : new boolean[] {false, true}) {
            for (int ni = 0; ni < ns.length; ni++) {
                int n = ns[ni];
                Tensor[] qkv = AttentionPeers.inputs(heads, n, d);
                Map<AttentionPeers, AttentionPeers.Prepared> prepared = new EnumMap<>(AttentionPeers.class);
                for (AttentionPeers p : AttentionPeers.values()) {
                    if (p.runs(n) && (p != AttentionPeers.ND4J || n <= compositeMax)) {
                        prepared.put(p, p.prepare(qkv, causal));
                    }
                }
                List<AttentionPeers> order = new ArrayList<>(prepared.keySet());
                Map<AttentionPeers, double[]> ms = new EnumMap<>(AttentionPeers.class);
                // per method: [CPU stall µs, wall µs] over its timed runs, so that a peer that oversubscribes the
                // CPU (Nd4j's thread pools) shows its own stall without marking the others' rows
                Map<AttentionPeers, double[]> stalls = new EnumMap<>(AttentionPeers.class);
                order.forEach(p -> {
                    ms.put(p, new double[reps]);
                    stalls.put(p, new double[2]);
                });
                for (int round = 0; round < warm + reps; round++) {
                    for (int x = 0; x < order.size(); x++) {
                        AttentionPeers p = order.get((x + round + ni) % order.size());
                        long s0 = cpuStallMicros();
                        long t0 = System.nanoTime();
                        prepared.get(p).run();
                        long t1 = System.nanoTime();
                        long s1 = cpuStallMicros();
                        if (round >= warm) {
                            ms.get(p)[round - warm] = (t1 - t0) / 1e6;
                            stalls.get(p)[0] += s0 < 0 || s1 < 0 ? Double.NaN : s1 - s0;
                            stalls.get(p)[1] += (t1 - t0) / 1e3;
                        }
                    }
                }
                prepared.values().forEach(AttentionPeers.Prepared::close);
                double flop = 4.0 * heads * n * (double) n * d * (causal ? 0.5 : 1);
                double fusedMedian = median(ms.get(AttentionPeers.FUSED));
                for (AttentionPeers p : order) {
                    double med = median(ms.get(p));
                    double min = Arrays.stream(ms.get(p)).min().orElse(Double.NaN);
                    double stall = 100 * stalls.get(p)[0] / stalls.get(p)[1];
                    Object[] row = {n, causal, p.label(), med, min, flop / med / 1e6, fusedMedian / med, stall};
                    table.add(row);
                    System.out.printf(Locale.ROOT, "n=%-6d causal=%-5b %-24s median %10.3f ms  min %10.3f ms  "
                        + "%6.1f GFLOP/s  fused/peer %6.3f  (stall %.0f%%)%n", row);
                }
            }
        }
        double peakAfter = PeakFlops.measure(2, 400);
        double peak = Math.max(peakBefore, peakAfter);
        System.out.printf(Locale.ROOT, "FMA peak after: %.1f GFLOP/s; whole run CPU stall %.0f%% of wall time%n",
            peakAfter, stallPercent(psi0, wall0));
        System.out.printf(Locale.ROOT, "%n%-6s %-6s %-24s %10s %10s %8s %7s %10s %6s   (%% of the higher FMA peak, "
            + "%.1f GFLOP/s)%n", "n", "causal", "method", "median ms", "min ms", "GFLOP/s", "% peak", "fused/peer",
            "stall", peak);
        for (Object[] row : table) {
            double pct = 100 * (double) row[5] / peak;
            System.out.printf(Locale.ROOT, "%-6d %-6b %-24s %10.3f %10.3f %8.1f %7.1f %10.3f %5.0f%%%n", row[0], row[1],
                row[2], row[3], row[4], row[5], pct, row[6], row[7]);
            rows.add(String.format(Locale.ROOT, "%d,%b,%s,%.3f,%.3f,%.1f,%.1f,%.3f,%.1f", row[0], row[1], row[2],
                row[3], row[4], row[5], pct, row[6], row[7]));
        }
        for (int n : memory) {
            Tensor[] qkv = AttentionPeers.inputs(heads, n, d);
            for (boolean causal : new boolean[] {true, false}) {
                AttentionPeers.Prepared f = AttentionPeers.FUSED.prepare(qkv, causal);
                com.sun.management.ThreadMXBean mx =
                    (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
                long b0 = mx.getTotalThreadAllocatedBytes();
                long t0 = System.nanoTime();
                f.run();
                double sec = (System.nanoTime() - t0) / 1e9;
                long bytes = mx.getTotalThreadAllocatedBytes() - b0;
                System.out.printf(Locale.ROOT, "memory n=%d causal=%b: %.1f s, extra heap allocated %.3f MiB "
                    + "(inputs %d MiB and output %d MiB preallocated)%n", n, causal, sec, bytes / 1048576.0,
                    3L * heads * n * d * 4 >> 20, (long) heads * n * d * 4 >> 20);
                rows.add(String.format(Locale.ROOT, "%d,%b,memory,%.3f,,,,,extra_bytes=%d", n, causal, sec * 1e3,
                    bytes));
            }
        }
        if (csv != null) {
            Files.write(Path.of(csv), rows);
        }
    }

    /** Prints each peer's max abs difference to the fused kernel at length n, causal and not: they compute the same. */
    private static void agreement(int heads, int d, int n) {
        Tensor[] qkv = AttentionPeers.inputs(heads, n, d);
        for (boolean causal : new boolean[] {false, true}) {
            float[] fused;
            try (AttentionPeers.Prepared f = AttentionPeers.FUSED.prepare(qkv, causal)) {
                fused = f.result();
            }
            StringBuilder line = new StringBuilder("agreement n=" + n + " causal=" + causal + ", max |peer - fused|:");
            for (AttentionPeers p : AttentionPeers.values()) {
                if (p != AttentionPeers.FUSED) {
                    try (AttentionPeers.Prepared x = p.prepare(qkv, causal)) {
                        float[] r = x.result();
                        double m = 0;
                        for (int i = 0; i < r.length; i++) {
                            m = Math.max(m, Math.abs(r[i] - fused[i]));
                        }
                        line.append(String.format(Locale.ROOT, " %s %.2e;", p.label(), m));
                    }
                }
            }
            System.out.println(line);
        }
    }

    /**
     * Runs the fused kernel (causal and not) at length n for about {@code seconds} s so that its large vector methods
     * are compiled by C2 before anything is timed; JMH's warm-up iterations do the same for its runs.
     */
    private static void warmUp(int heads, int d, int n, long seconds) {
        Tensor[] qkv = AttentionPeers.inputs(heads, n, d);
        try (AttentionPeers.Prepared plain = AttentionPeers.FUSED.prepare(qkv, false);
             AttentionPeers.Prepared causal = AttentionPeers.FUSED.prepare(qkv, true)) {
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            while (System.nanoTime() < end) {
                plain.run();
                causal.run();
            }
        }
    }

    private static int[] ints(String s) {
        return s.isBlank() ? new int[0] : Arrays.stream(s.split(",")).mapToInt(x -> Integer.parseInt(x.strip()))
            .toArray();
    }

    private static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** Microseconds some task waited for a CPU ({@code /proc/pressure/cpu}, "some" total), or −1. */
    private static long cpuStallMicros() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/pressure/cpu"))) {
                if (line.startsWith("some")) {
                    return Long.parseLong(line.substring(line.indexOf("total=") + 6).strip());
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static double stallPercent(long stall0, long wall0) {
        long s = cpuStallMicros();
        if (s < 0 || stall0 < 0) {
            return Double.NaN;
        }
        return 100.0 * (s - stall0) / ((System.nanoTime() - wall0) / 1e3);
    }
}

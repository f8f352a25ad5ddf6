package org.attune.benchmarks;

import java.util.concurrent.TimeUnit;

import org.attune.api.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Attention forward time, batch 1, 8 heads, d = 64, float32, 2 threads, per implementation
 * ({@link AttentionPeers}), length and causality. The default lengths finish in minutes on 2 cores; the full set is
 * {@code -p n=512,1024,2048,4096,8192,16384}. FLOP = 4·H·n²·d (half when causal). For ratios, % of the FMA peak and
 * a rotated order in one process use {@link PeerComparison}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
    "--sun-misc-unsafe-memory-access=allow", "-Dorg.nd4j.log.initialization=false", "-Xmx8g"})
public class AttentionBenchmark {
    @Param({"512", "1024", "2048"})
    public int n;

    @Param({"false", "true"})
    public boolean causal;

    @Param({"FUSED", "ND4J", "ORT_MHA", "ORT_PLAIN"})
    public String method;

    private AttentionPeers.Prepared prepared;

    @Setup(Level.Trial)
    public void setUp() {
        AttentionPeers peer = AttentionPeers.valueOf(method);
        if (!peer.runs(n)) {
            throw new IllegalArgumentException(peer.label() + " is not run at n = " + n);
        }
        Tensor[] qkv = AttentionPeers.inputs(8, n, 64);
        prepared = peer.prepare(qkv, causal);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        prepared.close();
    }

    @Benchmark
    public void forward() {
        prepared.run();
    }
}

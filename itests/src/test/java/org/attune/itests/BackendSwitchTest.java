package org.attune.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.attune.api.attention.AttentionCall;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.BackendDeclinedException;
import org.attune.api.backend.Operation;
import org.attune.api.registry.MethodRegistry;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Switching the backend at run time while callers keep calling: no call fails, all agree. */
class BackendSwitchTest {
    @AfterEach
    void backToRanking() {
        Framework.registry().useBackend("auto");
    }

    @Test
    void switchingBackendsUnderLoadKeepsEveryCallCorrect() throws Exception {
        MethodRegistry registry = Framework.registry();
        AttentionCall call = new AttentionCall(Inputs.uniform(4, 1, 4, 32, 16).to(DType.FLOAT64),
            Inputs.uniform(5, 1, 4, 32, 16).to(DType.FLOAT64), Inputs.uniform(6, 1, 4, 32, 16).to(DType.FLOAT64),
            AttentionOptions.builder().causal(true).build(), java.util.Map.of());
        Tensor reference = registry.attend("sdpa", call, "java");

        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger calls = new AtomicInteger();
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        Queue<Double> errors = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            Thread th = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        errors.add(Inputs.maxAbsDiff(registry.attend("sdpa", call), reference));
                        calls.incrementAndGet();
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }
            });
            threads.add(th);
            th.start();
        }
        for (int i = 0; i < 20; i++) {
            registry.useBackend(i % 2 == 0 ? "java" : "cpu");
            Thread.sleep(15);
        }
        stop.set(true);
        for (Thread th : threads) {
            th.join(10_000);
        }
        assertTrue(failures.isEmpty(), "no call fails while switching: " + failures);
        assertTrue(calls.get() > 20, "callers kept calling: " + calls.get());
        // float64 on both backends: agreement to float64 round-off
        double worst = errors.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        assertTrue(worst < 1e-12, "float64 results agree across backends, worst " + worst);
    }

    @Test
    void stoppingTheCpuBackendLeavesNoKernelThreadBehind() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Runtime.getRuntime().availableProcessors() > 1,
            "the kernel lends work to threads only with more than one processor");
        MethodRegistry registry = Framework.registry();
        // 8 heads × 256 × 256 × 64: enough work for the kernel to lend tasks to its threads
        AttentionCall call = new AttentionCall(Inputs.uniform(7, 1, 8, 256, 64), Inputs.uniform(8, 1, 8, 256, 64),
            Inputs.uniform(9, 1, 8, 256, 64), AttentionOptions.defaults(), java.util.Map.of());
        Tensor before = registry.attend("sdpa", call, "cpu");
        assertTrue(kernelThreads() > 0, "the CPU backend's kernel threads ran the call");
        org.osgi.framework.Bundle cpu = Framework.bundle("org.attune.backend-cpu");
        cpu.stop();
        try {
            Framework.await("the kernel threads end with their bundle", java.time.Duration.ofSeconds(10),
                () -> kernelThreads() == 0);
        } finally {
            cpu.start();
        }
        Framework.await("the CPU backend returns", java.time.Duration.ofSeconds(30),
            () -> registry.backends().stream().anyMatch(b -> b.id().equals("cpu")));
        assertEquals(0.0, Inputs.maxAbsDiff(registry.attend("sdpa", call, "cpu"), before),
            "the restarted backend gives the same result");
    }

    private static long kernelThreads() {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.isAlive() && t.getName().startsWith("attune-attention-")).count();
    }

    @Test
    void backendsAreChosenByCapabilityAndEveryDeclineIsExplained() {
        MethodRegistry registry = Framework.registry();
        assertEquals("cpu", registry.backendFor(Operation.ATTENTION, DType.FLOAT32).id());
        BackendDeclinedException e = assertThrows(BackendDeclinedException.class,
            () -> registry.backendFor(Operation.ATTENTION, DType.INT64));
        assertTrue(e.getMessage().contains("cpu: ") && e.getMessage().contains("java: "), e.getMessage());
        registry.useBackend("java");
        assertThrows(BackendDeclinedException.class, () -> registry.backendFor(Operation.MATMUL, DType.BOOL));
    }

    @Test
    void useNamesTheActiveBackend() {
        MethodRegistry registry = Framework.registry();
        registry.useBackend("java");
        assertEquals("java", registry.backend().id());
        registry.useBackend("auto");
        assertEquals("cpu", registry.backend().id());
    }
}

package org.attune.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.registry.MethodRegistry;
import org.attune.api.registry.NoImplementationException;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.Version;

/**
 * A method bundle (attention-core) is updated to a new version and then uninstalled while other threads
 * keep calling {@code sdpa} through the registry; at the end the original bundle is installed again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HotSwapTest {
    private static final String CORE = "org.attune.attention-core";
    private static final int THREADS = 4;

    private final AttentionCall call = AttentionCall.of(Inputs.uniform(1, 1, 2, 16, 8), Inputs.uniform(2, 1, 2, 16, 8),
        Inputs.uniform(3, 1, 2, 16, 8));

    private static InputStream embedded(String name) throws Exception {
        return Framework.CONTEXT.getBundle().getEntry("bundles/" + name).openStream();
    }

    /** One call as clients make it: the registry's current choice, on the registry's backend. */
    private Version callOnce(MethodRegistry registry) {
        AttentionMechanism m = registry.attention("sdpa");
        Tensor out = m.attend(call, registry.backend());
        assertEquals(List.of(1, 2, 16, 8), java.util.Arrays.stream(out.shape()).boxed().toList());
        return FrameworkUtil.getBundle(m.getClass()).getVersion();
    }

    @Test
    @Order(1)
    void updateUnderLoadLosesNoCallAndLaterCallsReachTheNewVersion() throws Exception {
        MethodRegistry registry = Framework.registry();
        Bundle core = Framework.bundle(CORE);
        Version before = core.getVersion();
        // a call that holds the old implementation across the update
        AttentionMechanism held = registry.attention("sdpa");

        AtomicBoolean stop = new AtomicBoolean();
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<List<Version>> seen = new CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            List<Version> mine = new ArrayList<>();
            seen.add(mine);
            Thread th = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        mine.add(callOnce(registry));
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }
            }, "caller-" + t);
            threads.add(th);
            th.start();
        }
        Thread.sleep(300);
        // update to v2 while the callers run
        try (InputStream v2 = embedded("attention-core-v2.jar")) {
            core.update(v2);
        }
        Version after = core.getVersion();
        Thread.sleep(300);
        stop.set(true);
        for (Thread th : threads) {
            th.join(10_000);
        }

        assertTrue(failures.isEmpty(), "no call fails during the update: " + failures);
        assertNotEquals(before, after, "the update installed a new version");
        // the implementation obtained before the update still finishes its call
        assertEquals(1, held.attend(call, registry.backend()).dim(0));
        for (List<Version> versions : seen) {
            assertTrue(versions.size() > 2, "each caller made calls: " + versions.size());
            int firstNew = versions.indexOf(after);
            assertTrue(firstNew >= 0, "later calls reach the new version");
            assertTrue(versions.subList(firstNew, versions.size()).stream().allMatch(after::equals),
                "once a caller reached the new version it never sees the old one again");
            assertTrue(versions.subList(0, firstNew).stream().allMatch(before::equals), "earlier calls ran on the old one");
        }
    }

    @Test
    @Order(2)
    void afterUninstallTheIdAnswersNoImplementation() throws Exception {
        MethodRegistry registry = Framework.registry();
        Framework.bundle(CORE).uninstall();
        NoImplementationException e = assertThrows(NoImplementationException.class,
            () -> registry.attend("sdpa", call));
        assertTrue(e.getMessage().startsWith("no implementation of attention method 'sdpa'"), e.getMessage());
        assertTrue(e.getMessage().contains("uninstalled"), e.getMessage());
    }

    @Test
    @Order(3)
    void reinstallingTheOriginalBringsTheIdBack() throws Exception {
        try (InputStream v1 = embedded("attention-core.jar")) {
            Framework.CONTEXT.installBundle("itest:attention-core", v1).start();
        }
        MethodRegistry registry = Framework.registry();
        Framework.await("sdpa is back", Duration.ofSeconds(10), () -> !registry.describe("sdpa").isEmpty());
        callOnce(registry);
    }
}

package org.attune.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class KernelWorkersTest {

    @Test
    void lentWorkRunsOnAPoolThreadBesideTheCaller() throws Exception {
        try (KernelWorkers pool = new KernelWorkers(1)) {
            Set<String> names = ConcurrentHashMap.newKeySet();
            CountDownLatch both = new CountDownLatch(2);
            Runnable work = () -> {
                names.add(Thread.currentThread().getName());
                both.countDown();
                try {
                    // each side waits for the other, so the test proves two threads ran the work at once
                    assertTrue(both.await(10, TimeUnit.SECONDS), "the pool thread never joined the caller");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            List<KernelWorkers.Lent> lent = pool.lend(work, 1);
            work.run();
            lent.forEach(KernelWorkers.Lent::join);
            assertEquals(2, names.size(), names.toString());
            assertTrue(names.stream().anyMatch(n -> n.startsWith("attune-attention-")), names.toString());
        }
    }

    @Test
    void closeStopsEveryThreadAndLaterWorkRunsOnTheCallerAlone() {
        KernelWorkers pool = new KernelWorkers(2);
        pool.lend(() -> { }, 2).forEach(KernelWorkers.Lent::join);
        assertEquals(2, pool.liveThreads());
        pool.close();
        assertEquals(0, pool.liveThreads());
        assertTrue(pool.lend(() -> { }, 2).isEmpty(), "a closed pool lends nothing");
    }

    @Test
    void aFailureOnAPoolThreadReachesTheCaller() throws Exception {
        try (KernelWorkers pool = new KernelWorkers(1)) {
            CountDownLatch taken = new CountDownLatch(1);
            AtomicInteger calls = new AtomicInteger();
            List<KernelWorkers.Lent> lent = pool.lend(() -> {
                calls.incrementAndGet();
                taken.countDown();
                throw new IllegalArgumentException("boom");
            }, 1);
            assertTrue(taken.await(10, TimeUnit.SECONDS));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, lent.get(0)::join);
            assertEquals("boom", e.getMessage());
            assertEquals(1, calls.get());
        }
    }

    @Test
    void workNoThreadTookIsWithdrawnNotAwaited() {
        try (KernelWorkers pool = new KernelWorkers(0)) {
            assertTrue(pool.lend(() -> { }, 3).isEmpty(), "a pool of size 0 lends nothing");
        }
        KernelWorkers.Lent l = new KernelWorkers.Lent(() -> {
            throw new AssertionError("withdrawn work must not run");
        });
        l.join();
        l.run();
    }
}

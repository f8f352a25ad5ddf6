package org.attune.backend.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The backend's own worker threads for {@link FlashAttentionKernel}: one per processor beyond the caller's, daemon
 * platform threads named {@code attune-attention-N}, started on first use and stopped by {@link #close()} when the
 * backend component is deactivated (so an updated or uninstalled backend bundle leaves no thread behind).
 *
 * <p>Why not the common fork-join pool: it is shared by every bundle of the container, and on a 2-core machine its
 * parallelism is 1, so one long task of another bundle there leaves the kernel running on the caller alone — half
 * the machine, silently. Here the threads serve attention only.
 *
 * <p>A caller {@linkplain #lend lends} work to the idle threads and always works itself; a lent task that no thread
 * has taken by the time the caller runs out of work is withdrawn rather than awaited, so a call never waits for a
 * thread busy with another call (concurrent callers share the threads without deadlock) and a closed pool degrades to
 * the caller's thread only.
 */
final class KernelWorkers implements AutoCloseable {
    /** How long an idle thread waits for work before it ends; a later call starts a fresh one. */
    private static final long IDLE_SECONDS = 60;

    private final int size;
    private final LinkedBlockingQueue<Lent> queue = new LinkedBlockingQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private int started;
    private boolean closed;

    /** A pool of {@code size} threads (0: the caller works alone). */
    KernelWorkers(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("size must be ≥ 0, got " + size);
        }
        this.size = size;
    }

    /** One thread per processor beyond the caller's. */
    static KernelWorkers perProcessor() {
        return new KernelWorkers(Math.max(0, Runtime.getRuntime().availableProcessors() - 1));
    }

    /** The number of threads this pool may run besides the caller. */
    int size() {
        return size;
    }

    /**
     * Offers {@code work} to up to {@code helpers} threads; returns the handles to {@link Lent#join()} after the
     * caller has run {@code work} itself.
     */
    synchronized List<Lent> lend(Runnable work, int helpers) {
        int n = Math.min(helpers, size);
        List<Lent> lent = new ArrayList<>(Math.max(0, n));
        if (n <= 0 || closed) {
            return lent;
        }
        threads.removeIf(t -> !t.isAlive());
        while (threads.size() < size) {
            Thread t = new Thread(this::serve, "attune-attention-" + (++started));
            t.setDaemon(true);
            t.setContextClassLoader(KernelWorkers.class.getClassLoader());
            threads.add(t);
            t.start();
        }
        for (int i = 0; i < n; i++) {
            Lent l = new Lent(work);
            lent.add(l);
            queue.add(l);
        }
        return lent;
    }

    private void serve() {
        try {
            while (true) {
                Lent l = queue.poll(IDLE_SECONDS, TimeUnit.SECONDS);
                if (l == null) {
                    synchronized (this) {
                        if (queue.isEmpty()) {
                            threads.remove(Thread.currentThread());
                            return;
                        }
                    }
                    continue;
                }
                l.run();
            }
        } catch (InterruptedException e) {
            synchronized (this) {
                threads.remove(Thread.currentThread());
            }
        }
    }

    /** Stops the threads; work lent afterwards runs on its callers alone. Waits up to a second per thread. */
    @Override
    public void close() {
        List<Thread> stopping;
        synchronized (this) {
            closed = true;
            stopping = new ArrayList<>(threads);
            threads.clear();
        }
        for (Lent l = queue.poll(); l != null; l = queue.poll()) {
            l.withdraw();
        }
        for (Thread t : stopping) {
            t.interrupt();
        }
        for (Thread t : stopping) {
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The number of live threads (for tests). */
    synchronized int liveThreads() {
        threads.removeIf(t -> !t.isAlive());
        return threads.size();
    }

    /** Work offered to one pool thread: taken by exactly one of that thread and its caller's {@link #join()}. */
    static final class Lent {
        private final Runnable work;
        private final AtomicBoolean claimed = new AtomicBoolean();
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile Throwable failure;

        Lent(Runnable work) {
            this.work = work;
        }

        void run() {
            if (!claimed.compareAndSet(false, true)) {
                return;
            }
            try {
                work.run();
            } catch (Throwable t) {
                failure = t;
            } finally {
                done.countDown();
            }
        }

        boolean withdraw() {
            return claimed.compareAndSet(false, true);
        }

        /** Withdraws the work if no thread took it, else waits for that thread; rethrows its failure. */
        void join() {
            if (withdraw()) {
                return;
            }
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for an attention worker", e);
            }
            if (failure instanceof RuntimeException re) {
                throw re;
            }
            if (failure instanceof Error err) {
                throw err;
            }
            if (failure != null) {
                throw new IllegalStateException("attention worker failed", failure);
            }
        }
    }
}

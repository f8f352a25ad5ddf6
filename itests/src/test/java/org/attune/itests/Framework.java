package org.attune.itests;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import org.attune.api.registry.MethodRegistry;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.util.tracker.ServiceTracker;

/** The running framework as the tests see it: the bundle context, services, and waiting for conditions. */
final class Framework {
    static final BundleContext CONTEXT = FrameworkUtil.getBundle(Framework.class).getBundleContext();

    private Framework() {
    }

    /** Waits up to {@code timeout} for a service, failing with its name. */
    static <S> S service(Class<S> type, Duration timeout) {
        ServiceTracker<S, S> t = new ServiceTracker<>(CONTEXT, type, null);
        t.open();
        try {
            S s = t.waitForService(timeout.toMillis());
            if (s == null) {
                throw new AssertionError("no " + type.getName() + " service within " + timeout);
            }
            return s;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            t.close();
        }
    }

    static MethodRegistry registry() {
        return service(MethodRegistry.class, Duration.ofSeconds(30));
    }

    /** The installed bundle with this symbolic name, or null. */
    static Bundle bundle(String symbolicName) {
        for (Bundle b : CONTEXT.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
    }

    /** Polls until the condition holds, failing with {@code what} after the timeout. */
    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + timeout + " waiting until " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}

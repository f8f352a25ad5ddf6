package org.attune.nd4j.platform;

import org.nd4j.common.config.ND4JSystemProperties;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.factory.Nd4jBackend;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Initialises Nd4j when the platform bundle starts, so that the native load (extracting about 400 MB to
 * {@code ~/.javacpp/cache} the first time, 0.4 to 4 s) happens at start-up and not inside a backend's first call,
 * and a broken native set shows up as a failed bundle start.
 *
 * <p>A plain {@link BundleActivator} rather than a Declarative Services component: this bundle is a wrapper that
 * offers packages, not services, so it needs nothing of DS, and an activator runs at bundle start whether or not
 * Service Component Runtime is already active. It does not guarantee that it runs before other bundles touch
 * {@code Nd4j} (a resolved bundle serves classes before it is started); the shadowed
 * {@link org.nd4j.common.config.ND4JClassLoading} is what makes any first use work.
 *
 * <p>Nd4j logs about fifteen INFO lines while it initialises. Unless the launcher sets the system property
 * {@value ND4JSystemProperties#LOG_INITIALIZATION} itself, it is set to {@code false} here, which silences the
 * environment report; the remaining INFO lines of {@code org.nd4j} and {@code org.bytedeco} are held at WARN by
 * the container's {@code logback.xml}.
 *
 * <p>Stopping does nothing: Nd4j has no shutdown API, its native library stays mapped for the life of the JVM,
 * and this bundle is meant to be installed once (upgrading Nd4j means restarting the JVM).
 */
public final class Nd4jPlatformActivator implements BundleActivator {
    private static final Logger LOG = LoggerFactory.getLogger(Nd4jPlatformActivator.class);

    @Override
    public void start(BundleContext context) {
        if (System.getProperty(ND4JSystemProperties.LOG_INITIALIZATION) == null) {
            System.setProperty(ND4JSystemProperties.LOG_INITIALIZATION, "false");
        }
        long t0 = System.nanoTime();
        Nd4jBackend backend = Nd4j.getBackend();
        Nd4j.getEnvironment().setVerbose(false);
        Nd4j.getEnvironment().setDebug(false);
        LOG.info("Nd4j {} ready in {} ms: {} threads, BLAS {}", backend.getClass().getSimpleName(),
            (System.nanoTime() - t0) / 1_000_000, Nd4j.getEnvironment().maxThreads(),
            String.valueOf(Nd4j.getExecutioner().getEnvironmentInformation().get("blas.vendor")));
    }

    @Override
    public void stop(BundleContext context) {
        // Nothing to release: see the class comment.
    }
}

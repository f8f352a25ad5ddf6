package org.nd4j.common.config;

import java.util.ServiceLoader;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The class loader through which Nd4j finds its backends and op classes; shadows the class of the same name in
 * {@code lib/nd4j-common-*.jar}.
 *
 * <p>The original initialises its loader from the thread context class loader of whichever thread first touches
 * it. Inside an OSGi framework that is the application loader (or the framework's refresh thread), which cannot
 * see the embedded jars, so {@code Nd4jBackend.load()} fails with {@code NoAvailableBackendException} and
 * {@code Nd4j} stays broken for the life of the bundle's class loader. This copy starts from
 * {@code ND4JClassLoading.class.getClassLoader()}, the bundle's own loader, which sees every embedded jar; it is
 * found first because {@code .} precedes {@code lib/*.jar} on the Bundle-ClassPath. A setter call from an
 * activator is not enough: any bundle may touch {@code Nd4j} first, because a resolved bundle serves classes
 * before it is started.
 *
 * <p>The public API and results are the same as the original's, so the embedded Nd4j code links against it
 * unchanged; only the presence probe logs at DEBUG instead of ERROR.
 */
public final class ND4JClassLoading {
    private static final Logger LOG = LoggerFactory.getLogger(ND4JClassLoading.class);

    private static volatile ClassLoader nd4jClassloader = ND4JClassLoading.class.getClassLoader();

    private ND4JClassLoading() {
    }

    /** The class loader Nd4j uses to find classes and services. */
    public static ClassLoader getNd4jClassloader() {
        return nd4jClassloader;
    }

    /** Uses the class loader of {@code clazz}. */
    public static void setNd4jClassloaderFromClass(Class<?> clazz) {
        setNd4jClassloader(clazz.getClassLoader());
    }

    /** Replaces the class loader Nd4j uses. */
    public static void setNd4jClassloader(ClassLoader classLoader) {
        nd4jClassloader = classLoader;
        LOG.debug("Global class-loader for ND4J was changed.");
    }

    /** Whether {@code className} can be loaded through Nd4j's class loader. */
    public static boolean classPresentOnClasspath(String className) {
        return classPresentOnClasspath(className, nd4jClassloader);
    }

    /**
     * Whether {@code className} can be loaded through {@code classLoader}. A probe: Nd4j asks for classes of
     * optional and long-gone modules (e.g. {@code org.nd4j.linalg.jblas.JblasBackend}) at every start, so an absent
     * class is logged at DEBUG here, where the original logged an ERROR.
     */
    public static boolean classPresentOnClasspath(String className, ClassLoader classLoader) {
        try {
            Class.forName(className, false, classLoader);
            return true;
        } catch (ClassNotFoundException e) {
            LOG.debug("Class [{}] is not present.", className);
            return false;
        }
    }

    /** Loads and initialises {@code className} through Nd4j's class loader; {@code null} when it is absent. */
    public static <T> Class<T> loadClassByName(String className) {
        return loadClassByName(className, true, nd4jClassloader);
    }

    /** Loads {@code className} through {@code classLoader}; {@code null} (logged as an error) when it is absent. */
    @SuppressWarnings("unchecked")
    public static <T> Class<T> loadClassByName(String className, boolean initialize, ClassLoader classLoader) {
        try {
            return (Class<T>) Class.forName(className, initialize, classLoader);
        } catch (ClassNotFoundException e) {
            LOG.error("Cannot find class [{}] of provided class-loader.", className);
            return null;
        }
    }

    /** A {@link ServiceLoader} for {@code serviceClass} over Nd4j's class loader. */
    public static <S> ServiceLoader<S> loadService(Class<S> serviceClass) {
        return loadService(serviceClass, nd4jClassloader);
    }

    /** A {@link ServiceLoader} for {@code serviceClass} over {@code classLoader}. */
    public static <S> ServiceLoader<S> loadService(Class<S> serviceClass, ClassLoader classLoader) {
        return ServiceLoader.load(serviceClass, classLoader);
    }
}

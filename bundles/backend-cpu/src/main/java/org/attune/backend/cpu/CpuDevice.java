package org.attune.backend.cpu;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * The device the backend computes on, as shown in {@code attune.backend.device}: processor count, Nd4j version and
 * the instruction-set level of the loaded {@code libnd4jcpu}, e.g. {@code CPU, 2 cores, Nd4j 1.0.0-M2.1 AVX512}.
 */
final class CpuDevice {
    private static final String ND4J_POM_PROPERTIES = "/META-INF/maven/org.nd4j/nd4j-api/pom.properties";

    private CpuDevice() {
    }

    /** The description; initialises Nd4j if nothing has yet. */
    static String describe() {
        int cores = Runtime.getRuntime().availableProcessors();
        return "CPU, " + cores + (cores == 1 ? " core" : " cores") + ", Nd4j " + nd4jVersion() + " " + binaryLevel();
    }

    /**
     * Nd4j's name for the instruction-set level its native library was built for (libnd4j {@code binaryLevel()}).
     * Nd4j is initialised first: {@link NativeOpsHolder} fails for good if it is touched before Nd4j has loaded its
     * backend properties.
     */
    static String binaryLevel() {
        Nd4j.getBackend();
        return switch (NativeOpsHolder.getInstance().getDeviceNativeOps().binaryLevel()) {
            case 3 -> "AVX512";
            case 2 -> "AVX2";
            default -> "generic x86-64";
        };
    }

    /** The version in nd4j-api's Maven metadata, or {@code "(unknown version)"}. */
    static String nd4jVersion() {
        try (InputStream in = Nd4j.class.getResourceAsStream(ND4J_POM_PROPERTIES)) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "(unknown version)");
            }
        } catch (IOException e) {
            return "(unknown version)";
        }
        return "(unknown version)";
    }
}

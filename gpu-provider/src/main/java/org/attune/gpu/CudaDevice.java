package org.attune.gpu;

import java.util.Locale;

/**
 * A CUDA device as the driver describes it.
 *
 * @param ordinal               device ordinal
 * @param name                  marketing name, e.g. {@code NVIDIA H100 80GB HBM3}
 * @param major                 compute capability, major
 * @param minor                 compute capability, minor
 * @param multiprocessors       streaming multiprocessors
 * @param totalMemory           device memory in bytes
 * @param sharedMemoryPerBlock  shared memory a block may use when it opts in, in bytes
 * @param driverVersion         the driver's CUDA version, 1000 · major + 10 · minor
 */
record CudaDevice(int ordinal, String name, int major, int minor, int multiprocessors, long totalMemory,
                  int sharedMemoryPerBlock, int driverVersion) {

    /** Reads device {@code ordinal}'s properties. */
    static CudaDevice read(CudaDriver driver, int ordinal) {
        int d = driver.device(ordinal);
        return new CudaDevice(ordinal, driver.deviceName(d),
            driver.attribute(CudaDriver.ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, d),
            driver.attribute(CudaDriver.ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, d),
            driver.attribute(CudaDriver.ATTRIBUTE_MULTIPROCESSOR_COUNT, d), driver.totalMemory(d),
            driver.attribute(CudaDriver.ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN, d), driver.driverVersion());
    }

    /** The compute capability as a number, e.g. 90 for 9.0. */
    int capability() {
        return 10 * major + minor;
    }

    /** The driver version as {@code major.minor}, e.g. {@code 13.0}. */
    String driver() {
        return formatVersion(driverVersion);
    }

    /** {@code 13000} → {@code 13.0}. */
    static String formatVersion(int version) {
        return version / 1000 + "." + version % 1000 / 10;
    }

    /** One line: name, architecture, multiprocessors, memory and driver. */
    String describe() {
        return String.format(Locale.ROOT, "%s (sm_%d%d, %d SMs, %.1f GiB, CUDA driver %s)", name, major, minor,
            multiprocessors, totalMemory / (double) (1L << 30), driver());
    }
}

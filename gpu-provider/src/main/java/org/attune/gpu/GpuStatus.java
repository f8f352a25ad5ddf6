package org.attune.gpu;

import java.util.Dictionary;
import java.util.Hashtable;

import org.attune.api.backend.ComputeBackend;

/**
 * What the GPU provider found at activation, registered as a service of this class with the properties below so
 * that a shell can show it without importing this bundle's classes (filter {@code (attune.gpu.available=*)}).
 *
 * @param available whether the {@code gpu} backend is registered
 * @param device    the device's one-line description, or empty
 * @param driver    the CUDA driver version, e.g. {@code 13.0}, or empty when the driver could not be asked
 * @param kernels   the kernel image loaded, or empty
 * @param compiler  the nvcc that built the kernels, or {@code none}
 * @param gemm      what computes matmul (cuBLAS or the own kernel, and why), or empty
 * @param reason    why there is no backend, or empty
 */
record GpuStatus(boolean available, String device, String driver, String kernels, String compiler, String gemm,
                 String reason) {
    /** Service property (Boolean): whether the gpu backend is registered. */
    static final String AVAILABLE = "attune.gpu.available";
    /** Service property (String): the device. */
    static final String DEVICE = "attune.gpu.device";
    /** Service property (String): the CUDA driver version. */
    static final String DRIVER = "attune.gpu.driver";
    /** Service property (String): the kernel image in use. */
    static final String KERNELS = "attune.gpu.kernels";
    /** Service property (String): the nvcc that built the kernels. */
    static final String COMPILER = "attune.gpu.nvcc";
    /** Service property (String): what computes matmul. */
    static final String GEMM = "attune.gpu.gemm";
    /** Service property (String): why no backend is registered. */
    static final String REASON = "attune.gpu.reason";

    /** A device in use. */
    static GpuStatus of(CudaDevice device, String kernels, String compiler, String gemm) {
        return new GpuStatus(true, device.describe(), device.driver(), kernels, compiler, gemm, "");
    }

    /** No backend, for {@code reason}. */
    static GpuStatus absent(String reason, String compiler) {
        return new GpuStatus(false, "", "", "", compiler, "", reason);
    }

    /** The service properties. */
    Dictionary<String, Object> properties() {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put(AVAILABLE, available);
        p.put(DEVICE, device);
        p.put(DRIVER, driver);
        p.put(KERNELS, kernels);
        p.put(COMPILER, compiler);
        p.put(GEMM, gemm);
        p.put(REASON, reason);
        if (!available) {
            p.put(ComputeBackend.UNAVAILABLE, GpuBackend.BACKEND_ID);
            p.put(ComputeBackend.UNAVAILABLE_REASON, reason);
        }
        return p;
    }

    /** Lines for the shell. */
    String describe() {
        return available
            ? "gpu backend: registered\ndevice: " + device + "\nCUDA driver: " + driver + "\nkernels: " + kernels
                + " (built with " + compiler + ")\nmatmul: " + gemm
            : "gpu backend: not registered\nwhy: " + reason + "\nkernels built with: " + compiler;
    }
}

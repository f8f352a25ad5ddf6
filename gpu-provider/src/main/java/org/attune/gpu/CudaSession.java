package org.attune.gpu;

import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Device 0 in use: its retained primary context, the kernel module loaded into it, one stream and the kernels'
 * function handles. Calls are serialised ({@link #call}); {@link #close()} (bundle stop) unloads the module,
 * destroys the stream, releases the primary context and unloads the driver library.
 */
final class CudaSession implements AutoCloseable {
    /** Lowest compute capability the kernels run on (bfloat16 WMMA needs sm_80). */
    static final int MIN_CAPABILITY = 80;
    /** Every kernel in attune_kernels.cu. */
    static final List<String> KERNELS = kernelNames();

    private final CudaDriver driver;
    private final CudaDevice device;
    private final int deviceHandle;
    private final MemorySegment context;
    private final MemorySegment module;
    private final MemorySegment stream;
    private final String image;
    private final Map<String, MemorySegment> functions;
    private final Cublas cublas;
    private final String gemm;
    private final ReentrantLock lock = new ReentrantLock();
    private boolean closed;

    private CudaSession(CudaDriver driver, CudaDevice device, int deviceHandle, MemorySegment context,
                        MemorySegment module, MemorySegment stream, String image, Map<String, MemorySegment> functions,
                        Cublas cublas, String gemm) {
        this.driver = driver;
        this.device = device;
        this.deviceHandle = deviceHandle;
        this.context = context;
        this.module = module;
        this.stream = stream;
        this.image = image;
        this.functions = functions;
        this.cublas = cublas;
        this.gemm = gemm;
    }

    private static List<String> kernelNames() {
        List<String> names = new java.util.ArrayList<>(List.of("gemm_f32", "softmax_f32", "reduce_f32", "unary_f32",
            "binary_f32", "normal_f32"));
        for (int b : AttentionTiling.F32_BUCKETS) {
            names.add(AttentionPrecision.FP32.kernel(b));
        }
        for (int b : AttentionTiling.MMA_BUCKETS) {
            names.add(AttentionPrecision.BF16.kernel(b));
            names.add(AttentionPrecision.FP16.kernel(b));
        }
        return List.copyOf(names);
    }

    /**
     * Loads the driver, picks device 0, retains its primary context and loads the kernels; also a cuBLAS handle for
     * matmul when one of the comma-separated {@code cublasLibraries} loads (empty: the gemm_f32 kernel only).
     *
     * @throws GpuUnavailableException with the reason when any step fails; nothing stays allocated then
     */
    static CudaSession open(String library, KernelImages images, String cublasLibraries) throws GpuUnavailableException {
        if (!images.compiled()) {
            throw new GpuUnavailableException(images.reason());
        }
        CudaDriver driver = CudaDriver.load(library);
        int handle = -1;
        MemorySegment context = null;
        MemorySegment module = null;
        boolean pushed = false;
        try {
            try {
                driver.init();
            } catch (CudaException e) {
                throw new GpuUnavailableException("cuInit failed, no usable CUDA device: " + e.getMessage(), e);
            }
            if (driver.deviceCount() == 0) {
                throw new GpuUnavailableException("the CUDA driver " + CudaDevice.formatVersion(driver.driverVersion())
                    + " reports no device");
            }
            CudaDevice device = CudaDevice.read(driver, 0);
            if (device.capability() < MIN_CAPABILITY) {
                throw new GpuUnavailableException(device.describe() + " is older than sm_80, which the kernels need");
            }
            String image = images.choose(device.capability()).orElseThrow(() -> new GpuUnavailableException(
                "no kernel image in the bundle fits sm_" + device.capability() + " (images " + images.names() + ")"));
            handle = driver.device(0);
            context = driver.retainPrimaryContext(handle);
            driver.pushCurrent(context);
            pushed = true;
            module = driver.loadModule(KernelImages.read(image));
            Map<String, MemorySegment> functions = new LinkedHashMap<>();
            for (String name : KERNELS) {
                functions.put(name, driver.function(module, name));
            }
            for (int b : AttentionTiling.MMA_BUCKETS) {
                int bytes = AttentionTiling.mmaSharedBytes(b);
                if (bytes <= device.sharedMemoryPerBlock()) {
                    for (AttentionPrecision p : List.of(AttentionPrecision.BF16, AttentionPrecision.FP16)) {
                        driver.setFunctionAttribute(functions.get(p.kernel(b)),
                            CudaDriver.FUNCTION_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes);
                    }
                }
            }
            MemorySegment stream = driver.createStream();
            StringBuilder why = new StringBuilder("disabled");
            Cublas blas = cublasLibraries.isBlank() ? null : Cublas.load(cublasLibraries, stream, why).orElse(null);
            String gemm = blas != null ? blas.describe() : "Attune gemm_f32 kernel (cuBLAS: " + why + ")";
            driver.popCurrent();
            return new CudaSession(driver, device, handle, context, module, stream, image, functions, blas, gemm);
        } catch (CudaException e) {
            release(driver, handle, context, module, pushed);
            throw new GpuUnavailableException("CUDA setup failed: " + e.getMessage(), e);
        } catch (GpuUnavailableException | RuntimeException e) {
            release(driver, handle, context, module, pushed);
            throw e;
        }
    }

    private static void release(CudaDriver driver, int handle, MemorySegment context, MemorySegment module,
                                boolean pushed) {
        try {
            if (module != null) {
                driver.unloadModule(module);
            }
            if (pushed) {
                driver.popCurrent();
            }
            if (context != null) {
                driver.releasePrimaryContext(handle);
            }
        } catch (CudaException e) {
            // the setup error being reported is the cause; this one only adds that cleanup failed too
        } finally {
            driver.close();
        }
    }

    /** The device in use. */
    CudaDevice device() {
        return device;
    }

    /** The kernel image loaded, e.g. {@code attune_kernels.sm_90.cubin}. */
    String image() {
        return image;
    }

    /** cuBLAS, when it computes matmul. */
    java.util.Optional<Cublas> cublas() {
        return java.util.Optional.ofNullable(cublas);
    }

    /** What computes matmul, e.g. {@code cuBLAS 13.0.2 (libcublas.so.13)}. */
    String gemm() {
        return gemm;
    }

    /**
     * Runs {@code work} with the context current on this thread and a fresh {@link DeviceCall}, one call at a time;
     * waits for the stream and frees the call's memory before returning.
     */
    <T> T call(Function<DeviceCall, T> work) {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the GPU provider has stopped");
            }
            driver.pushCurrent(context);
            try (DeviceCall c = new DeviceCall(driver, stream, functions)) {
                return work.apply(c);
            } finally {
                driver.popCurrent();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Waits for calls in flight, then unloads the module, destroys the stream and releases the context. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            driver.pushCurrent(context);
            try {
                driver.synchronize(stream);
                if (cublas != null) {
                    cublas.close();
                }
                driver.destroyStream(stream);
            } finally {
                release(driver, deviceHandle, context, module, true);
            }
        } finally {
            lock.unlock();
        }
    }
}

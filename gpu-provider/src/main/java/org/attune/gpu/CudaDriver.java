package org.attune.gpu;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The CUDA driver API of {@code libcuda.so.1}, bound through the Foreign Function and Memory API (no JNI).
 *
 * <p>Each method calls one driver function and throws {@link CudaException} with the error's name and
 * description when it does not return {@code CUDA_SUCCESS}. Handles ({@code CUcontext}, {@code CUmodule},
 * {@code CUfunction}, {@code CUstream}, {@code CUevent}) are {@link MemorySegment} addresses; device pointers
 * ({@code CUdeviceptr}) are {@code long}s. The versioned symbols ({@code _v2}) are those the CUDA headers map the
 * plain names to. Not thread-confined: the caller makes the context current (see {@link CudaSession}).
 * {@link #close()} unloads the library.
 */
final class CudaDriver implements AutoCloseable {
    /** The driver library of the NVIDIA display driver. */
    static final String LIBRARY = "libcuda.so.1";

    static final int ATTRIBUTE_MULTIPROCESSOR_COUNT = 16;
    static final int ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
    static final int ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
    static final int ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN = 97;
    static final int FUNCTION_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8;
    private static final int JIT_ERROR_LOG_BUFFER = 5;
    private static final int JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6;
    private static final int STREAM_NON_BLOCKING = 1;
    private static final int ERROR_LOG_BYTES = 16384;

    private final Arena library;
    private final SymbolLookup symbols;
    private final Linker linker = Linker.nativeLinker();
    private final MethodHandle cuInit, cuDriverGetVersion, cuDeviceGetCount, cuDeviceGet, cuDeviceGetName,
        cuDeviceGetAttribute, cuDeviceTotalMem, cuDevicePrimaryCtxRetain, cuDevicePrimaryCtxRelease, cuCtxPushCurrent,
        cuCtxPopCurrent, cuModuleLoadDataEx, cuModuleUnload, cuModuleGetFunction,
        cuFuncSetAttribute, cuMemAlloc, cuMemFree, cuMemcpyHtoD, cuMemcpyDtoH, cuMemcpyHtoDAsync, cuMemcpyDtoHAsync,
        cuLaunchKernel, cuStreamCreate, cuStreamSynchronize, cuStreamDestroy, cuEventCreate,
        cuEventRecord, cuEventSynchronize, cuEventElapsedTime, cuEventDestroy, cuGetErrorName, cuGetErrorString;

    private CudaDriver(Arena library, SymbolLookup symbols) {
        this.library = library;
        this.symbols = symbols;
        cuInit = bind(FunctionDescriptor.of(JAVA_INT, JAVA_INT), "cuInit");
        cuDriverGetVersion = bind(FunctionDescriptor.of(JAVA_INT, ADDRESS), "cuDriverGetVersion");
        cuDeviceGetCount = bind(FunctionDescriptor.of(JAVA_INT, ADDRESS), "cuDeviceGetCount");
        cuDeviceGet = bind(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), "cuDeviceGet");
        cuDeviceGetName = bind(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), "cuDeviceGetName");
        cuDeviceGetAttribute = bind(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), "cuDeviceGetAttribute");
        cuDeviceTotalMem = bind(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), "cuDeviceTotalMem_v2");
        cuDevicePrimaryCtxRetain = bind(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), "cuDevicePrimaryCtxRetain");
        cuDevicePrimaryCtxRelease = bind(FunctionDescriptor.of(JAVA_INT, JAVA_INT), "cuDevicePrimaryCtxRelease_v2",
            "cuDevicePrimaryCtxRelease");
        cuCtxPushCurrent = bind(FunctionDescriptor.of(JAVA_INT, ADDRESS), "cuCtxPushCurrent_v2");
        cuCtxPopCurrent = bind(FunctionDescriptor.of(JAVA_INT, ADDRESS), "cuCtxPopCurrent_v2");
        cuModuleLoadDataEx = bind(FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS),
            "cuModuleLoadDataEx");
        cuModuleUnload = bind(FunctionDescriptor.of(JAVA_INT, ADDRESS), "cuModuleUnload");
        cuModuleGetFunction = bind(FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS), "cuModuleGetFunction");
        cuFuncSetAttribute = bind(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), "cuFuncSetAttribute");
        cuMemAlloc = bind(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), "cuMemAlloc_v2");
        cuMemFree = bind(FunctionDescriptor.of(JAVA_INT, JAVA_LONG), "cuMemFree_v2");
        cuMemcpyHtoD = bind(FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG), "cuMemcpyHtoD_v2");
        cuMemcpyDtoH = bind(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG), "cuMemcpyDtoH_v2");
        cuMemcpyHtoDAsync = bind(FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS),
            "cuMemcpyHtoDAsync_v2");
        cuMemcpyDtoHAsync = bind(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS),
            "cuMemcpyDtoHAsync_v2");
        cuLaunchKernel = bind(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS), "cuLaunchKernel");
        cuStreamCreate = bind(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), "cuStreamCreate");
        cuStreamSynchronize = bind(FunctionDescriptor.of(JAVA_INT, ADDRESS), "cuStreamSynchronize");
        cuStreamDestroy = bind(FunctionDescriptor.of(JAVA_INT, ADDRESS), "cuStreamDestroy_v2");
        cuEventCreate = bind(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), "cuEventCreate");
        cuEventRecord = bind(FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), "cuEventRecord");
        cuEventSynchronize = bind(FunctionDescriptor.of(JAVA_INT, ADDRESS), "cuEventSynchronize");
        cuEventElapsedTime = bind(FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS), "cuEventElapsedTime_v2",
            "cuEventElapsedTime");
        cuEventDestroy = bind(FunctionDescriptor.of(JAVA_INT, ADDRESS), "cuEventDestroy_v2");
        cuGetErrorName = bind(FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), "cuGetErrorName");
        cuGetErrorString = bind(FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), "cuGetErrorString");
    }

    /**
     * Loads the driver library and binds its functions.
     *
     * @param libraryName a library name resolved by the dynamic linker, e.g. {@link #LIBRARY}, or a path
     * @throws GpuUnavailableException when the library cannot be loaded or lacks a function
     */
    static CudaDriver load(String libraryName) throws GpuUnavailableException {
        Arena arena = Arena.ofShared();
        try {
            return new CudaDriver(arena, SymbolLookup.libraryLookup(libraryName, arena));
        } catch (IllegalArgumentException e) {
            arena.close();
            throw new GpuUnavailableException("the CUDA driver library " + libraryName + " cannot be loaded (no NVIDIA "
                + "driver installed, or not on the library path): " + e.getMessage(), e);
        } catch (UnsatisfiedLinkError e) {
            arena.close();
            throw new GpuUnavailableException("the CUDA driver library " + libraryName + " is too old: "
                + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw new GpuUnavailableException("the CUDA driver library " + libraryName + " cannot be bound: " + e, e);
        }
    }

    private MethodHandle bind(FunctionDescriptor descriptor, String... names) {
        for (String name : names) {
            Optional<MemorySegment> symbol = symbols.find(name);
            if (symbol.isPresent()) {
                return linker.downcallHandle(symbol.get(), descriptor);
            }
        }
        throw new UnsatisfiedLinkError("no symbol " + String.join(" or ", names));
    }

    // ------------------------------------------------------------------------------------------- calls and errors

    private int call(MethodHandle h, Object... args) {
        try {
            return (int) h.invokeWithArguments(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private void check(String name, MethodHandle h, Object... args) {
        int result = call(h, args);
        if (result != 0) {
            throw new CudaException(name, result, errorName(result), errorString(result));
        }
    }

    /** The name of a {@code CUresult}, e.g. {@code CUDA_ERROR_NO_DEVICE}. */
    String errorName(int result) {
        return errorText(cuGetErrorName, result, "CUresult " + result);
    }

    /** The driver's description of a {@code CUresult}. */
    String errorString(int result) {
        return errorText(cuGetErrorString, result, "unknown error");
    }

    private String errorText(MethodHandle h, int result, String fallback) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            if (call(h, result, p) != 0) {
                return fallback;
            }
            MemorySegment s = p.get(ADDRESS, 0);
            return s.equals(MemorySegment.NULL) ? fallback : s.reinterpret(4096).getString(0, StandardCharsets.UTF_8);
        }
    }

    private int intOut(String name, MethodHandle h, Object... rest) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            check(name, h, prepend(out, rest));
            return out.get(JAVA_INT, 0);
        }
    }

    private long longOut(String name, MethodHandle h, Object... rest) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_LONG);
            check(name, h, prepend(out, rest));
            return out.get(JAVA_LONG, 0);
        }
    }

    private MemorySegment handleOut(String name, MethodHandle h, Object... rest) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check(name, h, prepend(out, rest));
            return out.get(ADDRESS, 0);
        }
    }

    private static Object[] prepend(Object first, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    // ------------------------------------------------------------------------------------------- devices

    /** {@code cuInit(0)}. */
    void init() {
        check("cuInit", cuInit, 0);
    }

    /** The driver's CUDA version, 1000 · major + 10 · minor. */
    int driverVersion() {
        return intOut("cuDriverGetVersion", cuDriverGetVersion);
    }

    int deviceCount() {
        return intOut("cuDeviceGetCount", cuDeviceGetCount);
    }

    int device(int ordinal) {
        return intOut("cuDeviceGet", cuDeviceGet, ordinal);
    }

    String deviceName(int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment name = a.allocate(256);
            check("cuDeviceGetName", cuDeviceGetName, name, 256, device);
            return name.getString(0, StandardCharsets.UTF_8);
        }
    }

    int attribute(int attribute, int device) {
        return intOut("cuDeviceGetAttribute", cuDeviceGetAttribute, attribute, device);
    }

    long totalMemory(int device) {
        return longOut("cuDeviceTotalMem", cuDeviceTotalMem, device);
    }

    // ------------------------------------------------------------------------------------------- contexts

    MemorySegment retainPrimaryContext(int device) {
        return handleOut("cuDevicePrimaryCtxRetain", cuDevicePrimaryCtxRetain, device);
    }

    void releasePrimaryContext(int device) {
        check("cuDevicePrimaryCtxRelease", cuDevicePrimaryCtxRelease, device);
    }

    void pushCurrent(MemorySegment context) {
        check("cuCtxPushCurrent", cuCtxPushCurrent, context);
    }

    void popCurrent() {
        handleOut("cuCtxPopCurrent", cuCtxPopCurrent);
    }

    // ------------------------------------------------------------------------------------------- modules

    /**
     * Loads a module from a PTX (NUL-terminated text) or cubin image; a JIT failure's message includes the
     * compiler's log.
     */
    MemorySegment loadModule(byte[] image) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment data = a.allocate(image.length + 1L);
            MemorySegment.copy(image, 0, data, JAVA_BYTE, 0, image.length);
            MemorySegment log = a.allocate(ERROR_LOG_BYTES);
            MemorySegment options = a.allocateFrom(JAVA_INT, JIT_ERROR_LOG_BUFFER, JIT_ERROR_LOG_BUFFER_SIZE_BYTES);
            MemorySegment values = a.allocate(MemoryLayout.sequenceLayout(2, ADDRESS));
            values.setAtIndex(ADDRESS, 0, log);
            values.setAtIndex(ADDRESS, 1, MemorySegment.ofAddress(ERROR_LOG_BYTES));
            MemorySegment module = a.allocate(ADDRESS);
            int result = call(cuModuleLoadDataEx, module, data, 2, options, values);
            if (result != 0) {
                String jitLog = log.getString(0, StandardCharsets.UTF_8).strip();
                throw new CudaException("cuModuleLoadDataEx", result, errorName(result), errorString(result)
                    + (jitLog.isEmpty() ? "" : "; JIT log: " + jitLog));
            }
            return module.get(ADDRESS, 0);
        }
    }

    void unloadModule(MemorySegment module) {
        check("cuModuleUnload", cuModuleUnload, module);
    }

    MemorySegment function(MemorySegment module, String name) {
        try (Arena a = Arena.ofConfined()) {
            return handleOut("cuModuleGetFunction(" + name + ")", cuModuleGetFunction, module, a.allocateFrom(name));
        }
    }

    void setFunctionAttribute(MemorySegment function, int attribute, int value) {
        check("cuFuncSetAttribute", cuFuncSetAttribute, function, attribute, value);
    }

    // ------------------------------------------------------------------------------------------- memory

    long allocate(long bytes) {
        return longOut("cuMemAlloc(" + bytes + " bytes)", cuMemAlloc, bytes);
    }

    void free(long pointer) {
        check("cuMemFree", cuMemFree, pointer);
    }

    void copyToDevice(long device, MemorySegment host, long bytes) {
        check("cuMemcpyHtoD", cuMemcpyHtoD, device, host, bytes);
    }

    void copyToHost(MemorySegment host, long device, long bytes) {
        check("cuMemcpyDtoH", cuMemcpyDtoH, host, device, bytes);
    }

    void copyToDeviceAsync(long device, MemorySegment host, long bytes, MemorySegment stream) {
        check("cuMemcpyHtoDAsync", cuMemcpyHtoDAsync, device, host, bytes, stream);
    }

    void copyToHostAsync(MemorySegment host, long device, long bytes, MemorySegment stream) {
        check("cuMemcpyDtoHAsync", cuMemcpyDtoHAsync, host, device, bytes, stream);
    }

    // ------------------------------------------------------------------------------------------- launches, streams, events

    /** {@code cuLaunchKernel} with {@code parameters} an array of pointers to the argument values. */
    void launch(MemorySegment function, int[] grid, int[] block, int sharedBytes, MemorySegment stream,
                MemorySegment parameters) {
        check("cuLaunchKernel", cuLaunchKernel, function, grid[0], grid[1], grid[2], block[0], block[1], block[2],
            sharedBytes, stream, parameters, MemorySegment.NULL);
    }

    MemorySegment createStream() {
        return handleOut("cuStreamCreate", cuStreamCreate, STREAM_NON_BLOCKING);
    }

    void synchronize(MemorySegment stream) {
        check("cuStreamSynchronize", cuStreamSynchronize, stream);
    }

    void destroyStream(MemorySegment stream) {
        check("cuStreamDestroy", cuStreamDestroy, stream);
    }

    MemorySegment createEvent() {
        return handleOut("cuEventCreate", cuEventCreate, 0);
    }

    void record(MemorySegment event, MemorySegment stream) {
        check("cuEventRecord", cuEventRecord, event, stream);
    }

    void synchronizeEvent(MemorySegment event) {
        check("cuEventSynchronize", cuEventSynchronize, event);
    }

    /** Milliseconds between two recorded events. */
    float elapsed(MemorySegment start, MemorySegment end) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ms = a.allocate(JAVA_FLOAT);
            check("cuEventElapsedTime", cuEventElapsedTime, ms, start, end);
            return ms.get(JAVA_FLOAT, 0);
        }
    }

    void destroyEvent(MemorySegment event) {
        check("cuEventDestroy", cuEventDestroy, event);
    }

    /** Unloads the library; no call may follow. */
    @Override
    public void close() {
        library.close();
    }
}

package org.attune.gpu;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The device memory, host staging memory and launches of one backend call, on the session's stream with its
 * context current. {@link #close()} waits for the stream and frees everything the call allocated, so no device
 * memory outlives a call (data is copied per call).
 */
final class DeviceCall implements AutoCloseable {
    private final CudaDriver driver;
    private final MemorySegment stream;
    private final Map<String, MemorySegment> functions;
    private final Arena host = Arena.ofConfined();
    private final List<Long> allocations = new ArrayList<>();
    private final List<MemorySegment> events = new ArrayList<>();

    DeviceCall(CudaDriver driver, MemorySegment stream, Map<String, MemorySegment> functions) {
        this.driver = driver;
        this.stream = stream;
        this.functions = functions;
    }

    /** Device memory of {@code bytes} (at least 1), freed when the call closes. */
    long allocate(long bytes) {
        long p = driver.allocate(Math.max(1, bytes));
        allocations.add(p);
        return p;
    }

    /** Copies {@code count} floats from {@code data[offset]} to new device memory. */
    long upload(float[] data, int offset, int count) {
        long bytes = (long) count * Float.BYTES;
        long p = allocate(bytes);
        if (count > 0) {
            MemorySegment staging = host.allocate(bytes, 16);
            MemorySegment.copy(data, offset, staging, JAVA_FLOAT, 0, count);
            driver.copyToDeviceAsync(p, staging, bytes, stream);
        }
        return p;
    }

    /** Copies bytes to new device memory. */
    long upload(byte[] data) {
        long p = allocate(data.length);
        if (data.length > 0) {
            MemorySegment staging = host.allocate(data.length, 16);
            MemorySegment.copy(data, 0, staging, JAVA_BYTE, 0, data.length);
            driver.copyToDeviceAsync(p, staging, data.length, stream);
        }
        return p;
    }

    /** Waits for the stream, then copies {@code count} floats from the device into {@code data[offset]}. */
    void download(long device, float[] data, int offset, int count) {
        if (count == 0) {
            return;
        }
        long bytes = (long) count * Float.BYTES;
        MemorySegment staging = host.allocate(bytes, 16);
        driver.copyToHostAsync(staging, device, bytes, stream);
        driver.synchronize(stream);
        MemorySegment.copy(staging, JAVA_FLOAT, 0, data, offset, count);
    }

    /** New argument list for a launch. */
    KernelArgs args() {
        return new KernelArgs(host);
    }

    /** Launches {@code kernel} on the stream. */
    void launch(String kernel, int[] grid, int[] block, int sharedBytes, KernelArgs args) {
        MemorySegment f = functions.get(kernel);
        if (f == null) {
            throw new IllegalStateException("kernel " + kernel + " is not in the loaded module");
        }
        driver.launch(f, grid, block, sharedBytes, stream, args.array());
    }

    /** Records a new event on the stream (destroyed when the call closes). */
    MemorySegment record() {
        MemorySegment e = driver.createEvent();
        events.add(e);
        driver.record(e, stream);
        return e;
    }

    /** Milliseconds between two recorded events, waiting for the second. */
    float elapsed(MemorySegment start, MemorySegment end) {
        driver.synchronizeEvent(end);
        return driver.elapsed(start, end);
    }

    @Override
    public void close() {
        try {
            driver.synchronize(stream);
        } finally {
            RuntimeException first = null;
            for (long p : allocations) {
                try {
                    driver.free(p);
                } catch (RuntimeException e) {
                    first = first == null ? e : first;
                }
            }
            for (MemorySegment e : events) {
                try {
                    driver.destroyEvent(e);
                } catch (RuntimeException ex) {
                    first = first == null ? ex : first;
                }
            }
            host.close();
            if (first != null) {
                throw first;
            }
        }
    }
}

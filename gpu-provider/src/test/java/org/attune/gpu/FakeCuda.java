package org.attune.gpu;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * src/test/c/fake_libcuda.c compiled with the system C compiler into target/fake-cuda: a stand-in driver library
 * with the signatures of cuda.h, and hooks that tell what the provider left held and how it launched. Tests that
 * use it are skipped where no C compiler exists.
 */
final class FakeCuda implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final SymbolLookup symbols;
    private final Path library;

    private FakeCuda(Path library) {
        this.library = library;
        this.symbols = SymbolLookup.libraryLookup(library, arena);
    }

    /** The fake with one sm_90 device. */
    static FakeCuda withDevice() {
        return new FakeCuda(compile("libcuda-fake.so"));
    }

    /** The path of the fake libcublas (fake_libcublas.c). */
    static String cublasPath() {
        return compileSource("fake_libcublas.c", "libcublas-fake.so").toString();
    }

    /** The fake whose cuInit fails with CUDA_ERROR_NO_DEVICE. */
    static FakeCuda withoutDevice() {
        return new FakeCuda(compile("libcuda-fake-none.so", "-DFAKE_NO_DEVICE"));
    }

    private static Path compile(String name, String... flags) {
        return compileSource("fake_libcuda.c", name, flags);
    }

    private static synchronized Path compileSource(String file, String name, String... flags) {
        Path source = Path.of("src/test/c", file).toAbsolutePath();
        Path out = Path.of("target/fake-cuda", name).toAbsolutePath();
        try {
            if (Files.exists(out) && Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(source)) > 0) {
                return out;
            }
            Files.createDirectories(out.getParent());
            java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("cc", "-shared", "-fPIC", "-O1"));
            cmd.addAll(java.util.List.of(flags));
            cmd.addAll(java.util.List.of("-o", out.toString(), source.toString()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            Assumptions.assumeTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "cc failed: " + log);
            return out;
        } catch (IOException e) {
            Assumptions.abort("no C compiler to build the fake driver: " + e.getMessage());
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The library's path, to give to CudaDriver.load. */
    String path() {
        return library.toString();
    }

    private MethodHandle handle(String name, FunctionDescriptor d) {
        return Linker.nativeLinker().downcallHandle(symbols.find(name).orElseThrow(), d);
    }

    /** Contexts, modules, streams, events and allocations held. */
    int live() throws Throwable {
        return (int) handle("fake_live", FunctionDescriptor.of(JAVA_INT)).invokeExact();
    }

    /** Length of the last module image loaded. */
    long moduleBytes() throws Throwable {
        return (long) handle("fake_module_bytes", FunctionDescriptor.of(JAVA_LONG)).invokeExact();
    }

    /** Name of the last kernel launched. */
    String lastKernel() throws Throwable {
        MemorySegment s = (MemorySegment) handle("fake_last_kernel", FunctionDescriptor.of(ADDRESS)).invokeExact();
        return s.reinterpret(64).getString(0, StandardCharsets.UTF_8);
    }

    /** The last attention launch: ms0..3, bs0..3, hq, group, nq, nk, d, dv, causal, grid x·1000 + y. */
    int[] lastAttention() throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT, 16);
            handle("fake_last_attention", FunctionDescriptor.ofVoid(ADDRESS)).invokeExact(out);
            return out.toArray(JAVA_INT);
        }
    }

    /** The scale of the last attention launch. */
    float lastScale() throws Throwable {
        return (float) handle("fake_last_scale", FunctionDescriptor.of(JAVA_FLOAT)).invokeExact();
    }

    @Override
    public void close() {
        arena.close();
    }
}

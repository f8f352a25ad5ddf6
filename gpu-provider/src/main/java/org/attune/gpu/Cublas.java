package org.attune.gpu;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * cuBLAS's strided batched SGEMM through FFM, used for {@code matmul} when a {@code libcublas} can be loaded (the
 * CUDA toolkit or PyTorch's {@code nvidia-cublas} wheel on the library path); otherwise the provider's own
 * {@code gemm_f32} kernel runs. A handle is created in the session's context and bound to its stream.
 *
 * <p>Row-major to cuBLAS's column-major: a row-major r × c matrix is its c × r transpose in column-major order,
 * so C = op(A)·op(B) (row-major, m × n) is computed as Cᵀ = op(B)ᵀ·op(A)ᵀ, i.e. SGEMM with the operands swapped:
 * {@code (opB, opA, n, m, k, B, ldb = transB ? k : n, A, lda = transA ? m : k, C, ldc = n)}.
 */
final class Cublas implements AutoCloseable {
    /** Library names tried in order, the default of the provider's {@code cublas} property. */
    static final String LIBRARIES = "libcublas.so.13,libcublas.so.12,libcublas.so";
    private static final int OP_N = 0;
    private static final int OP_T = 1;

    private final Arena arena;
    private final MethodHandle destroy, gemm;
    private final MemorySegment handle;
    private final String library;
    private final int version;

    private Cublas(Arena arena, SymbolLookup symbols, String library, MemorySegment stream) {
        this.arena = arena;
        this.library = library;
        Linker linker = Linker.nativeLinker();
        MethodHandle create = linker.downcallHandle(find(symbols, "cublasCreate_v2"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        destroy = linker.downcallHandle(find(symbols, "cublasDestroy_v2"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        MethodHandle setStream = linker.downcallHandle(find(symbols, "cublasSetStream_v2"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        MethodHandle getVersion = linker.downcallHandle(find(symbols, "cublasGetVersion_v2"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        // cublasSgemmStridedBatched(handle, transa, transb, m, n, k, *alpha, A, lda, strideA, B, ldb, strideB,
        //                           *beta, C, ldc, strideC, batchCount)
        gemm = linker.downcallHandle(find(symbols, "cublasSgemmStridedBatched"), FunctionDescriptor.of(JAVA_INT,
            ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG,
            JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check("cublasCreate", (int) create.invokeExact(out));
            handle = out.get(ADDRESS, 0);
            check("cublasSetStream", (int) setStream.invokeExact(handle, stream));
            MemorySegment v = a.allocate(JAVA_INT);
            check("cublasGetVersion", (int) getVersion.invokeExact(handle, v));
            version = v.get(JAVA_INT, 0);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private static MemorySegment find(SymbolLookup symbols, String name) {
        return symbols.find(name).orElseThrow(() -> new UnsatisfiedLinkError("no symbol " + name));
    }

    private static void check(String call, int status) {
        if (status != 0) {
            throw new IllegalStateException(call + " failed: cublasStatus_t " + status);
        }
    }

    /**
     * Loads the first of the comma-separated {@code libraries} (names or paths) that exists and creates a handle on
     * {@code stream}; the session's context must be current. Empty when none loads or the handle cannot be made
     * (the reason is in {@code why}).
     */
    static Optional<Cublas> load(String libraries, MemorySegment stream, StringBuilder why) {
        for (String listed : libraries.split(",")) {
            String name = listed.strip();
            if (name.isEmpty()) {
                continue;
            }
            Arena arena = Arena.ofShared();
            try {
                return Optional.of(new Cublas(arena, SymbolLookup.libraryLookup(name, arena), name, stream));
            } catch (IllegalArgumentException e) {
                arena.close();
                why.setLength(0);
                why.append("no libcublas on the library path");
            } catch (RuntimeException | UnsatisfiedLinkError e) {
                arena.close();
                why.setLength(0);
                why.append(name).append(" unusable: ").append(e.getMessage());
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** E.g. {@code cuBLAS 13.0.2 (libcublas.so.13)}. */
    String describe() {
        return "cuBLAS " + version / 10000 + "." + version / 100 % 100 + "." + version % 100 + " (" + library + ")";
    }

    /**
     * {@code batch} row-major products C = op(A)·op(B) of m × k by k × n, consecutive in memory with the given
     * element strides (strideB = 0 shares B), enqueued on the handle's stream.
     */
    void multiply(long a, long b, long c, int m, int n, int k, boolean transA, boolean transB, long strideA,
                  long strideB, long strideC, int batch) {
        try (Arena args = Arena.ofConfined()) {
            MemorySegment one = args.allocateFrom(JAVA_FLOAT, 1f);
            MemorySegment zero = args.allocateFrom(JAVA_FLOAT, 0f);
            int status = (int) gemm.invokeExact(handle, transB ? OP_T : OP_N, transA ? OP_T : OP_N, n, m, k, one,
                b, transB ? k : n, strideB, a, transA ? m : k, strideA, zero, c, n, strideC, batch);
            check("cublasSgemmStridedBatched", status);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** Destroys the handle and unloads the library; the session's context must be current. */
    @Override
    public void close() {
        try {
            check("cublasDestroy", (int) destroy.invokeExact(handle));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        } finally {
            arena.close();
        }
    }
}

package org.attune.gpu;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.AttentionProblem;
import org.attune.api.backend.BackendDeclinedException;
import org.attune.api.backend.BinaryOp;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.backend.Operation;
import org.attune.api.backend.Reduction;
import org.attune.api.backend.Support;
import org.attune.api.backend.UnaryOp;
import org.attune.api.tensor.Broadcast;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;

/**
 * The CUDA backend: {@link ComputeBackend} operations as the kernels of attune_kernels.cu on device 0, float32
 * tensors copied to the device and back on every call.
 *
 * <p>Attention, {@code out[b,h,i,:] = Σ_j softmax_j(scale·q[b,h,i,:]·k[b,g,j,:] + bias | allowed) v[b,g,j,:]} with
 * {@code g = h / (Hq/Hkv)}, runs as one fused flash-attention forward kernel (tiled online softmax of
 * FlashAttention-2, Dao 2023, "FlashAttention-2: Faster Attention with Better Parallelism and Work Partitioning",
 * arXiv:2307.08691, Algorithm 1) in the {@link AttentionPrecision} set on this
 * backend (float32 by default; bfloat16 or float16 operands on tensor cores with float32 accumulation on
 * request), with causal masking, a boolean mask, an additive bias (ALiBi as a bias tensor) and grouped KV heads;
 * a fully masked query row gives a zero output row. Other attention options are declined by name
 * ({@link SupportedOptions}). Matrix products run on cuBLAS when a libcublas loads ({@link Cublas}), else on
 * the gemm_f32 kernel; softmax, the unary and binary elementwise functions and the
 * reductions run on their own kernels. Declined with {@link BackendDeclinedException}: float64 and other
 * element types, gather and scatter-add, and sizes beyond the kernels' limits (head dimension over 256, or
 * over 128 on tensor cores; more than 8 broadcast axes).
 */
final class GpuBackend implements ComputeBackend {
    /** The value of {@link ComputeBackend#ID}. */
    static final String BACKEND_ID = "gpu";
    /** The operations it runs. */
    static final List<Operation> OPERATIONS = List.of(Operation.MATMUL, Operation.SOFTMAX, Operation.ATTENTION,
        Operation.UNARY, Operation.BINARY, Operation.REDUCE);
    /** Kernel codes of the unary functions (elementwise.cuh, unary_apply). */
    static final Map<UnaryOp, Integer> UNARY_CODES = codes(UnaryOp.class, UnaryOp.NEG, UnaryOp.EXP, UnaryOp.LOG,
        UnaryOp.TANH, UnaryOp.SIGMOID, UnaryOp.RELU, UnaryOp.GELU, UnaryOp.ELU, UnaryOp.SOFTPLUS, UnaryOp.SQRT,
        UnaryOp.SQUARE, UnaryOp.ABS, UnaryOp.RECIPROCAL);
    /** Kernel codes of the binary functions (elementwise.cuh, binary_apply). */
    static final Map<BinaryOp, Integer> BINARY_CODES = codes(BinaryOp.class, BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL,
        BinaryOp.DIV, BinaryOp.MAX, BinaryOp.MIN, BinaryOp.POW);
    /** Kernel codes of the reductions (rows.cuh, reduce_f32). */
    static final Map<Reduction, Integer> REDUCTION_CODES = codes(Reduction.class, Reduction.SUM, Reduction.MEAN,
        Reduction.MAX, Reduction.MIN, Reduction.LOG_SUM_EXP);
    /** Axes the broadcasting binary kernel handles (BROADCAST_RANK). */
    static final int BROADCAST_RANK = 8;

    private final CudaSession session;
    private volatile AttentionPrecision precision = AttentionPrecision.FP32;
    private volatile boolean cublasAllowed = true;

    GpuBackend(CudaSession session) {
        this.session = session;
    }

    @SafeVarargs
    private static <E extends Enum<E>> Map<E, Integer> codes(Class<E> type, E... inKernelOrder) {
        Map<E, Integer> codes = new EnumMap<>(type);
        for (int i = 0; i < inKernelOrder.length; i++) {
            codes.put(inKernelOrder[i], i);
        }
        return Map.copyOf(codes);
    }

    @Override
    public String id() {
        return BACKEND_ID;
    }

    /** The device computed on. */
    CudaDevice device() {
        return session.device();
    }

    /** The arithmetic of attention calls. */
    AttentionPrecision precision() {
        return precision;
    }

    /** Sets the arithmetic of later attention calls; calls in flight keep theirs. */
    void precision(AttentionPrecision p) {
        precision = Objects.requireNonNull(p, "precision");
    }

    /** Whether matmul runs on cuBLAS: it is loaded and allowed. */
    boolean usesCublas() {
        return cublasAllowed && session.cublas().isPresent();
    }

    /** Lets matmul use cuBLAS when loaded ({@code true}, the default) or keeps it on the gemm_f32 kernel. */
    void allowCublas(boolean allowed) {
        cublasAllowed = allowed;
    }

    @Override
    public Support supports(Operation op, DType dtype) {
        Objects.requireNonNull(op, "op");
        if (!OPERATIONS.contains(op)) {
            return Support.no(op.id() + " is not implemented on the GPU: its index lookups are cheaper on the CPU "
                + "than the copies to the device and back");
        }
        if (dtype != DType.FLOAT32) {
            return Support.no("element type " + dtype.shortName() + " is not supported; the gpu backend computes on "
                + "f32 (f64 work belongs on the java or cpu backend)");
        }
        return Support.yes();
    }

    private void require(Operation op, String argument, Tensor t) {
        Objects.requireNonNull(t, argument);
        supports(op, t.dtype()).orThrow(BACKEND_ID, op.id() + " (" + argument + ")");
    }

    private static void sameType(String argument, Tensor t) {
        if (t.dtype() != DType.FLOAT32) {
            throw new InvalidInputException(argument, "must be f32 like the first operand, got " + t.dtype().shortName());
        }
    }

    // ------------------------------------------------------------------------------------------- matmul

    @Override
    public Tensor matmul(Tensor a, Tensor b, boolean transposeA, boolean transposeB, Tensor out) {
        require(Operation.MATMUL, "a", a);
        Objects.requireNonNull(b, "b");
        sameType("b", b);
        if (a.rank() < 2) {
            throw InvalidInputException.shape("a", "[..., m, k] (rank >= 2)", a.shape());
        }
        int r = a.rank();
        int[] as = a.shape();
        int[] lead = Arrays.copyOf(as, r - 2);
        int m = transposeA ? as[r - 1] : as[r - 2];
        int k = transposeA ? as[r - 2] : as[r - 1];
        int[] bs = b.shape();
        boolean shared = b.rank() == 2;
        if (!shared && (b.rank() != r || !Arrays.equals(Arrays.copyOf(bs, r - 2), lead))) {
            throw InvalidInputException.shape("b", "[k, n] or the batch axes of a " + Arrays.toString(lead)
                + " followed by [k, n]", bs);
        }
        int kb = transposeB ? bs[bs.length - 1] : bs[bs.length - 2];
        int n = transposeB ? bs[bs.length - 2] : bs[bs.length - 1];
        if (kb != k) {
            throw new InvalidInputException("b", "inner dimension " + kb + " does not match " + k + " of a (shapes "
                + Arrays.toString(as) + (transposeA ? "ᵀ" : "") + " and " + Arrays.toString(bs) + (transposeB ? "ᵀ" : "")
                + ")");
        }
        int batch = 1;
        for (int x : lead) {
            batch *= x;
        }
        int[] shape = Arrays.copyOf(lead, r);
        shape[r - 2] = m;
        shape[r - 1] = n;
        Tensor result = Tensor.output(out, DType.FLOAT32, shape);
        boolean cublas = usesCublas();
        if (!cublas && !GemmTiling.fits(m)) {
            throw new BackendDeclinedException(BACKEND_ID, "matmul", "m = " + m + " needs more than "
                + GemmTiling.MAX_GRID_YZ + " row tiles of the gemm_f32 kernel");
        }
        int matrices = batch;
        session.call(c -> {
            long da = c.upload(a.floatData(), a.offset(), a.size());
            long db = c.upload(b.floatData(), b.offset(), b.size());
            long dc = c.allocate((long) result.size() * Float.BYTES);
            long strideA = (long) m * k;
            long strideB = shared ? 0 : (long) k * n;
            long strideC = (long) m * n;
            if (cublas) {
                if (matrices > 0 && m > 0 && n > 0) {
                    session.cublas().get().multiply(da, db, dc, m, n, k, transposeA, transposeB, strideA, strideB,
                        strideC, matrices);
                }
                c.download(dc, result.floatData(), result.offset(), result.size());
                return null;
            }
            for (int first = 0; first < matrices; first += GemmTiling.MAX_GRID_Z) {
                int count = Math.min(GemmTiling.MAX_GRID_Z, matrices - first);
                GemmTiling t = GemmTiling.plan(count, m, n);
                c.launch("gemm_f32", t.grid(), t.block(), 0, c.args()
                    .pointer(da + first * strideA * Float.BYTES).pointer(db + first * strideB * Float.BYTES)
                    .pointer(dc + first * strideC * Float.BYTES).i32(m).i32(n).i32(k)
                    .i32(transposeA ? 1 : 0).i32(transposeB ? 1 : 0).i64(strideA).i64(strideB).i64(strideC));
            }
            c.download(dc, result.floatData(), result.offset(), result.size());
            return null;
        });
        return result;
    }

    // ------------------------------------------------------------------------------------------- softmax

    @Override
    public Tensor softmax(Tensor x, int axis, Tensor mask, Tensor out) {
        require(Operation.SOFTMAX, "x", x);
        int ax = x.normaliseAxis(axis);
        int[] shape = x.shape();
        byte[] allowed = null;
        if (mask != null) {
            mask.requireDType("mask", DType.BOOL);
            allowed = expand(mask, Broadcast.strides("mask", mask.shape(), shape), shape);
        }
        Tensor result = Tensor.output(out, DType.FLOAT32, shape);
        RowTiling rows = RowTiling.of(shape, ax);
        byte[] maskBytes = allowed;
        session.call(c -> {
            long dx = c.upload(x.floatData(), x.offset(), x.size());
            long dm = maskBytes == null ? 0 : c.upload(maskBytes);
            long dy = c.allocate((long) result.size() * Float.BYTES);
            if (rows.lines() > 0) {
                c.launch("softmax_f32", rows.grid(), RowTiling.block(), 0, c.args().pointer(dx).pointer(dm).pointer(dy)
                    .i64(rows.lines()).i32(rows.n()).i32(rows.inner()));
            }
            c.download(dy, result.floatData(), result.offset(), result.size());
            return null;
        });
        return result;
    }

    /** A boolean tensor read through broadcast strides, expanded to {@code shape} as bytes 0/1. */
    private static byte[] expand(Tensor t, int[] strides, int[] shape) {
        int size = t.size() == 0 ? 0 : Math.toIntExact(Arrays.stream(shape).asLongStream().reduce(1, (p, q) -> p * q));
        byte[] bytes = new byte[size];
        boolean[] data = t.booleanData();
        int[] index = new int[shape.length];
        for (int e = 0; e < size; e++) {
            int src = t.offset();
            for (int a = 0; a < shape.length; a++) {
                src += index[a] * strides[a];
            }
            bytes[e] = (byte) (data[src] ? 1 : 0);
            for (int a = shape.length - 1; a >= 0 && ++index[a] == shape[a]; a--) {
                index[a] = 0;
            }
        }
        return bytes;
    }

    // ------------------------------------------------------------------------------------------- attention

    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, AttentionOptions options, Tensor out) {
        require(Operation.ATTENTION, "q", q);
        AttentionOptions o = options == null ? AttentionOptions.defaults() : options;
        List<String> unsupported = SupportedOptions.unsupported(o);
        if (!unsupported.isEmpty()) {
            throw new BackendDeclinedException(BACKEND_ID, "attention", "option(s) " + String.join(", ", unsupported)
                + " not implemented by the GPU kernels (they apply scale, causal, mask and bias)");
        }
        AttentionProblem p = AttentionProblem.of(q, k, v, o, out);
        AttentionPrecision arithmetic = precision;
        AttentionTiling.check(arithmetic, p.d(), p.dv(), p.nq(), session.device().sharedMemoryPerBlock())
            .orThrow(BACKEND_ID, "attention");
        Tensor result = Tensor.output(out, DType.FLOAT32, p.outputShape());
        if (result.size() == 0) {
            return result;
        }
        Tensor mask = o.mask().orElse(null);
        byte[] maskBytes = mask == null ? null : bytes(mask);
        float[] bias = o.bias().map(Tensor::toFloatArray).orElse(null);
        AttentionTiling t = AttentionTiling.plan(arithmetic, p.batch(), p.queryHeads(), p.nq(), p.d(), p.dv());
        session.call(c -> {
            long dq = c.upload(q.floatData(), q.offset(), q.size());
            long dk = c.upload(k.floatData(), k.offset(), k.size());
            long dv = c.upload(v.floatData(), v.offset(), v.size());
            long dm = maskBytes == null ? 0 : c.upload(maskBytes);
            long db = bias == null ? 0 : c.upload(bias, 0, bias.length);
            long dout = c.allocate((long) result.size() * Float.BYTES);
            c.launch(t.kernel(), t.grid(), t.block(), t.sharedBytes(),
                attentionArgs(c.args(), dq, dk, dv, dout, 0, dm, p.maskStrides(), db, p.biasStrides(), p, o.causal()));
            c.download(dout, result.floatData(), result.offset(), result.size());
            return null;
        });
        return result;
    }

    /** The arguments of the attention kernels, in their order. */
    static KernelArgs attentionArgs(KernelArgs a, long q, long k, long v, long out, long lse, long mask,
                                    int[] maskStrides, long bias, int[] biasStrides, AttentionProblem p, boolean causal) {
        int[] ms = maskStrides == null ? new int[4] : maskStrides;
        int[] bs = biasStrides == null ? new int[4] : biasStrides;
        return a.pointer(q).pointer(k).pointer(v).pointer(out).pointer(lse)
            .pointer(mask).i32(ms[0]).i32(ms[1]).i32(ms[2]).i32(ms[3])
            .pointer(bias).i32(bs[0]).i32(bs[1]).i32(bs[2]).i32(bs[3])
            .i32(p.queryHeads()).i32(p.groupSize()).i32(p.nq()).i32(p.nk()).i32(p.d()).i32(p.dv())
            .f32((float) p.scale()).i32(causal ? 1 : 0);
    }

    /** A boolean tensor's elements as bytes 0/1, row-major. */
    private static byte[] bytes(Tensor t) {
        byte[] b = new byte[t.size()];
        boolean[] data = t.booleanData();
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (data[t.offset() + i] ? 1 : 0);
        }
        return b;
    }

    // ------------------------------------------------------------------------------------------- elementwise

    @Override
    public Tensor unary(UnaryOp op, Tensor x, Tensor out) {
        require(Operation.UNARY, "x", x);
        Integer code = UNARY_CODES.get(Objects.requireNonNull(op, "op"));
        if (code == null) {
            throw new BackendDeclinedException(BACKEND_ID, "unary " + op, "no kernel for " + op);
        }
        Tensor result = Tensor.output(out, DType.FLOAT32, x.shape());
        session.call(c -> {
            long dx = c.upload(x.floatData(), x.offset(), x.size());
            long dy = c.allocate((long) x.size() * Float.BYTES);
            c.launch("unary_f32", RowTiling.elementGrid(x.size()), RowTiling.elementBlock(), 0,
                c.args().pointer(dx).pointer(dy).i64(x.size()).i32(code));
            c.download(dy, result.floatData(), result.offset(), result.size());
            return null;
        });
        return result;
    }

    @Override
    public Tensor binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        require(Operation.BINARY, "a", a);
        Objects.requireNonNull(b, "b");
        sameType("b", b);
        Integer code = BINARY_CODES.get(Objects.requireNonNull(op, "op"));
        if (code == null) {
            throw new BackendDeclinedException(BACKEND_ID, "binary " + op, "no kernel for " + op);
        }
        int[] shape = Broadcast.shape("b", a.shape(), b.shape());
        if (shape.length > BROADCAST_RANK) {
            throw new BackendDeclinedException(BACKEND_ID, "binary " + op, "rank " + shape.length + " exceeds the "
                + BROADCAST_RANK + " axes of the broadcasting kernel");
        }
        int[] layout = broadcastLayout(shape, Broadcast.strides("a", a.shape(), shape),
            Broadcast.strides("b", b.shape(), shape));
        Tensor result = Tensor.output(out, DType.FLOAT32, shape);
        session.call(c -> {
            long da = c.upload(a.floatData(), a.offset(), a.size());
            long db = c.upload(b.floatData(), b.offset(), b.size());
            long dy = c.allocate((long) result.size() * Float.BYTES);
            if (result.size() > 0) {
                c.launch("binary_f32", RowTiling.elementGrid(result.size()), RowTiling.elementBlock(), 0,
                    c.args().pointer(da).pointer(db).pointer(dy).i64(result.size()).i32(code).ints(layout));
            }
            c.download(dy, result.floatData(), result.offset(), result.size());
            return null;
        });
        return result;
    }

    /** The {@code Broadcast} struct of elementwise.cuh: rank, shape[8], strideA[8], strideB[8]. */
    static int[] broadcastLayout(int[] shape, int[] stridesA, int[] stridesB) {
        int[] s = new int[1 + 3 * BROADCAST_RANK];
        s[0] = shape.length;
        for (int i = 0; i < shape.length; i++) {
            s[1 + i] = shape[i];
            s[1 + BROADCAST_RANK + i] = stridesA[i];
            s[1 + 2 * BROADCAST_RANK + i] = stridesB[i];
        }
        return s;
    }

    // ------------------------------------------------------------------------------------------- reductions

    @Override
    public Tensor reduce(Reduction r, Tensor x, int axis, boolean keepDim) {
        require(Operation.REDUCE, "x", x);
        Integer code = REDUCTION_CODES.get(Objects.requireNonNull(r, "r"));
        if (code == null) {
            throw new BackendDeclinedException(BACKEND_ID, "reduce " + r, "no kernel for " + r);
        }
        int ax = x.normaliseAxis(axis);
        int[] shape = x.shape();
        RowTiling rows = RowTiling.of(shape, ax);
        int[] outShape;
        if (keepDim) {
            outShape = shape.clone();
            outShape[ax] = 1;
        } else {
            outShape = new int[shape.length - 1];
            for (int i = 0, j = 0; i < shape.length; i++) {
                if (i != ax) {
                    outShape[j++] = shape[i];
                }
            }
        }
        Tensor result = Tensor.zeros(DType.FLOAT32, outShape);
        session.call(c -> {
            long dx = c.upload(x.floatData(), x.offset(), x.size());
            long dy = c.allocate(rows.lines() * Float.BYTES);
            if (rows.lines() > 0) {
                c.launch("reduce_f32", rows.grid(), RowTiling.block(), 0, c.args().pointer(dx).pointer(dy)
                    .i64(rows.lines()).i32(rows.n()).i32(rows.inner()).i32(code));
            }
            c.download(dy, result.floatData(), 0, result.size());
            return null;
        });
        return result;
    }

    // ------------------------------------------------------------------------------------------- index operations

    @Override
    public Tensor gather(Tensor x, Tensor index) {
        throw new BackendDeclinedException(BACKEND_ID, "gather", supports(Operation.GATHER, DType.FLOAT32).reason());
    }

    @Override
    public Tensor scatterAdd(Tensor src, Tensor index, int size) {
        throw new BackendDeclinedException(BACKEND_ID, "scatter-add",
            supports(Operation.SCATTER_ADD, DType.FLOAT32).reason());
    }
}

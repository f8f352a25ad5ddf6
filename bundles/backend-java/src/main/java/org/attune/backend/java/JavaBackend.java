package org.attune.backend.java;

import java.util.Arrays;
import java.util.Objects;
import java.util.stream.IntStream;

import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.AttentionProblem;
import org.attune.api.backend.AttentionResult;
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
import org.osgi.service.component.annotations.Component;

/**
 * The pure-Java reference backend: every {@link ComputeBackend} operation as straightforward loops over
 * {@code double}, on float32 and float64.
 *
 * <p>Inputs are read into float64 and every sum, maximum and exponential is taken in float64; a float32
 * result is the float64 result rounded once. So float64 results are as accurate as the loops, and float32
 * results are the correctly rounded float64 results: the yardstick other backends are compared with.
 * Attention and matrix products run in parallel over batch × heads (rows) on the common fork-join pool
 * when the work is large enough to pay for it.
 *
 * <p>Element types other than float32 and float64 are declined with
 * {@link org.attune.api.backend.BackendDeclinedException}; mixed float types within one call are an
 * {@link InvalidInputException} naming the argument. Bias tensors of attention may be of either float type.
 */
@Component(service = ComputeBackend.class, property = {
    ComputeBackend.ID + "=" + JavaBackend.BACKEND_ID,
    ComputeBackend.NAME + "=Pure-Java reference",
    ComputeBackend.DEVICE + "=CPU (JVM, portable)",
    ComputeBackend.OPERATIONS + "=matmul",
    ComputeBackend.OPERATIONS + "=softmax",
    ComputeBackend.OPERATIONS + "=attention",
    ComputeBackend.OPERATIONS + "=unary",
    ComputeBackend.OPERATIONS + "=binary",
    ComputeBackend.OPERATIONS + "=reduce",
    ComputeBackend.OPERATIONS + "=gather",
    ComputeBackend.OPERATIONS + "=scatter-add",
    ComputeBackend.DTYPES + "=f32",
    ComputeBackend.DTYPES + "=f64",
    "service.ranking:Integer=0"})
public final class JavaBackend implements ComputeBackend {
    /** The value of {@link ComputeBackend#ID}. */
    static final String BACKEND_ID = "java";
    /** Multiply-adds below which a loop stays on the calling thread. */
    private static final double PARALLEL_WORK = 1 << 16;

    @Override
    public String id() {
        return BACKEND_ID;
    }

    @Override
    public Support supports(Operation op, DType dtype) {
        Objects.requireNonNull(op, "op");
        return dtype.isFloating() ? Support.yes()
            : Support.no("element type " + dtype.shortName() + " is not supported; the pure-Java backend computes on f32 and f64");
    }

    @Override
    public Tensor matmul(Tensor a, Tensor b, boolean transposeA, boolean transposeB, Tensor out) {
        DType dtype = floating(Operation.MATMUL, "a", a);
        sameType("b", b, dtype);
        if (a.rank() < 2) {
            throw InvalidInputException.shape("a", "[..., m, k] (rank >= 2)", a.shape());
        }
        int r = a.rank();
        int[] as = a.shape();
        int[] lead = Arrays.copyOf(as, r - 2);
        int m = transposeA ? as[r - 1] : as[r - 2];
        int k = transposeA ? as[r - 2] : as[r - 1];
        boolean shared = b.rank() == 2;
        int[] bs = b.shape();
        if (!shared && (b.rank() != r || !Arrays.equals(Arrays.copyOf(bs, r - 2), lead))) {
            throw InvalidInputException.shape("b", "[k, n] or " + shapeWith(lead, "k, n") + " (the batch axes of a)", bs);
        }
        int kb = transposeB ? bs[bs.length - 1] : bs[bs.length - 2];
        int n = transposeB ? bs[bs.length - 2] : bs[bs.length - 1];
        if (kb != k) {
            throw new InvalidInputException("b", "inner dimension " + kb + " does not match " + k + " of a (shapes "
                + Arrays.toString(as) + (transposeA ? "ᵀ" : "") + " and " + Arrays.toString(bs) + (transposeB ? "ᵀ" : "") + ")");
        }
        int batch = product(lead);
        int[] shape = Arrays.copyOf(lead, r);
        shape[r - 2] = m;
        shape[r - 1] = n;
        double[] c = MatrixProduct.multiply(a.toDoubleArray(), b.toDoubleArray(), batch, shared, m, k, n, transposeA,
            transposeB);
        return result(c, shape, dtype, out);
    }

    @Override
    public Tensor softmax(Tensor x, int axis, Tensor mask, Tensor out) {
        DType dtype = floating(Operation.SOFTMAX, "x", x);
        int ax = x.normaliseAxis(axis);
        int[] shape = x.shape();
        boolean[] allowed = mask == null ? null : expandMask(mask, shape);
        double[] y = Softmax.along(x.toDoubleArray(), shape, ax, allowed);
        return result(y, shape, dtype, out);
    }

    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, AttentionOptions options, Tensor out) {
        floating(Operation.ATTENTION, "q", q);
        AttentionOptions o = options == null ? AttentionOptions.defaults() : options;
        AttentionProblem p = AttentionProblem.of(q, k, v, o, out);
        double[] y = AttentionKernel.compute(p, o, q.toDoubleArray(), k.toDoubleArray(), v.toDoubleArray(), null);
        return result(y, p.outputShape(), q.dtype(), out);
    }

    @Override
    public AttentionResult attentionWithLse(Tensor q, Tensor k, Tensor v, AttentionOptions options, Tensor out) {
        floating(Operation.ATTENTION, "q", q);
        AttentionOptions o = options == null ? AttentionOptions.defaults() : options;
        AttentionProblem p = AttentionProblem.of(q, k, v, o, out);
        double[] lse = new double[p.batch() * p.queryHeads() * p.nq()];
        double[] y = AttentionKernel.compute(p, o, q.toDoubleArray(), k.toDoubleArray(), v.toDoubleArray(), lse);
        return new AttentionResult(result(y, p.outputShape(), q.dtype(), out),
            result(lse, p.lseShape(), q.dtype(), null));
    }

    @Override
    public Tensor unary(UnaryOp op, Tensor x, Tensor out) {
        Objects.requireNonNull(op, "op");
        DType dtype = floating(Operation.UNARY, "x", x);
        return result(Elementwise.apply(op, x.toDoubleArray()), x.shape(), dtype, out);
    }

    @Override
    public Tensor binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        Objects.requireNonNull(op, "op");
        DType dtype = floating(Operation.BINARY, "a", a);
        sameType("b", b, dtype);
        int[] shape = Broadcast.shape("b", a.shape(), b.shape());
        int[] ia = BroadcastIndex.offsets(Broadcast.strides("a", a.shape(), shape), shape);
        int[] ib = BroadcastIndex.offsets(Broadcast.strides("b", b.shape(), shape), shape);
        return result(Elementwise.apply(op, a.toDoubleArray(), ia, b.toDoubleArray(), ib), shape, dtype, out);
    }

    @Override
    public Tensor reduce(Reduction r, Tensor x, int axis, boolean keepDim) {
        Objects.requireNonNull(r, "r");
        DType dtype = floating(Operation.REDUCE, "x", x);
        int ax = x.normaliseAxis(axis);
        int[] shape = x.shape();
        double[] y = Reductions.along(r, x.toDoubleArray(), shape, ax);
        int[] kept = shape.clone();
        kept[ax] = 1;
        int[] outShape = keepDim ? kept : remove(shape, ax);
        return result(y, outShape, dtype, null);
    }

    @Override
    public Tensor gather(Tensor x, Tensor index) {
        DType dtype = floating(Operation.GATHER, "x", x);
        if (x.rank() < 1) {
            throw InvalidInputException.shape("x", "[rows, ...] (rank >= 1)", x.shape());
        }
        long[] idx = indexVector(index, -1);
        int rows = x.dim(0);
        checkIndices(idx, index.offset(), index.size(), rows, "x.dim(0)");
        int[] shape = x.shape();
        shape[0] = index.size();
        double[] y = Rows.gather(x.toDoubleArray(), product(Arrays.copyOfRange(shape, 1, shape.length)), idx,
            index.offset(), index.size());
        return result(y, shape, dtype, null);
    }

    @Override
    public Tensor scatterAdd(Tensor src, Tensor index, int size) {
        DType dtype = floating(Operation.SCATTER_ADD, "src", src);
        if (src.rank() < 1) {
            throw InvalidInputException.shape("src", "[rows, ...] (rank >= 1)", src.shape());
        }
        if (size < 0) {
            throw new InvalidInputException("size", "must be >= 0, got " + size);
        }
        long[] idx = indexVector(index, src.dim(0));
        checkIndices(idx, index.offset(), index.size(), size, "size");
        int[] shape = src.shape();
        shape[0] = size;
        double[] y = Rows.scatterAdd(src.toDoubleArray(), src.dim(0), product(Arrays.copyOfRange(shape, 1, shape.length)),
            idx, index.offset(), size);
        return result(y, shape, dtype, null);
    }

    // ----------------------------------------------------------------------------------------------- shared

    /**
     * The rows {@code [0, count)} as a stream, parallel when {@code work} multiply-adds are enough to pay for
     * the fork-join pool.
     */
    static IntStream rows(int count, double work) {
        IntStream s = IntStream.range(0, count);
        return work > PARALLEL_WORK && count > 1 ? s.parallel() : s;
    }

    private DType floating(Operation op, String argument, Tensor t) {
        Objects.requireNonNull(t, argument);
        supports(op, t.dtype()).orThrow(BACKEND_ID, op.id() + " of " + argument);
        return t.dtype();
    }

    private static void sameType(String argument, Tensor t, DType dtype) {
        Objects.requireNonNull(t, argument);
        if (t.dtype() != dtype) {
            throw new InvalidInputException(argument, "expected dtype " + dtype.shortName()
                + " (the type of the first operand), got " + t.dtype().shortName());
        }
    }

    private static boolean[] expandMask(Tensor mask, int[] shape) {
        mask.requireDType("mask", DType.BOOL);
        int[] at = BroadcastIndex.offsets(Broadcast.strides("mask", mask.shape(), shape), shape);
        boolean[] data = mask.booleanData();
        boolean[] out = new boolean[at.length];
        for (int i = 0; i < at.length; i++) {
            out[i] = data[mask.offset() + at[i]];
        }
        return out;
    }

    private static long[] indexVector(Tensor index, int length) {
        Objects.requireNonNull(index, "index");
        index.requireDType("index", DType.INT64);
        index.requireShape("index", length < 0 ? "[n] (an int64 vector)" : "[" + length + "] (one entry per row of src)",
            length);
        return index.longData();
    }

    private static void checkIndices(long[] idx, int offset, int n, int bound, String boundName) {
        for (int i = 0; i < n; i++) {
            long j = idx[offset + i];
            if (j < 0 || j >= bound) {
                throw new InvalidInputException("index", "entry " + i + " is " + j + ", outside [0, " + bound + ") ("
                    + boundName + ")");
            }
        }
    }

    /** Writes float64 results into {@code out} or a new tensor of {@code dtype}, rounding once for float32. */
    private static Tensor result(double[] values, int[] shape, DType dtype, Tensor out) {
        Tensor t = Tensor.output(out, dtype, shape);
        if (dtype == DType.FLOAT64) {
            System.arraycopy(values, 0, t.doubleData(), t.offset(), values.length);
        } else {
            float[] f = t.floatData();
            int o = t.offset();
            for (int i = 0; i < values.length; i++) {
                f[o + i] = (float) values[i];
            }
        }
        return t;
    }

    private static String shapeWith(int[] lead, String tail) {
        StringBuilder s = new StringBuilder("[");
        for (int d : lead) {
            s.append(d).append(", ");
        }
        return s.append(tail).append(']').toString();
    }

    private static int product(int[] dims) {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    private static int[] remove(int[] shape, int axis) {
        int[] out = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i != axis) {
                out[j++] = shape[i];
            }
        }
        return out;
    }
}

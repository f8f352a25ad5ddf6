package org.attune.api.tensor;

import java.util.Arrays;
import java.util.Objects;

/**
 * A contiguous, row-major tensor over a typed Java array.
 *
 * <p>Element {@code [i0, i1, ..., ik]} lives at {@code offset + Σ i_a · stride_a} of the backing array, with
 * {@code stride_k = 1} and {@code stride_a = stride_{a+1} · shape_{a+1}}. The backing array is one of
 * {@code float[]} ({@link DType#FLOAT32}), {@code double[]} ({@link DType#FLOAT64}), {@code long[]}
 * ({@link DType#INT64}) or {@code boolean[]} ({@link DType#BOOL}).
 *
 * <p>{@link #reshape}, {@link #slice} and {@link #select} are views that share the array; writes through a
 * view are seen by the original. Every other method that returns a tensor returns a new one. Tensors are
 * mutable and not thread-safe for writes; concurrent reads are safe.
 *
 * <p>Size limit: at most {@link Integer#MAX_VALUE} elements.
 */
public final class Tensor {
    private final DType dtype;
    private final int[] shape;
    private final int offset;
    private final int size;
    private final float[] f32;
    private final double[] f64;
    private final long[] i64;
    private final boolean[] bool;

    private Tensor(DType dtype, int[] shape, int offset, float[] f32, double[] f64, long[] i64, boolean[] bool) {
        this.dtype = dtype;
        this.shape = shape;
        this.offset = offset;
        this.size = checkedSize(shape);
        this.f32 = f32;
        this.f64 = f64;
        this.i64 = i64;
        this.bool = bool;
        int capacity = switch (dtype) {
            case FLOAT32 -> f32.length;
            case FLOAT64 -> f64.length;
            case INT64 -> i64.length;
            case BOOL -> bool.length;
        };
        if (offset < 0 || offset + (long) size > capacity) {
            throw new InvalidInputException("data", "holds " + capacity + " elements, shape "
                + Arrays.toString(shape) + " at offset " + offset + " needs " + size);
        }
    }

    private static int checkedSize(int[] shape) {
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new InvalidInputException("shape", "dimensions must be >= 0, got " + Arrays.toString(shape));
            }
            n *= shape[i];
            if (n > Integer.MAX_VALUE) {
                throw new InvalidInputException("shape", "more than 2^31-1 elements: " + Arrays.toString(shape));
            }
        }
        return (int) n;
    }

    // ----------------------------------------------------------------------------------------------- creation

    /** A float32 tensor over {@code data} (not copied). */
    public static Tensor of(float[] data, int... shape) {
        return new Tensor(DType.FLOAT32, shape.clone(), 0, Objects.requireNonNull(data, "data"), null, null, null);
    }

    /** A float64 tensor over {@code data} (not copied). */
    public static Tensor of(double[] data, int... shape) {
        return new Tensor(DType.FLOAT64, shape.clone(), 0, null, Objects.requireNonNull(data, "data"), null, null);
    }

    /** An int64 tensor over {@code data} (not copied). */
    public static Tensor of(long[] data, int... shape) {
        return new Tensor(DType.INT64, shape.clone(), 0, null, null, Objects.requireNonNull(data, "data"), null);
    }

    /** A boolean tensor over {@code data} (not copied). */
    public static Tensor of(boolean[] data, int... shape) {
        return new Tensor(DType.BOOL, shape.clone(), 0, null, null, null, Objects.requireNonNull(data, "data"));
    }

    /** A zero-filled (false-filled) tensor. */
    public static Tensor zeros(DType dtype, int... shape) {
        int n = checkedSize(shape);
        return switch (dtype) {
            case FLOAT32 -> of(new float[n], shape);
            case FLOAT64 -> of(new double[n], shape);
            case INT64 -> of(new long[n], shape);
            case BOOL -> of(new boolean[n], shape);
        };
    }

    /**
     * The output tensor of an operation that takes an optional {@code out} argument: {@code out} itself after
     * checking its shape and type, or a new zero tensor when {@code out} is null.
     *
     * @throws InvalidInputException naming {@code out} when its shape or type differ
     */
    public static Tensor output(Tensor out, DType dtype, int... shape) {
        if (out == null) {
            return zeros(dtype, shape);
        }
        out.requireShape("out", format(shape), shape);
        return out.requireDType("out", dtype);
    }

    /** A scalar (rank 0) tensor. */
    public static Tensor scalar(DType dtype, double value) {
        Tensor t = zeros(dtype);
        t.setFlat(0, value);
        return t;
    }

    // ----------------------------------------------------------------------------------------------- shape

    public DType dtype() {
        return dtype;
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Size of one axis; negative axes count from the end. */
    public int dim(int axis) {
        return shape[normaliseAxis(axis)];
    }

    /** Number of elements. */
    public int size() {
        return size;
    }

    /** The axis index in [0, rank), accepting negative axes counted from the end. */
    public int normaliseAxis(int axis) {
        int a = axis < 0 ? axis + shape.length : axis;
        if (a < 0 || a >= shape.length) {
            throw new InvalidInputException("axis", "must be in [-" + shape.length + ", " + shape.length + "), got " + axis);
        }
        return a;
    }

    /** Row-major strides of this shape, in elements. */
    public int[] strides() {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    /**
     * Checks the rank and, where {@code expected} holds a value ≥ 0, the size of each axis.
     *
     * @param argument    the argument's name, for the message
     * @param description the expected layout, e.g. {@code [batch, heads, seq, dim]}
     * @param expected    one entry per axis; -1 accepts any size
     * @return this tensor
     * @throws InvalidInputException naming the argument and the expected shape
     */
    public Tensor requireShape(String argument, String description, int... expected) {
        boolean ok = shape.length == expected.length;
        for (int i = 0; ok && i < expected.length; i++) {
            ok = expected[i] < 0 || expected[i] == shape[i];
        }
        if (!ok) {
            throw InvalidInputException.shape(argument, description, shape);
        }
        return this;
    }

    /** Checks the element type. */
    public Tensor requireDType(String argument, DType... allowed) {
        for (DType d : allowed) {
            if (d == dtype) {
                return this;
            }
        }
        throw new InvalidInputException(argument, "expected dtype " + Arrays.toString(allowed) + ", got " + dtype);
    }

    // ----------------------------------------------------------------------------------------------- storage

    /** Offset of element 0 in the backing array. */
    public int offset() {
        return offset;
    }

    /** The backing array of a float32 tensor (shared, not copied); elements start at {@link #offset()}. */
    public float[] floatData() {
        requireDType("tensor", DType.FLOAT32);
        return f32;
    }

    /** The backing array of a float64 tensor (shared, not copied); elements start at {@link #offset()}. */
    public double[] doubleData() {
        requireDType("tensor", DType.FLOAT64);
        return f64;
    }

    /** The backing array of an int64 tensor (shared, not copied); elements start at {@link #offset()}. */
    public long[] longData() {
        requireDType("tensor", DType.INT64);
        return i64;
    }

    /** The backing array of a boolean tensor (shared, not copied); elements start at {@link #offset()}. */
    public boolean[] booleanData() {
        requireDType("tensor", DType.BOOL);
        return bool;
    }

    // ----------------------------------------------------------------------------------------------- elements

    /** Element {@code i} in row-major order, as a double (booleans read as 0 or 1). */
    public double getFlat(int i) {
        int j = offset + checkFlat(i);
        return switch (dtype) {
            case FLOAT32 -> f32[j];
            case FLOAT64 -> f64[j];
            case INT64 -> i64[j];
            case BOOL -> bool[j] ? 1 : 0;
        };
    }

    /** Sets element {@code i}; float32 rounds, int64 truncates, bool stores {@code value != 0}. */
    public void setFlat(int i, double value) {
        int j = offset + checkFlat(i);
        switch (dtype) {
            case FLOAT32 -> f32[j] = (float) value;
            case FLOAT64 -> f64[j] = value;
            case INT64 -> i64[j] = (long) value;
            case BOOL -> bool[j] = value != 0;
        }
    }

    /** Boolean element {@code i} in row-major order; numeric types read {@code value != 0}. */
    public boolean getBooleanFlat(int i) {
        return dtype == DType.BOOL ? bool[offset + checkFlat(i)] : getFlat(i) != 0;
    }

    /** Element at a multi-index. */
    public double get(int... index) {
        return getFlat(flatIndex(index));
    }

    /** Sets the element at a multi-index. */
    public void set(double value, int... index) {
        setFlat(flatIndex(index), value);
    }

    /** Row-major position of a multi-index. */
    public int flatIndex(int... index) {
        if (index.length != shape.length) {
            throw new InvalidInputException("index", "expected " + shape.length + " indices, got " + index.length);
        }
        int flat = 0;
        for (int a = 0; a < shape.length; a++) {
            if (index[a] < 0 || index[a] >= shape[a]) {
                throw new InvalidInputException("index", "index " + Arrays.toString(index) + " out of bounds for shape "
                    + Arrays.toString(shape));
            }
            flat = flat * shape[a] + index[a];
        }
        return flat;
    }

    private int checkFlat(int i) {
        if (i < 0 || i >= size) {
            throw new InvalidInputException("index", "flat index " + i + " out of bounds for size " + size);
        }
        return i;
    }

    // ----------------------------------------------------------------------------------------------- views

    /** A view with another shape of the same size; one entry may be -1 (inferred). */
    public Tensor reshape(int... newShape) {
        int[] s = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) {
                    throw new InvalidInputException("shape", "at most one -1 allowed, got " + Arrays.toString(newShape));
                }
                infer = i;
            } else {
                known *= s[i];
            }
        }
        if (infer >= 0 && known > 0 && size % known == 0) {
            s[infer] = (int) (size / known);
        }
        if (checkedSizeOrMinus(s) != size) {
            throw new InvalidInputException("shape", "cannot reshape " + Arrays.toString(shape) + " (" + size
                + " elements) to " + Arrays.toString(newShape));
        }
        return new Tensor(dtype, s, offset, f32, f64, i64, bool);
    }

    private static long checkedSizeOrMinus(int[] s) {
        long n = 1;
        for (int d : s) {
            if (d < 0) {
                return -1;
            }
            n *= d;
        }
        return n;
    }

    /** A view of rows {@code [from, to)} along axis 0. */
    public Tensor slice(int from, int to) {
        if (shape.length == 0 || from < 0 || to > shape[0] || from > to) {
            throw new InvalidInputException("range", "[" + from + ", " + to + ") is not inside axis 0 of shape "
                + Arrays.toString(shape));
        }
        int[] s = shape.clone();
        s[0] = to - from;
        int row = shape[0] == 0 ? 0 : size / shape[0];
        return new Tensor(dtype, s, offset + from * row, f32, f64, i64, bool);
    }

    /** A view of index {@code i} along axis 0, with that axis removed. */
    public Tensor select(int i) {
        Tensor s = slice(i, i + 1);
        return s.reshape(Arrays.copyOfRange(shape, 1, shape.length));
    }

    // ----------------------------------------------------------------------------------------------- copies

    /** A compact copy (its own array, offset 0). */
    public Tensor copy() {
        return switch (dtype) {
            case FLOAT32 -> of(Arrays.copyOfRange(f32, offset, offset + size), shape);
            case FLOAT64 -> of(Arrays.copyOfRange(f64, offset, offset + size), shape);
            case INT64 -> of(Arrays.copyOfRange(i64, offset, offset + size), shape);
            case BOOL -> of(Arrays.copyOfRange(bool, offset, offset + size), shape);
        };
    }

    /** This tensor converted to another element type; a copy even when the type is the same. */
    public Tensor to(DType target) {
        if (target == dtype) {
            return copy();
        }
        Tensor out = zeros(target, shape);
        if (target == DType.FLOAT32 && dtype == DType.FLOAT64) {
            for (int i = 0; i < size; i++) {
                out.f32[i] = (float) f64[offset + i];
            }
        } else if (target == DType.FLOAT64 && dtype == DType.FLOAT32) {
            for (int i = 0; i < size; i++) {
                out.f64[i] = f32[offset + i];
            }
        } else {
            for (int i = 0; i < size; i++) {
                out.setFlat(i, getFlat(i));
            }
        }
        return out;
    }

    /** The elements as a new float array, row-major. */
    public float[] toFloatArray() {
        return to(DType.FLOAT32).f32;
    }

    /** The elements as a new double array, row-major. */
    public double[] toDoubleArray() {
        return to(DType.FLOAT64).f64;
    }

    /** Copies {@code src}'s elements into this tensor, converting the type; the sizes must match. */
    public Tensor copyFrom(Tensor src) {
        if (src.size != size) {
            throw new InvalidInputException("src", "expected " + size + " elements, got " + src.size);
        }
        if (dtype == DType.FLOAT32 && src.dtype == DType.FLOAT32) {
            System.arraycopy(src.f32, src.offset, f32, offset, size);
        } else if (dtype == DType.FLOAT64 && src.dtype == DType.FLOAT64) {
            System.arraycopy(src.f64, src.offset, f64, offset, size);
        } else {
            for (int i = 0; i < size; i++) {
                setFlat(i, src.getFlat(i));
            }
        }
        return this;
    }

    /** Sum of all elements in float64: a checksum for the shell. */
    public double sum() {
        double s = 0;
        for (int i = 0; i < size; i++) {
            s += getFlat(i);
        }
        return s;
    }

    /** True when both tensors have the same type, shape and elements. */
    public boolean contentEquals(Tensor o) {
        if (o.dtype != dtype || !Arrays.equals(o.shape, shape)) {
            return false;
        }
        for (int i = 0; i < size; i++) {
            if (Double.compare(getFlat(i), o.getFlat(i)) != 0) {
                return false;
            }
        }
        return true;
    }

    /** Shape as {@code [2, 3]}. */
    public static String format(int[] shape) {
        return Arrays.toString(shape);
    }

    @Override
    public String toString() {
        return "Tensor[" + dtype.shortName() + " " + Arrays.toString(shape) + "]";
    }
}

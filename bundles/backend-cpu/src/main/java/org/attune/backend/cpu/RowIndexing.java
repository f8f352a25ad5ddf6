package org.attune.backend.cpu;

import java.util.Arrays;

import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;

/**
 * Row gather and scatter-add over axis 0, with int64 indices checked against their range:
 * <pre>
 *   gather:      out[i, …] = x[index[i], …]                       index[i] ∈ [0, x.dim(0))
 *   scatterAdd:  out[r, …] = Σ_{i : index[i] = r} src[i, …]        index[i] ∈ [0, size), out has size rows
 * </pre>
 * Plain Java: gather is row copies ({@link System#arraycopy}); scatter-add sums in float64 in index order and rounds
 * once for float32, so the result does not depend on thread scheduling.
 */
final class RowIndexing {
    private RowIndexing() {
    }

    static Tensor gather(Tensor x, Tensor index) {
        if (x.rank() < 1) {
            throw InvalidInputException.shape("x", "[rows, ...] (rank >= 1)", x.shape());
        }
        long[] idx = indices(index);
        int rows = x.dim(0);
        int[] outShape = x.shape();
        outShape[0] = idx.length;
        Tensor out = Tensor.zeros(x.dtype(), outShape);
        int row = rows == 0 ? 0 : x.size() / rows;
        for (int i = 0; i < idx.length; i++) {
            int r = checked(idx[i], i, rows, "x.dim(0)");
            if (x.dtype() == DType.FLOAT32) {
                System.arraycopy(x.floatData(), x.offset() + r * row, out.floatData(), i * row, row);
            } else {
                System.arraycopy(x.doubleData(), x.offset() + r * row, out.doubleData(), i * row, row);
            }
        }
        return out;
    }

    static Tensor scatterAdd(Tensor src, Tensor index, int size) {
        if (src.rank() < 1) {
            throw InvalidInputException.shape("src", "[rows, ...] (rank >= 1)", src.shape());
        }
        long[] idx = indices(index);
        if (idx.length != src.dim(0)) {
            throw new InvalidInputException("index", "expected one entry per row of src (" + src.dim(0) + "), got "
                + idx.length);
        }
        if (size < 0) {
            throw new InvalidInputException("size", "must be >= 0, got " + size);
        }
        int[] outShape = src.shape();
        outShape[0] = size;
        Tensor out = Tensor.zeros(src.dtype(), outShape);
        int row = src.dim(0) == 0 ? 0 : src.size() / src.dim(0);
        int[] target = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            target[i] = checked(idx[i], i, size, "size");
        }
        if (src.dtype() == DType.FLOAT64) {
            double[] s = src.doubleData();
            double[] o = out.doubleData();
            for (int i = 0; i < idx.length; i++) {
                int from = src.offset() + i * row;
                int to = target[i] * row;
                for (int c = 0; c < row; c++) {
                    o[to + c] += s[from + c];
                }
            }
        } else {
            float[] s = src.floatData();
            double[] acc = new double[out.size()];
            for (int i = 0; i < idx.length; i++) {
                int from = src.offset() + i * row;
                int to = target[i] * row;
                for (int c = 0; c < row; c++) {
                    acc[to + c] += s[from + c];
                }
            }
            float[] o = out.floatData();
            for (int c = 0; c < acc.length; c++) {
                o[c] = (float) acc[c];
            }
        }
        return out;
    }

    /** The entries of an int64 index vector (shared, offset applied by copy). */
    private static long[] indices(Tensor index) {
        index.requireDType("index", DType.INT64);
        index.requireShape("index", "[n] (int64 vector)", -1);
        return Arrays.copyOfRange(index.longData(), index.offset(), index.offset() + index.size());
    }

    private static int checked(long value, int position, int bound, String boundName) {
        if (value < 0 || value >= bound) {
            throw new InvalidInputException("index", "entry " + position + " = " + value + " is outside [0, "
                + boundName + " = " + bound + ")");
        }
        return (int) value;
    }
}

package org.attune.backend.cpu;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Copies between {@link Tensor}s, which live in Java arrays, and Nd4j arrays, which live off-heap.
 *
 * <p>Every Nd4j array made here is fresh, C-ordered and contiguous from offset 0, so element {@code i} of the
 * Tensor's row-major order is element {@code i} of the array's buffer; copies are bulk {@link FloatBuffer} or
 * {@link DoubleBuffer} transfers over the native memory.
 */
final class OffHeapCopy {
    private OffHeapCopy() {
    }

    /** The Nd4j element type of a floating {@link DType}. */
    static DataType dataType(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> DataType.FLOAT;
            case FLOAT64 -> DataType.DOUBLE;
            default -> throw new IllegalArgumentException("not a floating type: " + dtype);
        };
    }

    /** A new uninitialised off-heap array. */
    static INDArray allocate(DType dtype, long... shape) {
        return Nd4j.createUninitialized(dataType(dtype), shape, 'c');
    }

    /** A new zero-filled off-heap array. */
    static INDArray zeros(DType dtype, long... shape) {
        return Nd4j.create(dataType(dtype), shape, 'c');
    }

    /** A new off-heap array of {@code shape} holding {@code t}'s elements in row-major order. */
    static INDArray of(Tensor t, long... shape) {
        INDArray a = allocate(t.dtype(), shape);
        put(t, 0, t.size(), a, 0);
        return a;
    }

    /** Copies {@code length} elements of {@code src} from row-major position {@code from} into {@code dst} at {@code at}. */
    static void put(Tensor src, int from, int length, INDArray dst, long at) {
        if (length == 0) {
            return;
        }
        if (src.dtype() == DType.FLOAT32) {
            floats(dst).put(Math.toIntExact(at), src.floatData(), src.offset() + from, length);
        } else {
            doubles(dst).put(Math.toIntExact(at), src.doubleData(), src.offset() + from, length);
        }
    }

    /** Copies {@code length} elements of {@code src} from {@code from} into {@code dst} at row-major position {@code at}. */
    static void get(INDArray src, long from, Tensor dst, int at, int length) {
        if (length == 0) {
            return;
        }
        if (dst.dtype() == DType.FLOAT32) {
            floats(src).get(Math.toIntExact(from), dst.floatData(), dst.offset() + at, length);
        } else {
            doubles(src).get(Math.toIntExact(from), dst.doubleData(), dst.offset() + at, length);
        }
    }

    /** The whole buffer of a fresh float array as a {@link FloatBuffer} over its native memory. */
    static FloatBuffer floats(INDArray a) {
        return a.data().asNioFloat();
    }

    /** The whole buffer of a fresh double array as a {@link DoubleBuffer} over its native memory. */
    static DoubleBuffer doubles(INDArray a) {
        return a.data().asNioDouble();
    }

    /** Frees the native memory of arrays this class made, now rather than when the garbage collector finds them. */
    static void release(INDArray... arrays) {
        for (INDArray a : arrays) {
            if (a != null && a.closeable()) {
                a.close();
            }
        }
    }
}

package org.attune.backend.cpu;

import org.attune.api.backend.BinaryOp;
import org.attune.api.tensor.Broadcast;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;

/**
 * Elementwise functions of two tensors with NumPy broadcasting,
 * {@code out[ι] = f(a[ι mod shape(a)], b[ι mod shape(b)])} over the broadcast shape, where
 * <pre>
 *   ADD a+b   SUB a−b   MUL a·b   DIV a/b   MAX max(a,b)   MIN min(a,b)   POW aᵇ
 * </pre>
 * (MAX and MIN propagate NaN). Computed in float64 and rounded once for float32, which for +, −, · and / gives the
 * correctly rounded float32 result.
 *
 * <p>Plain Java rather than Nd4j: one pass over memory, so copying both operands off-heap and the result back would
 * cost more than the arithmetic, and reading each operand through broadcast strides (0 on broadcast axes) needs no
 * materialised copies.
 */
final class ElementwiseBinary {
    private ElementwiseBinary() {
    }

    static Tensor compute(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        if (b.dtype() != a.dtype()) {
            throw new InvalidInputException("b", "expected dtype " + a.dtype() + " (that of a), got " + b.dtype());
        }
        int[] shape = Broadcast.shape("b", a.shape(), b.shape());
        int[] sa = Broadcast.strides("a", a.shape(), shape);
        int[] sb = Broadcast.strides("b", b.shape(), shape);
        out = Tensor.output(out, a.dtype(), shape);
        int size = out.size();
        if (size == 0) {
            return out;
        }
        int rank = shape.length;
        int last = rank == 0 ? 1 : shape[rank - 1];
        int stepA = rank == 0 ? 0 : sa[rank - 1];
        int stepB = rank == 0 ? 0 : sb[rank - 1];
        boolean f32 = a.dtype() == DType.FLOAT32;
        float[] af = f32 ? a.floatData() : null;
        float[] bf = f32 ? b.floatData() : null;
        float[] of = f32 ? out.floatData() : null;
        double[] ad = f32 ? null : a.doubleData();
        double[] bd = f32 ? null : b.doubleData();
        double[] od = f32 ? null : out.doubleData();
        int[] index = new int[rank];
        int ia = a.offset();
        int ib = b.offset();
        int io = out.offset();
        for (int done = 0; done < size; done += last) {
            int ja = ia;
            int jb = ib;
            if (f32) {
                for (int j = 0; j < last; j++, ja += stepA, jb += stepB) {
                    of[io + j] = (float) apply(op, af[ja], bf[jb]);
                }
            } else {
                for (int j = 0; j < last; j++, ja += stepA, jb += stepB) {
                    od[io + j] = apply(op, ad[ja], bd[jb]);
                }
            }
            io += last;
            for (int ax = rank - 2; ax >= 0; ax--) {
                index[ax]++;
                ia += sa[ax];
                ib += sb[ax];
                if (index[ax] < shape[ax]) {
                    break;
                }
                ia -= index[ax] * sa[ax];
                ib -= index[ax] * sb[ax];
                index[ax] = 0;
            }
        }
        return out;
    }

    private static double apply(BinaryOp op, double x, double y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case MAX -> Math.max(x, y);
            case MIN -> Math.min(x, y);
            case POW -> Math.pow(x, y);
        };
    }
}

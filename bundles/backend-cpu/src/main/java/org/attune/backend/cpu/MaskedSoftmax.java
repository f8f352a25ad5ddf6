package org.attune.backend.cpu;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;

import org.attune.api.tensor.Broadcast;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Softmax along one axis with an optional boolean mask, on Nd4j's {@code softmax} op:
 * <pre>
 *   out_j = mask_j · exp(x_j − M) / Σ_l mask_l · exp(x_l − M),   M = max_{l : mask_l} x_l
 * </pre>
 * Each line along the axis is gathered into a row of an off-heap {@code [lines, n]} array with masked entries set to
 * −∞; Nd4j's softmax subtracts the row maximum, so {@code exp(−∞ − M) = 0} exactly and logits of any size stay
 * finite. A fully masked line (where M would be −∞ and the formula 0/0) is written as zeros.
 */
final class MaskedSoftmax {
    private MaskedSoftmax() {
    }

    static Tensor compute(Tensor x, int axis, Tensor mask, Tensor out) {
        int ax = x.normaliseAxis(axis);
        int[] shape = x.shape();
        int[] maskStrides = null;
        if (mask != null) {
            mask.requireDType("mask", DType.BOOL);
            maskStrides = Broadcast.strides("mask", mask.shape(), shape);
        }
        out = Tensor.output(out, x.dtype(), shape);
        if (x.size() == 0) {
            return out;
        }
        AxisLayout layout = AxisLayout.of(shape, ax);
        int lines = layout.lines();
        int n = layout.n();
        INDArray rows = OffHeapCopy.allocate(x.dtype(), lines, n);
        try {
            boolean[] emptyLine = new boolean[lines];
            if (mask == null && layout.inner() == 1) {
                OffHeapCopy.put(x, 0, x.size(), rows, 0);
            } else {
                gather(x, layout, mask, maskStrides, shape, ax, rows, emptyLine);
            }
            Nd4j.exec((DynamicCustomOp) new SoftMax(rows, rows, 1));
            if (mask == null && layout.inner() == 1) {
                OffHeapCopy.get(rows, 0, out, 0, out.size());
            } else {
                scatter(rows, layout, emptyLine, out);
            }
            return out;
        } finally {
            OffHeapCopy.release(rows);
        }
    }

    /** Copies line (o, i) of x into row o·inner + i, masked entries as −∞; marks lines with no unmasked entry. */
    private static void gather(Tensor x, AxisLayout layout, Tensor mask, int[] maskStrides, int[] shape, int ax,
                               INDArray rows, boolean[] emptyLine) {
        int n = layout.n();
        int inner = layout.inner();
        boolean[] m = mask == null ? null : mask.booleanData();
        int mOff = mask == null ? 0 : mask.offset();
        int[] outerM = mask == null ? null : AxisLayout.outerOffsets(shape, ax, maskStrides);
        int[] innerM = mask == null ? null : AxisLayout.innerOffsets(shape, ax, maskStrides);
        int mStep = mask == null ? 0 : maskStrides[ax];
        boolean f32 = x.dtype() == DType.FLOAT32;
        float[] xf = f32 ? x.floatData() : null;
        double[] xd = f32 ? null : x.doubleData();
        float[] rowF = f32 ? new float[n] : null;
        double[] rowD = f32 ? null : new double[n];
        FloatBuffer fb = f32 ? OffHeapCopy.floats(rows) : null;
        DoubleBuffer db = f32 ? null : OffHeapCopy.doubles(rows);
        for (int o = 0; o < layout.outer(); o++) {
            for (int i = 0; i < inner; i++) {
                int line = o * inner + i;
                int src = x.offset() + layout.lineStart(o, i);
                int mk = mask == null ? 0 : mOff + outerM[o] + innerM[i];
                boolean any = false;
                for (int j = 0; j < n; j++, src += inner, mk += mStep) {
                    boolean keep = m == null || m[mk];
                    any |= keep;
                    if (f32) {
                        rowF[j] = keep ? xf[src] : Float.NEGATIVE_INFINITY;
                    } else {
                        rowD[j] = keep ? xd[src] : Double.NEGATIVE_INFINITY;
                    }
                }
                emptyLine[line] = !any;
                if (f32) {
                    fb.put(line * n, rowF, 0, n);
                } else {
                    db.put(line * n, rowD, 0, n);
                }
            }
        }
    }

    /** Copies row o·inner + i back to line (o, i) of out; empty lines become zeros. */
    private static void scatter(INDArray rows, AxisLayout layout, boolean[] emptyLine, Tensor out) {
        int n = layout.n();
        int inner = layout.inner();
        boolean f32 = out.dtype() == DType.FLOAT32;
        float[] of = f32 ? out.floatData() : null;
        double[] od = f32 ? null : out.doubleData();
        float[] rowF = f32 ? new float[n] : null;
        double[] rowD = f32 ? null : new double[n];
        FloatBuffer fb = f32 ? OffHeapCopy.floats(rows) : null;
        DoubleBuffer db = f32 ? null : OffHeapCopy.doubles(rows);
        for (int o = 0; o < layout.outer(); o++) {
            for (int i = 0; i < inner; i++) {
                int line = o * inner + i;
                int dst = out.offset() + layout.lineStart(o, i);
                if (f32) {
                    if (emptyLine[line]) {
                        Arrays.fill(rowF, 0f);
                    } else {
                        fb.get(line * n, rowF, 0, n);
                    }
                    for (int j = 0; j < n; j++, dst += inner) {
                        of[dst] = rowF[j];
                    }
                } else {
                    if (emptyLine[line]) {
                        Arrays.fill(rowD, 0d);
                    } else {
                        db.get(line * n, rowD, 0, n);
                    }
                    for (int j = 0; j < n; j++, dst += inner) {
                        od[dst] = rowD[j];
                    }
                }
            }
        }
    }
}

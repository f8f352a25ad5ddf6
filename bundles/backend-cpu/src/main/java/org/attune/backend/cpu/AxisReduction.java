package org.attune.backend.cpu;

import org.attune.api.backend.Reduction;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;

/**
 * Reductions along one axis, accumulated in float64 and rounded once for float32:
 * <pre>
 *   SUM Σ_j x_j   MEAN Σ_j x_j / n   MAX max_j x_j (−∞ if n = 0)   MIN min_j x_j (+∞ if n = 0)
 *   LOG_SUM_EXP M + ln Σ_j exp(x_j − M),  M = max_j x_j   (−∞ if n = 0 or M = −∞, +∞ if M = +∞)
 * </pre>
 * Plain Java: a single pass over memory (two for LOG_SUM_EXP), cheaper than copying x off-heap.
 */
final class AxisReduction {
    private AxisReduction() {
    }

    static Tensor compute(Reduction r, Tensor x, int axis, boolean keepDim) {
        int ax = x.normaliseAxis(axis);
        int[] shape = x.shape();
        int[] outShape;
        if (keepDim) {
            outShape = shape.clone();
            outShape[ax] = 1;
        } else {
            outShape = new int[shape.length - 1];
            for (int a = 0, o = 0; a < shape.length; a++) {
                if (a != ax) {
                    outShape[o++] = shape[a];
                }
            }
        }
        Tensor out = Tensor.zeros(x.dtype(), outShape);
        AxisLayout layout = AxisLayout.of(shape, ax);
        boolean f32 = x.dtype() == DType.FLOAT32;
        float[] xf = f32 ? x.floatData() : null;
        double[] xd = f32 ? null : x.doubleData();
        float[] of = f32 ? out.floatData() : null;
        double[] od = f32 ? null : out.doubleData();
        int n = layout.n();
        int inner = layout.inner();
        double[] line = new double[n];
        for (int o = 0; o < layout.outer(); o++) {
            for (int i = 0; i < inner; i++) {
                int src = x.offset() + layout.lineStart(o, i);
                for (int j = 0; j < n; j++, src += inner) {
                    line[j] = f32 ? xf[src] : xd[src];
                }
                double v = reduce(r, line, n);
                int dst = o * inner + i;
                if (f32) {
                    of[dst] = (float) v;
                } else {
                    od[dst] = v;
                }
            }
        }
        return out;
    }

    private static double reduce(Reduction r, double[] x, int n) {
        switch (r) {
            case SUM, MEAN -> {
                double s = 0;
                for (int j = 0; j < n; j++) {
                    s += x[j];
                }
                return r == Reduction.SUM ? s : s / n;
            }
            case MAX -> {
                double m = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    m = Math.max(m, x[j]);
                }
                return m;
            }
            case MIN -> {
                double m = Double.POSITIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    m = Math.min(m, x[j]);
                }
                return m;
            }
            case LOG_SUM_EXP -> {
                double m = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    m = Math.max(m, x[j]);
                }
                if (Double.isInfinite(m)) {
                    return m;
                }
                double s = 0;
                for (int j = 0; j < n; j++) {
                    s += Math.exp(x[j] - m);
                }
                return m + Math.log(s);
            }
            default -> throw new IllegalArgumentException(String.valueOf(r));
        }
    }
}

package org.attune.backend.java;

import org.attune.api.backend.Reduction;

/**
 * Reductions along one axis in float64, as {@link Reduction} defines them; the log-sum-exp is stabilised
 * by the maximum:
 * <pre>
 *   lse(x) = m + log Σ_i exp(x_i − m),   m = max_i x_i   (−∞ when m = −∞, +∞ when m = +∞)
 * </pre>
 * Sums run in index order in one float64 accumulator. Over an empty axis: sum 0, mean NaN, max −∞, min +∞,
 * log-sum-exp −∞.
 */
final class Reductions {
    private Reductions() {
    }

    /** The reduction of every line along {@code axis}, in row-major order of the remaining axes. */
    static double[] along(Reduction r, double[] x, int[] shape, int axis) {
        int len = shape[axis];
        int inner = 1;
        int outer = 1;
        for (int a = 0; a < shape.length; a++) {
            if (a < axis) {
                outer *= shape[a];
            } else if (a > axis) {
                inner *= shape[a];
            }
        }
        double[] y = new double[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int in = 0; in < inner; in++) {
                y[o * inner + in] = line(r, x, o * len * inner + in, len, inner);
            }
        }
        return y;
    }

    private static double line(Reduction r, double[] x, int base, int len, int stride) {
        return switch (r) {
            case SUM -> sum(x, base, len, stride);
            case MEAN -> sum(x, base, len, stride) / len;
            case MAX -> max(x, base, len, stride);
            case MIN -> {
                double m = Double.POSITIVE_INFINITY;
                for (int t = 0; t < len; t++) {
                    m = Math.min(m, x[base + t * stride]);
                }
                yield m;
            }
            case LOG_SUM_EXP -> {
                double m = max(x, base, len, stride);
                if (Double.isInfinite(m)) {
                    yield m;
                }
                double s = 0;
                for (int t = 0; t < len; t++) {
                    s += Math.exp(x[base + t * stride] - m);
                }
                yield m + Math.log(s);
            }
        };
    }

    private static double sum(double[] x, int base, int len, int stride) {
        double s = 0;
        for (int t = 0; t < len; t++) {
            s += x[base + t * stride];
        }
        return s;
    }

    private static double max(double[] x, int base, int len, int stride) {
        double m = Double.NEGATIVE_INFINITY;
        for (int t = 0; t < len; t++) {
            m = Math.max(m, x[base + t * stride]);
        }
        return m;
    }
}

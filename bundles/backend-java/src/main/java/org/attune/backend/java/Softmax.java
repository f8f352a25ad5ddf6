package org.attune.backend.java;

/**
 * Masked softmax along one axis in float64, stabilised by the row maximum.
 * <pre>
 *   y_i = mask_i · exp(x_i − m) / Σ_j mask_j · exp(x_j − m),   m = max_{j: mask_j} x_j
 * </pre>
 * A row with no allowed entry, or whose allowed entries are all −∞, is all zeros. NaN propagates.
 */
final class Softmax {
    private Softmax() {
    }

    /**
     * @param x       row-major values of {@code shape}; not modified
     * @param axis    the normalised axis
     * @param allowed one flag per element of x (the mask already broadcast), or null for no mask
     */
    static double[] along(double[] x, int[] shape, int axis, boolean[] allowed) {
        int len = shape[axis];
        int inner = 1;
        for (int a = axis + 1; a < shape.length; a++) {
            inner *= shape[a];
        }
        int outer = len == 0 || inner == 0 ? 0 : x.length / (len * inner);
        double[] y = new double[x.length];
        for (int o = 0; o < outer; o++) {
            for (int in = 0; in < inner; in++) {
                int base = o * len * inner + in;
                double max = Double.NEGATIVE_INFINITY;
                for (int t = 0; t < len; t++) {
                    int at = base + t * inner;
                    if (allowed == null || allowed[at]) {
                        max = Math.max(max, x[at]);
                    }
                }
                if (max == Double.NEGATIVE_INFINITY) {
                    continue;
                }
                double sum = 0;
                for (int t = 0; t < len; t++) {
                    int at = base + t * inner;
                    if (allowed == null || allowed[at]) {
                        y[at] = Math.exp(x[at] - max);
                        sum += y[at];
                    }
                }
                for (int t = 0; t < len; t++) {
                    y[base + t * inner] /= sum;
                }
            }
        }
        return y;
    }
}

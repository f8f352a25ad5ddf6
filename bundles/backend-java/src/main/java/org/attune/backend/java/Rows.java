package org.attune.backend.java;

/**
 * Row gather and scatter-add (segment sum) in float64; a row is everything behind axis 0.
 * <pre>
 *   gather:      out[i, ...] = x[index[i], ...]
 *   scatter-add: out[r, ...] = Σ_{i: index[i] = r} src[i, ...]    (in increasing i)
 * </pre>
 * Indices are checked by the caller.
 */
final class Rows {
    private Rows() {
    }

    /** Gathers {@code n} rows of {@code width} elements from x, by {@code index[offset + i]}. */
    static double[] gather(double[] x, int width, long[] index, int offset, int n) {
        double[] y = new double[n * width];
        for (int i = 0; i < n; i++) {
            System.arraycopy(x, (int) index[offset + i] * width, y, i * width, width);
        }
        return y;
    }

    /** Adds each of the {@code rows} rows of src ({@code width} elements each) into row {@code index[offset + i]} of a zero [size, width] block. */
    static double[] scatterAdd(double[] src, int rows, int width, long[] index, int offset, int size) {
        double[] y = new double[size * width];
        for (int i = 0; i < rows; i++) {
            int to = (int) index[offset + i] * width;
            for (int e = 0; e < width; e++) {
                y[to + e] += src[i * width + e];
            }
        }
        return y;
    }
}

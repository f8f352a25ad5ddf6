package org.attune.symmetry;

import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;

/**
 * The two shapes every group action takes on a row-major tensor: a reindexing along one axis
 * (permutations, rolls, flips) and an affine map of the last axis (rotations, reflections, translations,
 * Wigner-D matrices). Both compute in float64 (int64 for integer data) and return a new tensor of the input's
 * element type; inputs are not modified.
 */
final class AxisMaps {
    private AxisMaps() {
    }

    /**
     * {@code out[..., i, ...] = x[..., source[i], ...]} along {@code axis}.
     *
     * @param x      the data
     * @param axis   a normalised axis of x
     * @param source for each output index along the axis, the input index it reads; length = x's extent
     */
    static Tensor gather(Tensor x, int axis, int[] source) {
        int[] shape = x.shape();
        int n = shape[axis];
        int inner = 1;
        for (int a = axis + 1; a < shape.length; a++) {
            inner *= shape[a];
        }
        int outer = n == 0 || inner == 0 ? 0 : x.size() / (n * inner);
        Tensor out = Tensor.zeros(x.dtype(), shape);
        boolean integral = x.dtype() == DType.INT64;
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < n; i++) {
                int to = (o * n + i) * inner;
                int from = (o * n + source[i]) * inner;
                for (int e = 0; e < inner; e++) {
                    if (integral) {
                        out.longData()[out.offset() + to + e] = x.longData()[x.offset() + from + e];
                    } else {
                        out.setFlat(to + e, x.getFlat(from + e));
                    }
                }
            }
        }
        return out;
    }

    /**
     * {@code out[..., :] = m · x[..., :] + t} on the last axis.
     *
     * @param x    floating data whose last axis has length d
     * @param m    d×d row-major
     * @param t    length d, or null for none
     * @param d    the required last-axis length
     * @param what the representation's name, for the error message
     */
    static Tensor affineLastAxis(Tensor x, double[] m, double[] t, int d, String what) {
        requireFloating(x, what);
        int[] shape = x.shape();
        if (shape.length == 0 || shape[shape.length - 1] != d) {
            throw InvalidInputException.shape(what, "[..., " + d + "]", shape);
        }
        Tensor out = Tensor.zeros(x.dtype(), shape);
        double[] row = new double[d];
        for (int base = 0; base < x.size(); base += d) {
            for (int j = 0; j < d; j++) {
                row[j] = x.getFlat(base + j);
            }
            for (int i = 0; i < d; i++) {
                double s = t == null ? 0 : t[i];
                for (int j = 0; j < d; j++) {
                    s += m[i * d + j] * row[j];
                }
                out.setFlat(base + i, s);
            }
        }
        return out;
    }

    /** {@code out = factor · x}. */
    static Tensor scaled(Tensor x, double factor, String what) {
        requireFloating(x, what);
        Tensor out = Tensor.zeros(x.dtype(), x.shape());
        for (int i = 0; i < x.size(); i++) {
            out.setFlat(i, factor * x.getFlat(i));
        }
        return out;
    }

    /** Parses {@code axis:k} (k may be negative) into a normalised axis of x. */
    static int axis(String representation, Tensor x) {
        try {
            int k = Integer.parseInt(representation.substring("axis:".length()).strip());
            int a = k < 0 ? k + x.rank() : k;
            if (a < 0 || a >= x.rank()) {
                throw new InvalidInputException(representation, "axis out of range for shape "
                    + java.util.Arrays.toString(x.shape()));
            }
            return a;
        } catch (NumberFormatException e) {
            throw new InvalidInputException(representation, "expected axis:K with an integer K");
        }
    }

    static void requireFloating(Tensor x, String what) {
        if (!x.dtype().isFloating()) {
            throw new InvalidInputException(what, "expected f32 or f64 data, got " + x.dtype().shortName());
        }
    }

    static InvalidInputException unsupported(String group, String representation, String supported) {
        return new InvalidInputException(representation, group + " does not act on this representation; it acts on "
            + supported);
    }
}

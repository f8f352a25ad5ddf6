package org.attune.backend.cpu;

/**
 * A row-major shape seen along one axis as {@code [outer, n, inner]}: element {@code (o, j, i)} is at flat position
 * {@code (o·n + j)·inner + i}, with {@code outer = Π shape[0..axis)}, {@code n = shape[axis]} and
 * {@code inner = Π shape(axis..rank)}. A "line" is the {@code n} elements of one {@code (o, i)}.
 *
 * @param outer product of the sizes before the axis
 * @param n     size of the axis
 * @param inner product of the sizes after the axis
 */
record AxisLayout(int outer, int n, int inner) {

    static AxisLayout of(int[] shape, int axis) {
        int outer = 1;
        for (int a = 0; a < axis; a++) {
            outer *= shape[a];
        }
        int inner = 1;
        for (int a = axis + 1; a < shape.length; a++) {
            inner *= shape[a];
        }
        return new AxisLayout(outer, shape[axis], inner);
    }

    /** Number of lines, {@code outer · inner}. */
    int lines() {
        return outer * inner;
    }

    /** Flat position of element 0 of line {@code (o, i)}; the line's elements follow at stride {@code inner}. */
    int lineStart(int o, int i) {
        return o * n * inner + i;
    }

    /**
     * For each outer index {@code o}, {@code Σ_{a<axis} index_a(o) · strides[a]}: the offset that the axes before
     * {@code axis} contribute when another array is read with {@code strides} (e.g. broadcast strides).
     */
    static int[] outerOffsets(int[] shape, int axis, int[] strides) {
        return offsets(shape, 0, axis, strides);
    }

    /** As {@link #outerOffsets}, for the axes after {@code axis}, indexed by the inner index {@code i}. */
    static int[] innerOffsets(int[] shape, int axis, int[] strides) {
        return offsets(shape, axis + 1, shape.length, strides);
    }

    private static int[] offsets(int[] shape, int from, int to, int[] strides) {
        int count = 1;
        for (int a = from; a < to; a++) {
            count *= shape[a];
        }
        int[] out = new int[count];
        int[] index = new int[shape.length];
        int offset = 0;
        for (int c = 0; c < count; c++) {
            out[c] = offset;
            for (int a = to - 1; a >= from; a--) {
                index[a]++;
                offset += strides[a];
                if (index[a] < shape[a]) {
                    break;
                }
                offset -= index[a] * strides[a];
                index[a] = 0;
            }
        }
        return out;
    }
}

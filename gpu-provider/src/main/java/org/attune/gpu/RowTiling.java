package org.attune.gpu;

/**
 * A tensor viewed along one axis as [outer, n, inner], for the kernels that work line by line (softmax_f32,
 * reduce_f32 in rows.cuh): one warp per line of n elements, {@link #WARPS} warps per block, grid ⌈lines / 8⌉.
 *
 * @param outer product of the axes before the axis
 * @param n     the axis' length
 * @param inner product of the axes after it
 */
record RowTiling(int outer, int n, int inner) {
    /** Warps per block, ROW_WARPS. */
    static final int WARPS = 8;
    /** Threads per block of the elementwise kernels. */
    static final int ELEMENT_THREADS = 256;
    /** Most blocks an elementwise launch uses; its grid-stride loop covers the rest. */
    static final int MAX_ELEMENT_BLOCKS = 1 << 20;

    /** The view of {@code shape} along {@code axis} (already normalised to [0, rank)). */
    static RowTiling of(int[] shape, int axis) {
        int outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= shape[i];
        }
        int inner = 1;
        for (int i = axis + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        return new RowTiling(outer, shape[axis], inner);
    }

    /** The number of lines, outer · inner. */
    long lines() {
        return (long) outer * inner;
    }

    /** Grid of a line launch. */
    int[] grid() {
        return new int[] {(int) Math.max(1, (lines() + WARPS - 1) / WARPS), 1, 1};
    }

    /** Block of a line launch. */
    static int[] block() {
        return new int[] {WARPS * 32, 1, 1};
    }

    /** Grid of an elementwise launch over {@code count} elements. */
    static int[] elementGrid(long count) {
        long blocks = Math.max(1, (count + ELEMENT_THREADS - 1) / ELEMENT_THREADS);
        return new int[] {(int) Math.min(blocks, MAX_ELEMENT_BLOCKS), 1, 1};
    }

    /** Block of an elementwise launch. */
    static int[] elementBlock() {
        return new int[] {ELEMENT_THREADS, 1, 1};
    }
}

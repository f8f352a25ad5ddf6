package org.attune.gpu;

/**
 * Launch configuration of {@code gemm_f32} (gemm.cuh): blocks of 256 threads, each computing a 64 × 64 tile of C;
 * grid (⌈n / 64⌉, ⌈m / 64⌉, batch). Batches beyond the grid's z limit run as several launches of at most
 * {@link #MAX_GRID_Z} matrices each.
 *
 * @param grid  grid of one launch (z = matrices in it)
 * @param block block dimensions
 */
record GemmTiling(int[] grid, int[] block) {
    static final int TILE = 64;
    static final int THREADS = 256;
    static final int MAX_GRID_YZ = 65535;
    static final int MAX_GRID_Z = 65535;

    /** The launch for {@code batch} products of m × k by k × n, the first launch's z being at most the limit. */
    static GemmTiling plan(int batch, int m, int n) {
        return new GemmTiling(new int[] {AttentionTiling.ceilDiv(Math.max(n, 1), TILE),
            AttentionTiling.ceilDiv(Math.max(m, 1), TILE), Math.min(batch, MAX_GRID_Z)}, new int[] {THREADS, 1, 1});
    }

    /** Whether m fits the grid's y limit. */
    static boolean fits(int m) {
        return AttentionTiling.ceilDiv(m, TILE) <= MAX_GRID_YZ;
    }

    /** The number of launches for {@code batch} matrices. */
    static int launches(int batch) {
        return AttentionTiling.ceilDiv(batch, MAX_GRID_Z);
    }
}

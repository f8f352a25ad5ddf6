package org.attune.gpu;

import org.attune.api.backend.Support;

/**
 * Launch configuration of the attention kernels (attention_f32.cuh, attention_mma.cuh), mirroring their tile
 * constants and shared-memory layout.
 *
 * <p>Grid: x = batch · query heads (one block column per head), y = ⌈nq / rows⌉ query tiles; a block walks the
 * key tiles of its rows, all ⌈nk / keysPerTile⌉ of them or, when causal, those up to its last row. Head
 * dimensions are zero-padded to a bucket (the smallest kernel variant that holds max(d, dv)).
 *
 * @param kernel       the kernel's entry name
 * @param grid         grid dimensions x, y, z
 * @param block        block dimensions x, y, z
 * @param sharedBytes  dynamic shared memory per block (0 for the float32 kernel, whose tiles are static)
 * @param rows         query rows per block
 * @param keysPerTile  key/value rows staged per step
 * @param bucket       padded head dimension
 */
record AttentionTiling(String kernel, int[] grid, int[] block, int sharedBytes, int rows, int keysPerTile, int bucket) {
    /** Query rows per block (one per thread) of the float32 kernel, ATTN_F32_ROWS. */
    static final int F32_ROWS = 64;
    /** Head-dimension buckets of the float32 kernel and their key-tile rows. */
    static final int[] F32_BUCKETS = {32, 64, 128, 256};
    static final int[] F32_KEY_TILES = {32, 32, 32, 16};
    /** Query rows per block (16 per warp), key-tile rows and threads of the tensor-core kernel. */
    static final int MMA_ROWS = 64;
    static final int MMA_COLS = 64;
    static final int MMA_THREADS = 128;
    static final int[] MMA_BUCKETS = {32, 64, 128};
    private static final int SKEW16 = 8;
    private static final int SKEW32 = 4;
    private static final int ALIGN = 128;
    /** The CUDA limit on grid y. */
    static final int MAX_GRID_Y = 65535;

    /** Whether the kernels of {@code precision} run these sizes on a device with this much opt-in shared memory. */
    static Support check(AttentionPrecision precision, int d, int dv, int nq, int sharedMemoryPerBlock) {
        int[] buckets = precision.tensorCores() ? MMA_BUCKETS : F32_BUCKETS;
        int widest = Math.max(d, dv);
        if (widest > buckets[buckets.length - 1]) {
            return Support.no("head dimension " + widest + " exceeds the " + buckets[buckets.length - 1] + " of the "
                + precision.id() + " attention kernel");
        }
        int rows = precision.tensorCores() ? MMA_ROWS : F32_ROWS;
        if (ceilDiv(nq, rows) > MAX_GRID_Y) {
            return Support.no("query length " + nq + " needs more than " + MAX_GRID_Y + " tiles of " + rows + " rows");
        }
        if (precision.tensorCores() && mmaSharedBytes(bucket(buckets, widest)) > sharedMemoryPerBlock) {
            return Support.no("the " + precision.id() + " kernel for head dimension " + widest + " needs "
                + mmaSharedBytes(bucket(buckets, widest)) + " bytes of shared memory per block; the device allows "
                + sharedMemoryPerBlock);
        }
        return Support.yes();
    }

    /** The launch for {@code batch × heads} heads of {@code nq} queries; {@link #check} must have passed. */
    static AttentionTiling plan(AttentionPrecision precision, int batch, int heads, int nq, int d, int dv) {
        int widest = Math.max(d, dv);
        if (precision.tensorCores()) {
            int b = bucket(MMA_BUCKETS, widest);
            return new AttentionTiling(precision.kernel(b), new int[] {batch * heads, ceilDiv(nq, MMA_ROWS), 1},
                new int[] {MMA_THREADS, 1, 1}, mmaSharedBytes(b), MMA_ROWS, MMA_COLS, b);
        }
        int i = 0;
        while (F32_BUCKETS[i] < widest) {
            i++;
        }
        return new AttentionTiling(precision.kernel(F32_BUCKETS[i]), new int[] {batch * heads, ceilDiv(nq, F32_ROWS), 1},
            new int[] {F32_ROWS, 1, 1}, 0, F32_ROWS, F32_KEY_TILES[i], F32_BUCKETS[i]);
    }

    /** The smallest bucket holding {@code width}. */
    static int bucket(int[] buckets, int width) {
        for (int b : buckets) {
            if (b >= width) {
                return b;
            }
        }
        throw new IllegalArgumentException("head dimension " + width + " exceeds " + buckets[buckets.length - 1]);
    }

    /** Static shared memory of the float32 kernel: K and V tiles, and each thread's logits of a tile. */
    static int f32SharedBytes(int bucket, int keyTile) {
        return (2 * keyTile * bucket + F32_ROWS * (keyTile + 1)) * Float.BYTES;
    }

    /**
     * Dynamic shared memory of the tensor-core kernel for padded head dimension {@code bucket}: Q, K and V tiles in
     * 16 bits, S in float32, P in 16 bits, O in float32, each 128-byte aligned, then the rows' maximum and sum.
     */
    static int mmaSharedBytes(int bucket) {
        return align(MMA_ROWS * (bucket + SKEW16) * 2) + 2 * align(MMA_COLS * (bucket + SKEW16) * 2)
            + align(MMA_ROWS * (MMA_COLS + SKEW32) * 4) + align(MMA_ROWS * (MMA_COLS + SKEW16) * 2)
            + align(MMA_ROWS * (bucket + SKEW32) * 4) + 2 * MMA_ROWS * 4;
    }

    /** Key tiles the block of query rows starting at {@code row0} visits (mirrors attention_key_limit). */
    int keyTiles(int row0, int nq, int nk, boolean causal) {
        int keys = causal ? Math.max(0, Math.min(nk, Math.min(row0 + rows, nq))) : nk;
        return ceilDiv(keys, keysPerTile);
    }

    /** The key/value head that query head {@code h} reads with grouped-query sharing: h / (Hq / Hkv). */
    static int kvHead(int h, int queryHeads, int kvHeads) {
        return h / (queryHeads / kvHeads);
    }

    private static int align(int bytes) {
        return (bytes + ALIGN - 1) / ALIGN * ALIGN;
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}

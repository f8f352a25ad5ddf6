package org.attune.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.attune.api.backend.Support;
import org.junit.jupiter.api.Test;

/** Grids, blocks, shared-memory budgets and tile counts of the attention kernels. */
class AttentionTilingTest {
    /** cudaDevAttrMaxSharedMemoryPerBlockOptin of an H100/H200 (227 KiB) and of an A100 (163 KiB). */
    private static final int HOPPER_OPTIN = 232448;
    private static final int AMPERE_OPTIN = 166912;
    /** Shared memory per multiprocessor of an H100 (228 KiB), of which the runtime reserves 1 KiB per block. */
    private static final int HOPPER_SM = 233472;

    @Test
    void f32GridCoversEveryHeadAndQueryTileOfOddLengths() {
        AttentionTiling t = AttentionTiling.plan(AttentionPrecision.FP32, 4, 16, 1000, 64, 64);
        assertEquals("attention_f32_d64", t.kernel());
        assertArrayEquals(new int[] {64, 16, 1}, t.grid());     // 4·16 heads, ⌈1000 / 64⌉ query tiles
        assertArrayEquals(new int[] {64, 1, 1}, t.block());     // one thread per query row
        assertEquals(0, t.sharedBytes());
        assertArrayEquals(new int[] {3, 1, 1}, AttentionTiling.plan(AttentionPrecision.FP32, 1, 3, 1, 8, 8).grid());
        assertArrayEquals(new int[] {1, 2, 1}, AttentionTiling.plan(AttentionPrecision.FP32, 1, 1, 65, 8, 8).grid());
    }

    @Test
    void headDimensionsPadToTheSmallestBucket() {
        assertEquals("attention_f32_d32", AttentionTiling.plan(AttentionPrecision.FP32, 1, 1, 5, 1, 1).kernel());
        assertEquals("attention_f32_d128", AttentionTiling.plan(AttentionPrecision.FP32, 1, 1, 5, 80, 72).kernel());
        assertEquals("attention_f32_d128", AttentionTiling.plan(AttentionPrecision.FP32, 1, 1, 5, 64, 65).kernel());
        assertEquals("attention_f32_d256", AttentionTiling.plan(AttentionPrecision.FP32, 1, 1, 5, 256, 8).kernel());
        assertEquals(16, AttentionTiling.plan(AttentionPrecision.FP32, 1, 1, 5, 256, 8).keysPerTile());
        assertEquals("attention_bf16_d64", AttentionTiling.plan(AttentionPrecision.BF16, 1, 1, 5, 40, 64).kernel());
        assertEquals("attention_fp16_d128", AttentionTiling.plan(AttentionPrecision.FP16, 1, 1, 5, 100, 8).kernel());
    }

    @Test
    void tensorCoreLaunchUsesFourWarpsOfSixteenRows() {
        AttentionTiling t = AttentionTiling.plan(AttentionPrecision.BF16, 4, 16, 4097, 128, 128);
        assertEquals("attention_bf16_d128", t.kernel());
        assertArrayEquals(new int[] {64, 65, 1}, t.grid());      // ⌈4097 / 64⌉ = 65
        assertArrayEquals(new int[] {128, 1, 1}, t.block());
        assertEquals(AttentionTiling.mmaSharedBytes(128), t.sharedBytes());
    }

    @Test
    void f32StaticSharedMemoryMatchesWhatPtxasReports() {
        // ptxas -v for sm_90: attention_f32_d32 16640, _d64 24832, _d128 41216, _d256 37120 bytes smem
        assertEquals(16640, AttentionTiling.f32SharedBytes(32, 32));
        assertEquals(24832, AttentionTiling.f32SharedBytes(64, 32));
        assertEquals(41216, AttentionTiling.f32SharedBytes(128, 32));
        assertEquals(37120, AttentionTiling.f32SharedBytes(256, 16));
        for (int i = 0; i < AttentionTiling.F32_BUCKETS.length; i++) {
            assertTrue(AttentionTiling.f32SharedBytes(AttentionTiling.F32_BUCKETS[i], AttentionTiling.F32_KEY_TILES[i])
                <= 48 * 1024, "static shared memory stays within 48 KiB");
        }
    }

    @Test
    void tensorCoreSharedMemoryBudget() {
        // Q, K, V: 64·136·2 = 17408 each; S: 64·68·4 = 17408; P: 64·72·2 = 9216; O: 64·132·4 = 33792; m, l: 512
        assertEquals(113152, AttentionTiling.mmaSharedBytes(128));
        // Q, K, V: 64·72·2 = 9216 each; S 17408; P 9216; O: 64·68·4 = 17408; m, l: 512
        assertEquals(3 * 9216 + 17408 + 9216 + 17408 + 512, AttentionTiling.mmaSharedBytes(64));
        assertTrue(AttentionTiling.mmaSharedBytes(128) <= AMPERE_OPTIN);
        assertTrue(2 * (AttentionTiling.mmaSharedBytes(128) + 1024) <= HOPPER_SM, "two blocks per H100 multiprocessor");
        assertTrue(AttentionTiling.check(AttentionPrecision.BF16, 128, 128, 16384, HOPPER_OPTIN).supported());
        Support small = AttentionTiling.check(AttentionPrecision.BF16, 128, 128, 16384, 100 * 1024);
        assertFalse(small.supported());
        assertTrue(small.reason().contains("113152"), small.reason());
    }

    @Test
    void sizesBeyondTheKernelsAreDeclinedWithAReason() {
        Support wide = AttentionTiling.check(AttentionPrecision.BF16, 129, 64, 10, HOPPER_OPTIN);
        assertFalse(wide.supported());
        assertTrue(wide.reason().contains("129"), wide.reason());
        assertTrue(AttentionTiling.check(AttentionPrecision.FP32, 256, 256, 10, HOPPER_OPTIN).supported());
        assertFalse(AttentionTiling.check(AttentionPrecision.FP32, 257, 8, 10, HOPPER_OPTIN).supported());
        assertTrue(AttentionTiling.check(AttentionPrecision.FP32, 64, 64, 64 * 65535, HOPPER_OPTIN).supported());
        assertFalse(AttentionTiling.check(AttentionPrecision.FP32, 64, 64, 64 * 65535 + 1, HOPPER_OPTIN).supported());
    }

    @Test
    void keyTilesForOddLengthsAndCausalBlocks() {
        AttentionTiling f32 = AttentionTiling.plan(AttentionPrecision.FP32, 1, 1, 1000, 64, 64);
        assertEquals(32, f32.keyTiles(0, 1000, 1000, false));       // ⌈1000 / 32⌉
        assertEquals(2, f32.keyTiles(0, 1000, 1000, true));         // rows 0..63 see keys 0..63
        assertEquals(32, f32.keyTiles(960, 1000, 1000, true));      // last block, rows 960..999: keys 0..999
        assertEquals(1, f32.keyTiles(0, 3, 1000, true));            // 3 queries see keys 0..2
        assertEquals(0, f32.keyTiles(0, 5, 0, false));              // no keys: zero rows
        AttentionTiling mma = AttentionTiling.plan(AttentionPrecision.BF16, 1, 1, 1000, 64, 64);
        assertEquals(16, mma.keyTiles(0, 1000, 1000, false));       // ⌈1000 / 64⌉
        assertEquals(1, mma.keyTiles(0, 1000, 7, true));
    }

    @Test
    void groupedQueryHeadsMapToTheirKvHead() {
        int[] expected = {0, 0, 0, 0, 1, 1, 1, 1};
        for (int h = 0; h < 8; h++) {
            assertEquals(expected[h], AttentionTiling.kvHead(h, 8, 2), "head " + h + " of 8 over 2 KV heads");
            assertEquals(h, AttentionTiling.kvHead(h, 8, 8), "multi-head: one KV head each");
            assertEquals(0, AttentionTiling.kvHead(h, 8, 1), "multi-query: one shared KV head");
        }
        assertEquals(2, AttentionTiling.kvHead(5, 6, 3));
    }
}

package org.attune.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Launch configurations of the matrix-product, line and elementwise kernels. */
class LaunchTilingTest {

    @Test
    void gemmGridCoversOddSizesWithSixtyFourSquareTiles() {
        GemmTiling t = GemmTiling.plan(3, 65, 129);
        assertArrayEquals(new int[] {3, 2, 3}, t.grid());   // ⌈129 / 64⌉ columns, ⌈65 / 64⌉ rows, 3 matrices
        assertArrayEquals(new int[] {256, 1, 1}, t.block());
        assertArrayEquals(new int[] {1, 1, 1}, GemmTiling.plan(1, 1, 1).grid());
        assertArrayEquals(new int[] {1, 1, 1}, GemmTiling.plan(1, 0, 0).grid());
    }

    @Test
    void gemmBatchesBeyondTheGridLimitSplitIntoLaunches() {
        assertEquals(65535, GemmTiling.plan(100_000, 8, 8).grid()[2]);
        assertEquals(1, GemmTiling.launches(65535));
        assertEquals(2, GemmTiling.launches(65536));
        assertTrue(GemmTiling.fits(64 * 65535));
        assertFalse(GemmTiling.fits(64 * 65535 + 1));
    }

    @Test
    void rowViewAlongEachAxis() {
        int[] shape = {2, 3, 5};
        assertEquals(new RowTiling(1, 2, 15), RowTiling.of(shape, 0));
        assertEquals(new RowTiling(2, 3, 5), RowTiling.of(shape, 1));
        assertEquals(new RowTiling(6, 5, 1), RowTiling.of(shape, 2));
        assertEquals(10, RowTiling.of(shape, 1).lines());
        assertArrayEquals(new int[] {2, 1, 1}, RowTiling.of(shape, 1).grid());   // ⌈10 lines / 8 warps⌉
        assertArrayEquals(new int[] {1, 1, 1}, RowTiling.of(new int[] {7}, 0).grid());
        assertArrayEquals(new int[] {256, 1, 1}, RowTiling.block());
    }

    @Test
    void elementwiseGridIsCappedAndStridesOverTheRest() {
        assertArrayEquals(new int[] {1, 1, 1}, RowTiling.elementGrid(1));
        assertArrayEquals(new int[] {2, 1, 1}, RowTiling.elementGrid(257));
        assertEquals(RowTiling.MAX_ELEMENT_BLOCKS, RowTiling.elementGrid(Integer.MAX_VALUE)[0]);
        assertArrayEquals(new int[] {1, 1, 1}, RowTiling.elementGrid(0));
    }
}

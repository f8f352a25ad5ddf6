package org.attune.api.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TensorTest {
    @Test
    void viewsShareTheBackingArray() {
        Tensor t = Tensor.of(new double[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 2, 3, 2);
        Tensor s = t.select(1);
        assertArrayEquals(new int[] {3, 2}, s.shape());
        assertEquals(8.0, s.get(1, 0), 0.0);
        s.set(-1, 1, 0);
        assertEquals(-1.0, t.get(1, 1, 0), 0.0);
        Tensor r = t.reshape(4, -1);
        assertArrayEquals(new int[] {4, 3}, r.shape());
        assertEquals(-1.0, r.get(2, 2), 0.0);
        assertArrayEquals(new int[] {1, 3, 2}, t.slice(1, 2).shape());
    }

    @Test
    void conversionsRoundAndCopy() {
        Tensor t = Tensor.of(new double[] {1.0 / 3, 2}, 2);
        Tensor f = t.to(DType.FLOAT32);
        assertEquals((float) (1.0 / 3), f.floatData()[0]);
        f.setFlat(1, 7);
        assertEquals(2.0, t.getFlat(1), 0.0);
    }

    @Test
    void badShapesNameTheArgument() {
        Tensor t = Tensor.zeros(DType.FLOAT32, 2, 3);
        InvalidInputException e = assertThrows(InvalidInputException.class,
            () -> t.requireShape("q", "[batch, heads, seq, dim]", -1, -1, -1, -1));
        assertEquals("q: expected shape [batch, heads, seq, dim], got [2, 3]", e.getMessage());
        assertThrows(InvalidInputException.class, () -> t.reshape(4, 2));
        assertThrows(InvalidInputException.class, () -> t.get(2, 0));
        assertThrows(InvalidInputException.class, () -> Tensor.of(new float[5], 2, 3));
    }

    @Test
    void broadcastingFollowsNumpy() {
        assertArrayEquals(new int[] {2, 4, 3}, Broadcast.shape("x", new int[] {4, 1}, new int[] {2, 1, 3}));
        assertArrayEquals(new int[] {0, 0, 1, 0}, Broadcast.strides("mask", new int[] {5, 1}, new int[] {2, 3, 5, 7}));
        InvalidInputException e = assertThrows(InvalidInputException.class,
            () -> Broadcast.strides("mask", new int[] {4, 7}, new int[] {2, 3, 5, 7}));
        assertEquals("mask: expected a shape broadcastable to [2, 3, 5, 7], got [4, 7]", e.getMessage());
    }
}

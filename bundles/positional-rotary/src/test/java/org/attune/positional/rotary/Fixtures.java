package org.attune.positional.rotary;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.attune.backend.java.JavaBackend;

/** Seeded test data exact in float32, the backend handed to the encodings, and comparisons. */
final class Fixtures {
    static final ComputeBackend BACKEND = new JavaBackend();
    /** float32 results against a float64 reference: a few ulps of values of order 1. */
    static final double FLOAT32_TOLERANCE = 2e-6;
    static final double FLOAT64_TOLERANCE = 1e-12;

    private final SplittableRandom random;

    Fixtures(long seed) {
        random = new SplittableRandom(seed);
    }

    /** Uniform values in [−1, 1), rounded to float32, as a tensor of {@code dtype}. */
    Tensor uniform(DType dtype, int... shape) {
        Tensor t = Tensor.zeros(dtype, shape);
        for (int i = 0; i < t.size(); i++) {
            t.setFlat(i, (float) (2 * random.nextDouble() - 1));
        }
        return t;
    }

    static double tolerance(DType dtype) {
        return dtype == DType.FLOAT32 ? FLOAT32_TOLERANCE : FLOAT64_TOLERANCE;
    }

    /** max |expected − actual| ≤ tolerance, element by element over [B, H, N, D]. */
    static void assertClose(String what, double[][][][] expected, Tensor actual, double tolerance) {
        double worst = 0;
        int f = 0;
        for (double[][][] b : expected) {
            for (double[][] h : b) {
                for (double[] n : h) {
                    for (double x : n) {
                        worst = Math.max(worst, Math.abs(x - actual.getFlat(f++)));
                    }
                }
            }
        }
        assertEquals(f, actual.size(), what + ": size");
        assertTrue(worst <= tolerance, what + ": max |diff| " + worst + " > " + tolerance);
    }

    static void assertSame(String what, Tensor expected, Tensor actual, double tolerance) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double worst = 0;
        for (int i = 0; i < expected.size(); i++) {
            worst = Math.max(worst, Math.abs(expected.getFlat(i) - actual.getFlat(i)));
        }
        assertTrue(worst <= tolerance, what + ": max |diff| " + worst + " > " + tolerance);
    }

    static double[][][][] array(Tensor t) {
        int[] s = t.shape();
        double[][][][] a = new double[s[0]][s[1]][s[2]][s[3]];
        for (int b = 0; b < s[0]; b++) {
            for (int h = 0; h < s[1]; h++) {
                for (int n = 0; n < s[2]; n++) {
                    for (int e = 0; e < s[3]; e++) {
                        a[b][h][n][e] = t.get(b, h, n, e);
                    }
                }
            }
        }
        return a;
    }

    static void assertArgument(String argument, Runnable r) {
        InvalidInputException e = assertThrows(InvalidInputException.class, r::run);
        assertEquals(argument, e.argument(), e.getMessage());
        assertTrue(e.getMessage().startsWith(argument + ": ") && !e.getMessage().contains("\n"), e.getMessage());
    }
}

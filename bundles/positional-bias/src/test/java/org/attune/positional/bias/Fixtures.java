package org.attune.positional.bias;

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

    /** float32 results of order-1 values against float64: a few ulps; float64: rounding only. */
    static double tolerance(DType dtype) {
        return dtype == DType.FLOAT32 ? 4e-6 : 1e-12;
    }

    /** max |expected[f] − actual.getFlat(f)| ≤ tolerance over the flattened arrays. */
    static void assertClose(String what, double[] expected, Tensor actual, double tolerance) {
        assertEquals(expected.length, actual.size(), what + ": size");
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual.getFlat(i)));
        }
        assertTrue(worst <= tolerance, what + ": max |diff| " + worst + " > " + tolerance);
    }

    static void assertSame(String what, Tensor expected, Tensor actual, double tolerance) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        assertClose(what, expected.toDoubleArray(), actual, tolerance);
    }

    static void assertArgument(String argument, Runnable r) {
        InvalidInputException e = assertThrows(InvalidInputException.class, r::run);
        assertEquals(argument, e.argument(), e.getMessage());
        assertTrue(e.getMessage().startsWith(argument + ": ") && !e.getMessage().contains("\n"), e.getMessage());
    }
}

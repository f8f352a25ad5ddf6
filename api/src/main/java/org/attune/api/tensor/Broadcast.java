package org.attune.api.tensor;

import java.util.Arrays;

/**
 * NumPy broadcasting: shapes are aligned at their last axis; two sizes are compatible when equal or when
 * one of them is 1 (a missing leading axis counts as 1).
 */
public final class Broadcast {
    private Broadcast() {
    }

    /** The broadcast shape of two shapes, or an {@link InvalidInputException} naming {@code argument}. */
    public static int[] shape(String argument, int[] a, int[] b) {
        int r = Math.max(a.length, b.length);
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i < r - a.length ? 1 : a[i - (r - a.length)];
            int db = i < r - b.length ? 1 : b[i - (r - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new InvalidInputException(argument, "shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                    + " do not broadcast");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /**
     * Strides, in elements of a row-major {@code source} shape, that read it as if it had the {@code target}
     * shape: broadcast axes get stride 0.
     *
     * @throws InvalidInputException naming {@code argument} when {@code source} does not broadcast to {@code target}
     */
    public static int[] strides(String argument, int[] source, int[] target) {
        if (source.length > target.length) {
            throw new InvalidInputException(argument, "shape " + Arrays.toString(source) + " has more axes than "
                + Arrays.toString(target));
        }
        int[] out = new int[target.length];
        int acc = 1;
        for (int i = target.length - 1, j = source.length - 1; i >= 0; i--, j--) {
            int d = j >= 0 ? source[j] : 1;
            if (d != target[i] && d != 1) {
                throw new InvalidInputException(argument, "expected a shape broadcastable to " + Arrays.toString(target)
                    + ", got " + Arrays.toString(source));
            }
            out[i] = d == 1 ? 0 : acc;
            acc *= d;
        }
        return out;
    }
}

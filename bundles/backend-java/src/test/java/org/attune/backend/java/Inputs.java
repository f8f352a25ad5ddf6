package org.attune.backend.java;

import java.util.SplittableRandom;

import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;

/** Seeded random test tensors whose values are exact in float32, so one array serves both element types. */
final class Inputs {
    private final SplittableRandom random;

    Inputs(long seed) {
        random = new SplittableRandom(seed);
    }

    /** Uniform values in [−scale, scale), rounded to float32, as a tensor of {@code dtype}. */
    Tensor uniform(DType dtype, double scale, int... shape) {
        Tensor t = Tensor.zeros(dtype, shape);
        for (int i = 0; i < t.size(); i++) {
            t.setFlat(i, (float) (scale * (2 * random.nextDouble() - 1)));
        }
        return t;
    }

    /** Booleans, each true with probability {@code p}. */
    Tensor mask(double p, int... shape) {
        Tensor t = Tensor.zeros(DType.BOOL, shape);
        for (int i = 0; i < t.size(); i++) {
            t.setFlat(i, random.nextDouble() < p ? 1 : 0);
        }
        return t;
    }
}

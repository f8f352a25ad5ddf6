package org.attune.backend.cpu;

import java.util.Random;

import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;

/** Seeded random test tensors: uniform floats in [lo, hi) and Bernoulli masks. */
final class RandomTensors {
    private final Random random;

    RandomTensors(long seed) {
        this.random = new Random(seed);
    }

    Tensor uniform(DType dtype, double lo, double hi, int... shape) {
        Tensor t = Tensor.zeros(dtype, shape);
        for (int i = 0; i < t.size(); i++) {
            t.setFlat(i, lo + (hi - lo) * random.nextDouble());
        }
        return t;
    }

    Tensor normal(DType dtype, int... shape) {
        Tensor t = Tensor.zeros(dtype, shape);
        for (int i = 0; i < t.size(); i++) {
            t.setFlat(i, random.nextGaussian());
        }
        return t;
    }

    Tensor mask(double pTrue, int... shape) {
        Tensor t = Tensor.zeros(DType.BOOL, shape);
        for (int i = 0; i < t.size(); i++) {
            t.setFlat(i, random.nextDouble() < pTrue ? 1 : 0);
        }
        return t;
    }
}

package org.attune.itests;

import java.util.SplittableRandom;

import org.attune.api.tensor.Tensor;

/** Seeded random tensors for the tests. */
final class Inputs {
    private Inputs() {
    }

    /** A float32 tensor with entries uniform in [-1, 1). */
    static Tensor uniform(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor t = Tensor.zeros(org.attune.api.tensor.DType.FLOAT32, shape);
        float[] a = t.floatData();
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return t;
    }

    /** Largest absolute difference. */
    static double maxAbsDiff(Tensor a, Tensor b) {
        double m = 0;
        for (int i = 0; i < a.size(); i++) {
            m = Math.max(m, Math.abs(a.getFlat(i) - b.getFlat(i)));
        }
        return m;
    }
}

package org.attune.equivariance.canonicalization;

import java.util.SplittableRandom;

import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;

/** The seeded initialiser of every weight in this bundle: float64 entries uniform in ±bound, drawn row-major. */
final class SeededUniform {
    private SeededUniform() {
    }

    static Tensor draw(SplittableRandom random, double bound, int... shape) {
        Tensor t = Tensor.zeros(DType.FLOAT64, shape);
        for (int i = 0; i < t.size(); i++) {
            t.setFlat(i, random.nextDouble(-bound, bound));
        }
        return t;
    }
}

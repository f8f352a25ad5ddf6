package org.attune.attention.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Npy;
import org.attune.api.tensor.Tensor;
import org.attune.backend.java.JavaBackend;

/** Seeded test data whose values are exact in float32, the backend under test, and weight directories. */
public final class Fixtures {
    /** The pure-Java reference backend computes every method under test. */
    public static final ComputeBackend BACKEND = new JavaBackend();

    private final SplittableRandom random;

    public Fixtures(long seed) {
        random = new SplittableRandom(seed);
    }

    /** Uniform values in [−scale, scale), rounded to float32, as a tensor of {@code dtype}. */
    public Tensor uniform(DType dtype, double scale, int... shape) {
        Tensor t = Tensor.zeros(dtype, shape);
        for (int i = 0; i < t.size(); i++) {
            t.setFlat(i, (float) (scale * (2 * random.nextDouble() - 1)));
        }
        return t;
    }

    /** A float64 matrix of f32-exact values, written to {@code dir/name.npy}. */
    public Tensor write(Path dir, String name, double scale, int... shape) {
        Tensor t = uniform(DType.FLOAT64, scale, shape);
        try {
            Npy.write(dir.resolve(name + ".npy"), t);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return t;
    }

    /** Booleans, each true with probability {@code p}. */
    public Tensor mask(double p, int... shape) {
        Tensor t = Tensor.zeros(DType.BOOL, shape);
        for (int i = 0; i < t.size(); i++) {
            t.setFlat(i, random.nextDouble() < p ? 1 : 0);
        }
        return t;
    }
}

package org.attune.attention.core;

import java.util.SplittableRandom;

import org.attune.api.tensor.Tensor;

/**
 * Weights from a seeded Xavier/Glorot uniform initialiser (Glorot and Bengio, 2010), drawn from one
 * {@code java.util.SplittableRandom(seed)} in the order they are asked for, each matrix row-major:
 * <pre>
 *   W[r, c] = (2u − 1) · √(6 / (fan_in + fan_out)),   u = random.nextDouble(),  fan_in = rows, fan_out = cols
 * </pre>
 * A vector [n] is drawn as an [n, 1] matrix; biases are zero. One instance serves one call.
 */
final class SeededWeights implements WeightSource {
    private final SplittableRandom random;

    SeededWeights(long seed) {
        random = new SplittableRandom(seed);
    }

    @Override
    public Tensor matrix(String name, int rows, int cols) {
        double bound = rows + cols == 0 ? 0 : Math.sqrt(6.0 / (rows + cols));
        double[] w = new double[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (2 * random.nextDouble() - 1) * bound;
        }
        return Tensor.of(w, rows, cols);
    }

    @Override
    public Tensor vector(String name, int n) {
        return matrix(name, n, 1).reshape(n);
    }

    @Override
    public Tensor bias(String name, int n) {
        return null;
    }
}

package org.attune.shell;

import java.util.SplittableRandom;

import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;

/**
 * Seeded standard-normal inputs for {@code attention:bench} and {@code attention:compare}: the same seed and
 * sizes give the same q, k, v on every machine and run ({@link SplittableRandom} is specified to be
 * deterministic).
 *
 * @param q queries [batch, heads, n, d]
 * @param k keys [batch, heads, n, d]
 * @param v values [batch, heads, n, d]
 */
record RandomTensors(Tensor q, Tensor k, Tensor v) {

    /** q, k and v of shape [batch, heads, n, d], drawn in that order from one generator seeded with {@code seed}. */
    static RandomTensors qkv(long seed, DType dtype, int batch, int heads, int n, int d) {
        SplittableRandom random = new SplittableRandom(seed);
        return new RandomTensors(normal(random, dtype, batch, heads, n, d), normal(random, dtype, batch, heads, n, d),
            normal(random, dtype, batch, heads, n, d));
    }

    /** A tensor of independent standard-normal draws (Box–Muller), rounded to {@code dtype}. */
    static Tensor normal(SplittableRandom random, DType dtype, int... shape) {
        Tensor t = Tensor.zeros(dtype, shape);
        int size = t.size();
        for (int i = 0; i < size; i += 2) {
            double u1 = 1.0 - random.nextDouble();
            double u2 = random.nextDouble();
            double r = Math.sqrt(-2.0 * Math.log(u1));
            t.setFlat(i, r * Math.cos(2 * Math.PI * u2));
            if (i + 1 < size) {
                t.setFlat(i + 1, r * Math.sin(2 * Math.PI * u2));
            }
        }
        return t;
    }
}

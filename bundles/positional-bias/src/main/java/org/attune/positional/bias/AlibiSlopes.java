package org.attune.positional.bias;

/**
 * The head slopes of ALiBi (Press et al., arXiv:2108.12409, §3), as the reference code {@code get_slopes} of
 * ofirpress/attention_with_linear_biases computes them:
 * <pre>
 *   n a power of 2:  mₕ = 2^(−8(h+1)/n),  h = 0 … n−1     (start 2^(−8/n), ratio 2^(−8/n))
 *   otherwise:       the slopes of the closest smaller power of two c, then every other slope of 2c
 * </pre>
 */
final class AlibiSlopes {
    private AlibiSlopes() {
    }

    /** The slopes of n heads. */
    static double[] of(int n) {
        double[] out = new double[n];
        int c = Integer.highestOneBit(Math.max(n, 1));
        double[] base = powerOfTwo(c);
        System.arraycopy(base, 0, out, 0, Math.min(c, n));
        if (n > c) {
            double[] doubled = powerOfTwo(2 * c);
            for (int i = 0; i < n - c; i++) {
                out[c + i] = doubled[2 * i];
            }
        }
        return out;
    }

    private static double[] powerOfTwo(int n) {
        double start = Math.pow(2, -8.0 / n);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = Math.pow(start, i + 1);
        }
        return out;
    }
}

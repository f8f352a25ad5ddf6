package org.attune.positional.rotary;

/**
 * Float64 reference of a rotary map, written as complex multiplication and sharing nothing with the code under
 * test: pair i of a token is the complex number zᵢ = x[a] + i·x[b] ((a, b) = (2i, 2i+1) interleaved,
 * (i, i + D/2) half), and z'ᵢ = zᵢ · scaleᵢ · e^{i·p·θᵢ}.
 */
final class Float64Rotary {
    private Float64Rotary() {
    }

    /** x [B][H][N][D] with token n at position offset + n, rotated by θ and multiplied per pair by scale(p, i). */
    static double[][][][] rotate(double[][][][] x, int offset, double[] theta, boolean interleaved, PairScale scale) {
        double[][][][] out = new double[x.length][][][];
        for (int b = 0; b < x.length; b++) {
            out[b] = new double[x[b].length][][];
            for (int h = 0; h < x[b].length; h++) {
                out[b][h] = new double[x[b][h].length][];
                for (int n = 0; n < x[b][h].length; n++) {
                    double[] v = x[b][h][n];
                    double[] w = new double[v.length];
                    int m = v.length / 2;
                    long p = (long) offset + n;
                    for (int i = 0; i < m; i++) {
                        int a = interleaved ? 2 * i : i, c = interleaved ? 2 * i + 1 : i + m;
                        double re = Math.cos(p * theta[i]), im = Math.sin(p * theta[i]);
                        double s = scale.of(p, i);
                        w[a] = s * (v[a] * re - v[c] * im);
                        w[c] = s * (v[a] * im + v[c] * re);
                    }
                    out[b][h][n] = w;
                }
            }
        }
        return out;
    }

    static double[][][][] rotate(double[][][][] x, int offset, double[] theta, boolean interleaved) {
        return rotate(x, offset, theta, interleaved, (p, i) -> 1);
    }

    /** RoFormer's θᵢ = base^(−2i/d), written as exp(−2i·ln(base)/d). */
    static double[] theta(int d, double base) {
        double[] t = new double[d / 2];
        for (int i = 0; i < t.length; i++) {
            t[i] = Math.exp(-2.0 * i * Math.log(base) / d);
        }
        return t;
    }

    /** A per-position, per-pair multiplier. */
    @FunctionalInterface
    interface PairScale {
        double of(long position, int pair);
    }
}

package org.attune.attention.normalization;

import java.util.Locale;

import org.attune.api.attention.AttentionCall;
import org.attune.api.tensor.InvalidInputException;

/**
 * The two stages of Softplus attention (Gao, Spratling and Gionfrida, arXiv:2501.13428), on one [Nq, Nk] plane
 * of logits in place, in float64, an entry of −∞ (not allowed) reading as excluded:
 * <pre>
 *   normalise:  w_ij = softplus(λ_i s_ij) / Σ_{j' allowed} softplus(λ_i s_ij'),   λ_i = log n_i   (or 1)
 *   sharpen:    w'_ij = max(0, n_i w_ij − θ)^p / Σ_{j'} max(0, n_i w_ij' − θ)^p
 * </pre>
 * n_i is the number of keys row i may see (its allowed entries, so under a causal mask n_i = i + 1 for Nq = Nk),
 * softplus(x) = log(1 + eˣ), and a row with no allowed entry is zero. For θ ∈ [0, 1) the sharpened row never
 * empties: its largest weight is ≥ 1/n_i.
 */
final class SoftplusRows {
    /** Option: how λ_i depends on the row's length. */
    static final String LENGTH_SCALE = "length-scale";

    private SoftplusRows() {
    }

    /** Whether the call asks for λ_i = log n_i (option {@code length-scale=log}, default) rather than λ_i = 1. */
    static boolean lengthScaled(AttentionCall call) {
        return switch (call.param(LENGTH_SCALE, "log").trim().toLowerCase(Locale.ROOT)) {
            case "log" -> true;
            case "none" -> false;
            default -> throw new InvalidInputException("--opt " + LENGTH_SCALE, "expected log or none, got '"
                + call.param(LENGTH_SCALE, "") + "'");
        };
    }

    /** softplus(x) = log(1 + eˣ), without overflow. */
    static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    /** Stage one: the ℓ1-normalised softplus of the length-scaled logits, row by row. */
    static void normalise(double[][] plane, boolean lengthScaled) {
        for (double[] row : plane) {
            int n = visible(row);
            double lambda = lengthScaled && n > 0 ? Math.log(n) : 1;
            double sum = 0;
            for (int j = 0; j < row.length; j++) {
                row[j] = row[j] == Double.NEGATIVE_INFINITY ? 0 : softplus(lambda * row[j]);
                sum += row[j];
            }
            for (int j = 0; j < row.length; j++) {
                row[j] = sum == 0 ? 0 : row[j] / sum;
            }
        }
    }

    /**
     * Stage two: the re-weighting of normalised rows (weights of excluded entries are 0, so n_i is counted from
     * {@code allowed}).
     */
    static void sharpen(double[][] plane, boolean[][] allowed, double p, double threshold) {
        for (int i = 0; i < plane.length; i++) {
            double[] row = plane[i];
            int n = 0;
            for (boolean a : allowed[i]) {
                n += a ? 1 : 0;
            }
            double sum = 0;
            for (int j = 0; j < row.length; j++) {
                row[j] = allowed[i][j] ? Math.pow(Math.max(0, n * row[j] - threshold), p) : 0;
                sum += row[j];
            }
            for (int j = 0; j < row.length; j++) {
                row[j] = sum == 0 ? 0 : row[j] / sum;
            }
        }
    }

    /** Which entries of a plane of logits are allowed (finite or +∞). */
    static boolean[][] allowed(double[][] plane) {
        boolean[][] a = new boolean[plane.length][];
        for (int i = 0; i < plane.length; i++) {
            a[i] = new boolean[plane[i].length];
            for (int j = 0; j < plane[i].length; j++) {
                a[i][j] = plane[i][j] != Double.NEGATIVE_INFINITY;
            }
        }
        return a;
    }

    private static int visible(double[] row) {
        int n = 0;
        for (double x : row) {
            n += x == Double.NEGATIVE_INFINITY ? 0 : 1;
        }
        return n;
    }
}

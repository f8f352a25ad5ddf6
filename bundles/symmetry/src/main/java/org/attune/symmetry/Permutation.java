package org.attune.symmetry;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.attune.api.equivariance.GroupElement;

/**
 * An element of S_n for every n at once: a word σ_{m}^{±1} ··· σ_1^{±1} of seeded uniform permutations (σ_1
 * applied first). At length n each factor is the Fisher–Yates shuffle of 0..n−1 driven by
 * {@code SplittableRandom(seed)}, so an element acts on data of any length and the group laws hold exactly.
 *
 * @param seeds    the factors' seeds, first applied first
 * @param inverted whether each factor enters inverted
 */
record Permutation(long[] seeds, boolean[] inverted) implements GroupElement {
    static final String GROUP = "S_n";

    @Override
    public String group() {
        return GROUP;
    }

    /**
     * The permutation at length n as a map: object i goes to position {@code map[i]}.
     */
    int[] at(int n) {
        int[] map = new int[n];
        for (int i = 0; i < n; i++) {
            map[i] = i;
        }
        for (int f = 0; f < seeds.length; f++) {
            int[] sigma = shuffle(seeds[f], n);
            if (inverted[f]) {
                int[] inv = new int[n];
                for (int i = 0; i < n; i++) {
                    inv[sigma[i]] = i;
                }
                sigma = inv;
            }
            for (int i = 0; i < n; i++) {
                map[i] = sigma[map[i]];
            }
        }
        return map;
    }

    private static int[] shuffle(long seed, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    @Override
    public String describe() {
        return "σ at n=8: " + Arrays.toString(at(8)) + " (" + seeds.length + " factor" + (seeds.length == 1 ? ")" : "s)");
    }
}

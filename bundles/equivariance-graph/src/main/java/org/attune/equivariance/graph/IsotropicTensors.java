package org.attune.equivariance.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The isotropic Cartesian tensors of rank r in three dimensions, T_{a₁…a_r} = R_{a₁b₁}⋯R_{a_r b_r} T_{b₁…b_r},
 * as symmetric tensor-network diagrams: products of Kronecker deltas δ_ab pairing all r indices (r even), and, for
 * SO(3) only, one Levi-Civita ε_abc times deltas pairing the other r − 3 indices (r odd). By the first fundamental
 * theorem of invariant theory for O(3) and SO(3) these diagrams span the invariant space (two ε's reduce to deltas,
 * so more are never needed); for r ≥ 6 they are linearly dependent in three dimensions, and {@link #basis} keeps
 * the first independent ones in enumeration order (deltas before ε, pairings in lexicographic order, Gram–Schmidt
 * in float64 on the 3^r entries, which are 0 and ±1).
 */
final class IsotropicTensors {
    /** Largest total rank: 3^8 = 6561 entries per diagram. */
    static final int MAX_RANK = 8;

    private static final Map<String, List<Diagram>> BASES = new ConcurrentHashMap<>();

    private IsotropicTensors() {
    }

    /**
     * One diagram: ε on three indices (or none) times δ on each pair.
     *
     * @param epsilon the indices of ε in increasing order, or an empty array
     * @param pairs   the δ pairs, each in increasing order
     */
    record Diagram(int[] epsilon, int[][] pairs) {
        /** The rank, 3 for the ε plus 2 per δ. */
        int rank() {
            return epsilon.length + 2 * pairs.length;
        }

        /** The entry at one index tuple (each index in 0..2). */
        double entry(int[] index) {
            double v = 1;
            for (int[] p : pairs) {
                if (index[p[0]] != index[p[1]]) {
                    return 0;
                }
            }
            if (epsilon.length == 3) {
                int a = index[epsilon[0]];
                int b = index[epsilon[1]];
                int c = index[epsilon[2]];
                v = (a - b) * (b - c) * (c - a) / 2.0;
            }
            return v;
        }

        /** All 3^r entries, row-major (the first index slowest). */
        double[] entries() {
            int r = rank();
            double[] out = new double[pow3(r)];
            int[] index = new int[r];
            for (int flat = 0; flat < out.length; flat++) {
                int rest = flat;
                for (int a = r - 1; a >= 0; a--) {
                    index[a] = rest % 3;
                    rest /= 3;
                }
                out[flat] = entry(index);
            }
            return out;
        }

        /** δ(0,1)·ε(2,3,4)-style text, indices numbered from 0. */
        String describe() {
            StringBuilder s = new StringBuilder();
            if (epsilon.length == 3) {
                s.append("ε(").append(epsilon[0]).append(',').append(epsilon[1]).append(',').append(epsilon[2]).append(')');
            }
            for (int[] p : pairs) {
                s.append(s.isEmpty() ? "" : "·").append("δ(").append(p[0]).append(',').append(p[1]).append(')');
            }
            return s.isEmpty() ? "1" : s.toString();
        }
    }

    /** Every diagram of rank r for O(3) ({@code proper} false) or SO(3) ({@code proper} true), dependent ones included. */
    static List<Diagram> diagrams(int rank, boolean proper) {
        List<Diagram> out = new ArrayList<>();
        int[] all = new int[rank];
        Arrays.setAll(all, i -> i);
        if (rank % 2 == 0) {
            for (int[][] m : pairings(all)) {
                out.add(new Diagram(new int[0], m));
            }
        } else if (proper && rank >= 3) {
            for (int a = 0; a < rank; a++) {
                for (int b = a + 1; b < rank; b++) {
                    for (int c = b + 1; c < rank; c++) {
                        int[] rest = new int[rank - 3];
                        int k = 0;
                        for (int i = 0; i < rank; i++) {
                            if (i != a && i != b && i != c) {
                                rest[k++] = i;
                            }
                        }
                        for (int[][] m : pairings(rest)) {
                            out.add(new Diagram(new int[] {a, b, c}, m));
                        }
                    }
                }
            }
        }
        return out;
    }

    /** The first linearly independent diagrams of {@link #diagrams}: a basis of the invariant space. */
    static List<Diagram> basis(int rank, boolean proper) {
        return BASES.computeIfAbsent(rank + (proper ? "SO" : "O"), key -> independent(diagrams(rank, proper)));
    }

    private static List<Diagram> independent(List<Diagram> candidates) {
        List<Diagram> kept = new ArrayList<>();
        List<double[]> orthonormal = new ArrayList<>();
        for (Diagram d : candidates) {
            double[] v = d.entries();
            double before = Math.sqrt(dot(v, v));
            for (int pass = 0; pass < 2; pass++) {
                for (double[] q : orthonormal) {
                    double c = dot(v, q);
                    for (int i = 0; i < v.length; i++) {
                        v[i] -= c * q[i];
                    }
                }
            }
            double after = Math.sqrt(dot(v, v));
            if (after > 1e-8 * before) {
                for (int i = 0; i < v.length; i++) {
                    v[i] /= after;
                }
                orthonormal.add(v);
                kept.add(d);
            }
        }
        return List.copyOf(kept);
    }

    /** All ways to pair up the given indices (an even number of them), first index paired first. */
    private static List<int[][]> pairings(int[] indices) {
        List<int[][]> out = new ArrayList<>();
        if (indices.length == 0) {
            out.add(new int[0][]);
            return out;
        }
        for (int k = 1; k < indices.length; k++) {
            int[] rest = new int[indices.length - 2];
            int r = 0;
            for (int i = 1; i < indices.length; i++) {
                if (i != k) {
                    rest[r++] = indices[i];
                }
            }
            for (int[][] m : pairings(rest)) {
                int[][] full = new int[m.length + 1][];
                full[0] = new int[] {indices[0], indices[k]};
                System.arraycopy(m, 0, full, 1, m.length);
                out.add(full);
            }
        }
        return out;
    }

    static int pow3(int r) {
        int p = 1;
        for (int i = 0; i < r; i++) {
            p *= 3;
        }
        return p;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}

package org.attune.equivariance.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import org.attune.api.tensor.Tensor;

/**
 * The edges j → i of a geometric graph as plain index arrays, with each target's incoming edges listed
 * (softmax and sums run over them): from an explicit edge list or the complete graph ({@link GraphEdges}),
 * or rebuilt from the coordinates as the k-nearest-neighbour graph, where node i receives from the k nodes
 * j ≠ i closest to it (ties by smaller index; k capped at nodes − 1). The kNN graph depends on distances only,
 * so it is invariant under E(3) and relabelled by node permutations (for distinct distances).
 *
 * @param source   j per edge
 * @param target   i per edge
 * @param incoming per node i, the edges whose target is i, in edge order
 */
record Neighbours(int[] source, int[] target, int[][] incoming) {
    /** An explicit int64 [2, edges] list (validated by {@link GraphEdges}), or the complete graph when null. */
    static Neighbours of(Tensor edges, int nodes) {
        GraphEdges g = GraphEdges.of(edges, nodes);
        int[] src = new int[g.count()];
        int[] dst = new int[g.count()];
        for (int e = 0; e < src.length; e++) {
            src[e] = (int) g.source().getFlat(e);
            dst[e] = (int) g.target().getFlat(e);
        }
        return index(src, dst, nodes);
    }

    /** The kNN graph of points x[node][3]. */
    static Neighbours nearest(double[][] x, int k) {
        int n = x.length;
        int kk = Math.min(k, n - 1);
        int[] src = new int[n * kk];
        int[] dst = new int[n * kk];
        int e = 0;
        for (int i = 0; i < n; i++) {
            List<Integer> others = new ArrayList<>();
            double[] d = new double[n];
            for (int j = 0; j < n; j++) {
                d[j] = squaredDistance(x[i], x[j]);
                if (j != i) {
                    others.add(j);
                }
            }
            others.sort(Comparator.<Integer>comparingDouble(j -> d[j]).thenComparingInt(j -> j));
            for (int t = 0; t < kk; t++) {
                src[e] = others.get(t);
                dst[e++] = i;
            }
        }
        return index(src, dst, n);
    }

    private static Neighbours index(int[] src, int[] dst, int nodes) {
        int[] count = new int[nodes];
        for (int t : dst) {
            count[t]++;
        }
        int[][] in = new int[nodes][];
        for (int i = 0; i < nodes; i++) {
            in[i] = new int[count[i]];
        }
        Arrays.fill(count, 0);
        for (int e = 0; e < dst.length; e++) {
            in[dst[e]][count[dst[e]]++] = e;
        }
        return new Neighbours(src, dst, in);
    }

    static double squaredDistance(double[] a, double[] b) {
        double s = 0;
        for (int c = 0; c < a.length; c++) {
            s += (a[c] - b[c]) * (a[c] - b[c]);
        }
        return s;
    }

    int count() {
        return source.length;
    }
}

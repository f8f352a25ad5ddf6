package org.attune.equivariance.graph;

import java.util.Arrays;

import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;

/**
 * The edges of a geometric graph as two int64 index vectors, source j and target i (messages flow j → i), and
 * each node's in-degree: from an explicit int64 [2, edges] list, or all ordered pairs i ≠ j when none is given.
 *
 * @param source j per edge, int64 [edges]
 * @param target i per edge, int64 [edges]
 * @param degree incoming edges per node, at least 1 (isolated nodes divide by 1), [nodes, 1] float64
 */
record GraphEdges(Tensor source, Tensor target, Tensor degree) {
    static GraphEdges of(Tensor edges, int nodes) {
        long[] src;
        long[] dst;
        if (edges == null) {
            int e = nodes * (nodes - 1);
            src = new long[e];
            dst = new long[e];
            int k = 0;
            for (int i = 0; i < nodes; i++) {
                for (int j = 0; j < nodes; j++) {
                    if (i != j) {
                        src[k] = j;
                        dst[k++] = i;
                    }
                }
            }
        } else {
            if (edges.dtype() != DType.INT64 || edges.rank() != 2 || edges.dim(0) != 2) {
                throw new InvalidInputException("edges", "expected int64 [2, edges], got " + edges.dtype().shortName()
                    + " " + Arrays.toString(edges.shape()));
            }
            int e = edges.dim(1);
            src = new long[e];
            dst = new long[e];
            for (int k = 0; k < e; k++) {
                src[k] = (long) edges.get(0, k);
                dst[k] = (long) edges.get(1, k);
                if (src[k] < 0 || src[k] >= nodes || dst[k] < 0 || dst[k] >= nodes) {
                    throw new InvalidInputException("edges", "node indices must be in [0, " + nodes + "), edge " + k
                        + " is " + src[k] + " → " + dst[k]);
                }
            }
        }
        double[] deg = new double[nodes];
        Arrays.fill(deg, 0);
        for (long d : dst) {
            deg[(int) d]++;
        }
        for (int i = 0; i < nodes; i++) {
            deg[i] = Math.max(deg[i], 1);
        }
        return new GraphEdges(Tensor.of(src, src.length), Tensor.of(dst, dst.length), Tensor.of(deg, nodes, 1));
    }

    int count() {
        return source.size();
    }

    /** Σ over incoming edges, then divided by the in-degree: the reference code's {@code unsorted_segment_mean}. */
    Tensor meanAtTargets(ComputeBackend backend, Tensor perEdge, int nodes) {
        Tensor sum = backend.scatterAdd(perEdge, target, nodes);
        return backend.binary(org.attune.api.backend.BinaryOp.DIV, sum, degree.to(sum.dtype()), null);
    }
}

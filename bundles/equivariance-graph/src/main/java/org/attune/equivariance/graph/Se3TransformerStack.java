package org.attune.equivariance.graph;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.attune.api.equivariance.IrrepAlgebra;

/**
 * A stack of {@link Se3AttentionBlock}s in → hidden → … → hidden → out with {@link NormActivation} between
 * blocks (not after the last), all on one graph: the body of the SE(3)-Transformer and of each iteration of the
 * iterative one. One block maps in → out directly.
 */
final class Se3TransformerStack {
    final List<Se3AttentionBlock> blocks = new ArrayList<>();
    private final int basis;
    private final double cutoff;

    /** Draws the blocks' weights in order, each as {@link Se3AttentionBlock} documents. */
    Se3TransformerStack(SplittableRandom random, IrrepLayout in, IrrepLayout hidden, IrrepLayout out, int count,
                        int heads, int basis, double cutoff) {
        this.basis = basis;
        this.cutoff = cutoff;
        for (int b = 0; b < count; b++) {
            blocks.add(new Se3AttentionBlock(random, b == 0 ? in : hidden, b == count - 1 ? out : hidden, heads, basis));
        }
    }

    /** The edge geometry of graph g at positions x, with harmonics up to the largest filter degree. */
    EdgeGeometry[] geometry(IrrepAlgebra algebra, double[][] x, Neighbours g) {
        int maxJ = 0;
        for (Se3AttentionBlock b : blocks) {
            maxJ = Math.max(maxJ, b.maxFilterDegree());
        }
        EdgeGeometry[] edges = new EdgeGeometry[g.count()];
        for (int e = 0; e < g.count(); e++) {
            edges[e] = EdgeGeometry.of(algebra, x[g.target()[e]], x[g.source()[e]], maxJ, basis, cutoff);
        }
        return edges;
    }

    /** The stack on features h at positions x over graph g. */
    double[][][][] apply(IrrepAlgebra algebra, double[][] x, double[][][][] h, Neighbours g) {
        EdgeGeometry[] edges = geometry(algebra, x, g);
        double[][][][] f = h;
        for (int b = 0; b < blocks.size(); b++) {
            f = blocks.get(b).apply(algebra, f, g, edges).features();
            if (b < blocks.size() - 1) {
                for (int i = 0; i < f.length; i++) {
                    f[i] = NormActivation.apply(f[i]);
                }
            }
        }
        return f;
    }
}

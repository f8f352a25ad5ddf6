package org.attune.equivariance.graph;

import java.util.SplittableRandom;

import org.attune.api.equivariance.IrrepAlgebra;
import org.attune.api.tensor.InvalidInputException;

/**
 * One SE(3)-Transformer attention block with its weights, the reference code's {@code GSE3Res} with
 * {@code skip='cat'}, {@code selfint='1x1'}, {@code div=1} (Fuchs et al., arXiv:2006.10503, Sec. 3.2):
 * <pre>
 *   v_ij = W_V(r_ij)·f_j,   k_ij = W_K(r_ij)·f_j      ({@link SteerableKernel}, r_ij = x_j − x_i)
 *   q_i  = W_Q f_i                                    ({@link DegreeLinear}, per degree)
 *   α_ij^h = softmax_{j→i} ( Σ_{l} Σ_{c ∈ h} Σ_m q_i^{(l)}_{cm} k_ij^{(l)}_{cm} / √F_K )      F_K = Σ_l K_l (2l + 1)
 *   z_i^{(l)}_c = Σ_{j→i} α_ij^{h(c)} v_ij^{(l)}_c
 *   out_i^{(l)} = W_P^{(l)} [z_i^{(l)} ; f_i^{(l)}]                                    (self-interaction)
 * </pre>
 * Values have the output layout; keys and queries the output multiplicities of the degrees the input also has
 * ({@code f_mid_in}); each degree's channels are split into {@code heads} equal consecutive groups, and the
 * logits are scaled by the square root of the total number of key features, as {@code GMABSE3} does. The
 * logits are SO(3)-invariant (each term is a dot product of two type-l features), hence so is α; the output
 * is equivariant because every term is.
 */
final class Se3AttentionBlock {
    /** Output features per node and attention weights α[edge][head]. */
    record Result(double[][][][] features, double[][] attention) {
    }

    final IrrepLayout in;
    final IrrepLayout out;
    final IrrepLayout key;
    final int heads;
    final SteerableKernel value;
    final SteerableKernel keys;
    final DegreeLinear query;
    final DegreeLinear project;

    /** Draws W_V, W_K ({@link SteerableKernel#init}), W_Q and W_P ({@link DegreeLinear#init}) in that order. */
    Se3AttentionBlock(SplittableRandom random, IrrepLayout in, IrrepLayout out, int heads, int basis) {
        int[] k = new int[out.maxDegree() + 1];
        for (int l = 0; l <= out.maxDegree(); l++) {
            k[l] = in.mul(l) > 0 ? out.mul(l) : 0;
        }
        this.in = in;
        this.out = out;
        this.key = new IrrepLayout(k);
        this.heads = heads;
        for (int l = 0; l <= out.maxDegree(); l++) {
            if (out.mul(l) % heads != 0) {
                throw new InvalidInputException("heads", "expected a divisor of every channel count of " + out
                    + ", got " + heads);
            }
        }
        value = SteerableKernel.init(random, in, out, basis);
        keys = SteerableKernel.init(random, in, key, basis);
        query = DegreeLinear.init(random, in, key);
        int[] cat = new int[out.maxDegree() + 1];
        for (int l = 0; l <= out.maxDegree(); l++) {
            cat[l] = out.mul(l) + in.mul(l);
        }
        project = DegreeLinear.init(random, new IrrepLayout(cat), out);
    }

    /** The block on features h[node] with the edge geometry of graph g (one {@link EdgeGeometry} per edge). */
    Result apply(IrrepAlgebra algebra, double[][][][] h, Neighbours g, EdgeGeometry[] edges) {
        int n = h.length;
        int keyFeatures = key.channels();
        double[][][][] v = new double[g.count()][][][];
        double[][] logits = new double[g.count()][heads];
        double[][][][] q = new double[n][][][];
        for (int i = 0; i < n; i++) {
            q[i] = query.apply(h[i]);
        }
        for (int e = 0; e < g.count(); e++) {
            double[][][] fj = h[g.source()[e]];
            v[e] = value.apply(algebra, edges[e], fj);
            double[][][] kij = keys.apply(algebra, edges[e], fj);
            double[][][] qi = q[g.target()[e]];
            for (int l = 0; l <= key.maxDegree(); l++) {
                int perHead = key.mul(l) / heads;
                for (int c = 0; c < key.mul(l); c++) {
                    double dot = 0;
                    for (int m = 0; m <= 2 * l; m++) {
                        dot += qi[l][c][m] * kij[l][c][m];
                    }
                    logits[e][c / perHead] += dot / Math.sqrt(keyFeatures);
                }
            }
        }
        double[][] alpha = new double[g.count()][heads];
        double[][][][] result = new double[n][][][];
        for (int i = 0; i < n; i++) {
            int[] incoming = g.incoming()[i];
            for (int hd = 0; hd < heads; hd++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int e : incoming) {
                    max = Math.max(max, logits[e][hd]);
                }
                double sum = 0;
                for (int e : incoming) {
                    alpha[e][hd] = Math.exp(logits[e][hd] - max);
                    sum += alpha[e][hd];
                }
                for (int e : incoming) {
                    alpha[e][hd] /= sum;
                }
            }
            double[][][] cat = new double[out.maxDegree() + 1][][];
            for (int l = 0; l <= out.maxDegree(); l++) {
                int perHead = out.mul(l) / heads;
                cat[l] = new double[out.mul(l) + in.mul(l)][2 * l + 1];
                for (int e : incoming) {
                    for (int c = 0; c < out.mul(l); c++) {
                        double a = alpha[e][c / perHead];
                        for (int m = 0; m <= 2 * l; m++) {
                            cat[l][c][m] += a * v[e][l][c][m];
                        }
                    }
                }
                for (int c = 0; c < in.mul(l); c++) {
                    cat[l][out.mul(l) + c] = h[i][l][c].clone();
                }
            }
            result[i] = project.apply(cat);
        }
        return new Result(result, alpha);
    }

    /** The largest filter degree J any kernel of the block reads. */
    int maxFilterDegree() {
        return value.maxFilterDegree();
    }
}

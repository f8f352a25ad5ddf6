package org.attune.equivariance.graph;

import java.util.SplittableRandom;

import org.attune.api.equivariance.IrrepAlgebra;

/**
 * The equivariant edge kernel of Tensor Field Networks as the SE(3)-Transformer uses it (Fuchs et al.,
 * arXiv:2006.10503, Sec. 2, the TFN kernel W^{lk} = Σ_J φ_J^{lk} Σ_m Y_Jm Q^{lk}_{Jm} with Q the Clebsch–Gordan
 * coefficients): from input degree k to output degree l,
 * <pre>
 *   W^{lk}(r)_{cc'} = Σ_{J=|l−k|}^{l+k} R^{lkJ}_{cc'}(|r|) · Σ_{m_J} Y^J_{m_J}(r̂) C^{J k → l}[m_J, ·, ·]
 *   msg^{(l)}_c      = Σ_k Σ_c' W^{lk}(r)_{cc'} f^{(k)}_{c'}   = Σ_{k, J, c'} R^{lkJ}_{cc'}(|r|) (Y^J(r̂) ⊗ f^{(k)}_{c'})_{→l}
 *   R^{lkJ}_{cc'}(ρ) = Σ_b θ^{lkJ}_{cc'b} e_b(ρ)
 * </pre>
 * The radial functions are linear in a Gaussian basis e_b ({@link EdgeGeometry}), where the reference code
 * ({@code PairwiseConv}/{@code RadialFunc}) uses a small MLP of the distance: the kernel's equivariance does not
 * depend on that choice. Equivariance: W^{lk}(Rr) = D^l(R) W^{lk}(r) D^k(R)ᵀ.
 *
 * @param in    input layout
 * @param out   output layout
 * @param theta θ[l][k][J − |l − k|][c][c'][b] (null where either degree has no channels)
 */
record SteerableKernel(IrrepLayout in, IrrepLayout out, double[][][][][][] theta) {
    /**
     * θ uniform in ±1/√(basis·Σ_k in_k·(2·min(l, k) + 1)) (the fan-in of output degree l over its paths), drawn in
     * the order l, k, J, c, c', b.
     */
    static SteerableKernel init(SplittableRandom random, IrrepLayout in, IrrepLayout out, int basis) {
        double[][][][][][] theta = new double[out.maxDegree() + 1][in.maxDegree() + 1][][][][];
        for (int l = 0; l <= out.maxDegree(); l++) {
            int fanIn = 0;
            for (int k = 0; k <= in.maxDegree(); k++) {
                fanIn += in.mul(k) * (2 * Math.min(l, k) + 1);
            }
            double bound = 1 / Math.sqrt(Math.max(1, basis * fanIn));
            for (int k = 0; k <= in.maxDegree(); k++) {
                if (out.mul(l) == 0 || in.mul(k) == 0) {
                    continue;
                }
                theta[l][k] = new double[2 * Math.min(l, k) + 1][out.mul(l)][in.mul(k)][basis];
                for (double[][][] byJ : theta[l][k]) {
                    for (double[][] row : byJ) {
                        for (double[] cell : row) {
                            for (int b = 0; b < basis; b++) {
                                cell[b] = random.nextDouble(-bound, bound);
                            }
                        }
                    }
                }
            }
        }
        return new SteerableKernel(in, out, theta);
    }

    /** The largest J the kernel reads: max l + max k. */
    int maxFilterDegree() {
        return in.maxDegree() + out.maxDegree();
    }

    /** msg = W(r_ij)·f_j for the features f of the source node. */
    double[][][] apply(IrrepAlgebra algebra, EdgeGeometry edge, double[][][] f) {
        double[][][] msg = out.zeros();
        for (int l = 0; l <= out.maxDegree(); l++) {
            for (int k = 0; k <= in.maxDegree(); k++) {
                if (theta[l][k] == null) {
                    continue;
                }
                for (int j = Math.abs(l - k); j <= l + k; j++) {
                    double[][][] byC = theta[l][k][j - Math.abs(l - k)];
                    for (int ci = 0; ci < in.mul(k); ci++) {
                        double[] t = algebra.couple(j, edge.harmonics()[j], k, f[k][ci], l);
                        for (int c = 0; c < out.mul(l); c++) {
                            double w = edge.radial(byC[c][ci]);
                            for (int m = 0; m <= 2 * l; m++) {
                                msg[l][c][m] += w * t[m];
                            }
                        }
                    }
                }
            }
        }
        return msg;
    }
}

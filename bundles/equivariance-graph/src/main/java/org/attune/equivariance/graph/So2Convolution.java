package org.attune.equivariance.graph;

import java.util.SplittableRandom;

import org.attune.api.equivariance.IrrepAlgebra;

/**
 * The SO(2) convolution of eSCN with its weights: one edge's message from degree-k features of the source to
 * degree l, computed in the edge frame. Passaro and Zitnick, "Reducing SO(3) Convolutions to SO(2) for
 * Efficient Equivariant GNNs", arXiv:2302.03655, Sec. 3 (the SO(2) convolution):
 * <pre>
 *   x̃^{(k)} = D^k(R_ij) x_j^{(k)}                       R_ij r̂_ij = ẑ   ({@link EdgeFrame}, r_ij = x_j − x_i)
 *   ỹ^{(l)}_0   = Σ_{k,c'} w0^{lk}_{cc'}(|r|) x̃^{(k)}_{c',0}
 *   ỹ^{(l)}_{+m} = Σ_{k,c'} w1^{lk}_{m,cc'} x̃^{(k)}_{c',+m} − w2^{lk}_{m,cc'} x̃^{(k)}_{c',−m}       1 ≤ m ≤ min(l, k, mmax)
 *   ỹ^{(l)}_{−m} = Σ_{k,c'} w2^{lk}_{m,cc'} x̃^{(k)}_{c',+m} + w1^{lk}_{m,cc'} x̃^{(k)}_{c',−m}
 *   msg^{(l)}  = D^l(R_ij)ᵀ ỹ^{(l)}
 *   w(ρ) = Σ_b θ_b e_b(ρ)                                ({@link EdgeGeometry}'s Gaussian basis)
 * </pre>
 * The [[w1, −w2], [w2, w1]] blocks are the maps of the pair (x̃_{+m}, x̃_{−m}) that commute with rotations about
 * ẑ (which turn the pair by mφ), so the message does not depend on the roll of the frame and is SO(3)
 * equivariant. With matched weights it equals the Clebsch–Gordan tensor product with the filter Y(r̂): in the
 * edge frame Y^J(ẑ) = √((2J+1)/4π) δ_{m0}, so Σ_J R^{lkJ} (Y^J(ẑ) ⊗ x̃^{(k)})_{→l} is the map above with
 * <pre>
 *   w0 = Σ_J R^{lkJ} √((2J+1)/4π) C^{Jk→l}[0, 0, 0],   w1_m = Σ_J R^{lkJ} √((2J+1)/4π) C^{Jk→l}[0, +m, +m],
 *   w2_m = Σ_J R^{lkJ} √((2J+1)/4π) C^{Jk→l}[0, +m, −m]
 * </pre>
 * (C indices are m values; C^{Jk→l}[0, −m, −m] = w1's coefficient and C^{Jk→l}[0, −m, +m] = −w2's, the block
 * structure), which the tests check and the bundle README derives.
 *
* @param in     input degrees and channels
 * @param out    output degrees and channels (extra degree-0 outputs are the m = 0 "extra" channels of the
 *               reference code's {@code SO2_Convolution})
 * @param mmax   the largest |m| kept (L keeps all: exactly the CG product's expressiveness)
 * @param basis  radial functions (1 with the radial value 1: weights that do not depend on the distance)
 * @param cutoff largest radial centre
 * @param theta  θ[l][k][m][part][c][c'][b], part 0 = w0 (m = 0) or w1, part 1 = w2 (m ≥ 1)
 */
record So2Convolution(IrrepLayout in, IrrepLayout out, int mmax, int basis, double cutoff,
                      double[][][][][][][] theta) {
    /** θ uniform in ±1/√(basis·Σ_k in_k), drawn in the order l, k, m, part, c, c', b. */
    static So2Convolution init(SplittableRandom random, IrrepLayout in, IrrepLayout out, int mmax, int basis,
                               double cutoff) {
        int fanIn = 0;
        for (int k = 0; k <= in.maxDegree(); k++) {
            fanIn += in.mul(k);
        }
        double bound = 1 / Math.sqrt(basis * (double) fanIn);
        double[][][][][][][] theta = new double[out.maxDegree() + 1][in.maxDegree() + 1][][][][][];
        for (int l = 0; l <= out.maxDegree(); l++) {
            for (int k = 0; k <= in.maxDegree(); k++) {
                int top = Math.min(Math.min(l, k), mmax);
                theta[l][k] = new double[top + 1][][][][];
                for (int m = 0; m <= top; m++) {
                    theta[l][k][m] = new double[m == 0 ? 1 : 2][out.mul(l)][in.mul(k)][basis];
                    for (double[][][] part : theta[l][k][m]) {
                        for (double[][] row : part) {
                            for (double[] cell : row) {
                                for (int b = 0; b < basis; b++) {
                                    cell[b] = random.nextDouble(-bound, bound);
                                }
                            }
                        }
                    }
                }
            }
        }
        return new So2Convolution(in, out, mmax, basis, cutoff, theta);
    }

    /** The message of one edge with source features f (layout in) and r = x_j − x_i, in the frame rolled by γ. */
    double[][][] message(IrrepAlgebra algebra, double[][][] f, double[] r, double gamma) {
        double[] frame = EdgeFrame.align(r, gamma);
        double distance = Math.sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]);
        double[][][] y = inFrame(rotate(algebra, frame, f, false), algebra.gaussianBasis(distance, basis, cutoff));
        return rotate(algebra, frame, y, true);
    }

    /** D(R)·f degree by degree (or D(R)ᵀ·f with {@code inverse}), for the frame R. */
    static double[][][] rotate(IrrepAlgebra algebra, double[] frame, double[][][] f, boolean inverse) {
        double[][][] out = new double[f.length][][];
        for (int l = 0; l < f.length; l++) {
            double[] d = algebra.wignerD(l, frame);
            out[l] = new double[f[l].length][];
            for (int c = 0; c < f[l].length; c++) {
                out[l][c] = times(d, f[l][c], inverse);
            }
        }
        return out;
    }

    /** The SO(2) maps on features x̃ already in the edge frame, with radial values e_b(|r|). */
    double[][][] inFrame(double[][][] x, double[] radial) {
        double[][][] y = out.zeros();
        for (int l = 0; l <= out.maxDegree(); l++) {
            for (int k = 0; k <= in.maxDegree(); k++) {
                for (int m = 0; m < theta[l][k].length; m++) {
                    for (int c = 0; c < out.mul(l); c++) {
                        for (int ci = 0; ci < in.mul(k); ci++) {
                            double[] xk = x[k][ci];
                            double w1 = dot(theta[l][k][m][0][c][ci], radial);
                            if (m == 0) {
                                y[l][c][l] += w1 * xk[k];
                                continue;
                            }
                            double w2 = dot(theta[l][k][m][1][c][ci], radial);
                            y[l][c][l + m] += w1 * xk[k + m] - w2 * xk[k - m];
                            y[l][c][l - m] += w2 * xk[k + m] + w1 * xk[k - m];
                        }
                    }
                }
            }
        }
        return y;
    }

    /** D·v, or Dᵀ·v. */
    private static double[] times(double[] d, double[] v, boolean transpose) {
        int n = v.length;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                out[i] += (transpose ? d[j * n + i] : d[i * n + j]) * v[j];
            }
        }
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}

package org.attune.symmetry.e3;

import org.attune.api.tensor.InvalidInputException;

/**
 * The tensor product of Tensor Field Networks: a feature of degree l_in at a neighbour, seen along the
 * relative position r, is coupled with the filter F(r) = R(|r|)·Y^{l_f}(r/|r|) into degree l_out by
 * Clebsch–Gordan coefficients. Thomas et al., "Tensor field networks: Rotation- and translation-equivariant
 * neural networks for 3D point clouds", arXiv:1802.08219, the point-convolution layer:
 * <pre>
 *   L^{(l_out)}_{m_out}(r, V) = Σ_{m_f, m_in} C[m_f, m_in, m_out] R(|r|) Y^{l_f}_{m_f}(r/|r|) V^{(l_in)}_{m_in}
 * </pre>
 * with C the real coefficients of {@link ClebschGordan} for l_f ⊗ l_in → l_out. Equivariance:
 * L(R r, D^{l_in}(R) V) = D^{l_out}(R) L(r, V), because Y^{l_f} and V transform by D and C intertwines.
 * The radial weight R(|r|) is the caller's ({@link RadialBasis} provides bases for it).
 */
public final class TensorFieldProduct {
    private TensorFieldProduct() {
    }

    /**
     * (a ⊗ b) → degree l3 with the coefficients of {@link ClebschGordan#real}.
     *
     * @param l1 degree of a
     * @param a  2l1 + 1 values, not modified
     * @param l2 degree of b
     * @param b  2l2 + 1 values, not modified
     * @param l3 output degree, |l1 − l2| ≤ l3 ≤ l1 + l2
     * @return 2l3 + 1 values
     */
    public static double[] couple(int l1, double[] a, int l2, double[] b, int l3) {
        require("a", a, l1);
        require("b", b, l2);
        double[] c = ClebschGordan.real(l1, l2, l3);
        int d2 = 2 * l2 + 1;
        int d3 = 2 * l3 + 1;
        double[] out = new double[d3];
        for (int m1 = 0; m1 < a.length; m1++) {
            for (int m2 = 0; m2 < d2; m2++) {
                double ab = a[m1] * b[m2];
                int base = (m1 * d2 + m2) * d3;
                for (int m3 = 0; m3 < d3; m3++) {
                    out[m3] += c[base + m3] * ab;
                }
            }
        }
        return out;
    }

    /**
     * One TFN filter applied to one neighbour feature: R·(Y^{lf}(r/|r|) ⊗ v) → degree lOut.
     *
     * @param lf     filter degree
     * @param r      relative position, a non-zero 3-vector
     * @param radial R(|r|)
     * @param lIn    degree of v
     * @param v      2lIn + 1 values
     * @param lOut   output degree
     */
    public static double[] filter(int lf, double[] r, double radial, int lIn, double[] v, int lOut) {
        double[] y = SphericalHarmonics.of(lf, r);
        for (int i = 0; i < y.length; i++) {
            y[i] *= radial;
        }
        return couple(lf, y, lIn, v, lOut);
    }

    private static void require(String name, double[] x, int l) {
        if (x.length != 2 * l + 1) {
            throw new InvalidInputException(name, "expected 2l+1 = " + (2 * l + 1) + " values for degree " + l
                + ", got " + x.length);
        }
    }
}

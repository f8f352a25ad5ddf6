package org.attune.api.equivariance;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The float64 algebra of the real irreducible representations of SO(3), for steerable (E(3)) networks: their
 * basis functions (real spherical harmonics), their couplings (Clebsch–Gordan coefficients and the tensor
 * field network product), their matrices (Wigner-D), and the radial bases and S² quadratures such networks
 * combine them with. One service, implemented by the symmetry bundle; plug-ins reach it through a DS
 * reference, since they import only this API.
 *
 * <p>Conventions, shared by every operation:
 * <ul>
 * <li>Degree l has 2l + 1 real components, component m ∈ [−l, l] at index m + l.</li>
 * <li>Y^l is orthonormal on the unit sphere, ∫ Y_lm Y_l'm' dΩ = δ_ll' δ_mm', without the Condon–Shortley phase,
 * Y_lm ∝ cos(mφ) for m &gt; 0 and ∝ sin(|m|φ) for m &lt; 0 (cos θ = z/|x|, φ = atan2(y, x)); degree 1 is
 * √(3/4π)·(y, z, x)/|x|, e3nn's order. Y^l(ẑ) is non-zero only at m = 0, where it is √((2l + 1)/4π).</li>
 * <li>D^l(R) is the matrix with Y^l(R x) = D^l(R) Y^l(x) for orthogonal R; D(R₁R₂) = D(R₁)D(R₂),
 * D(Rᵀ) = D(R)ᵀ, and D^l(−R) = (−1)^l D^l(R).</li>
 * <li>C^{l₁l₂→l₃}[m₁, m₂, m₃] is the real coupling with (D^l₁ a ⊗ D^l₂ b) = D^l₃ (a ⊗ b) for rotations, where
 * (a ⊗ b)_m₃ = Σ C[m₁, m₂, m₃] a_m₁ b_m₂, with orthonormal columns and the sign making its largest entry
 * positive; non-zero only for |l₁ − l₂| ≤ l₃ ≤ l₁ + l₂.</li>
 * <li>Every array argument is read, never modified; every result is a new array.</li>
 * </ul>
 * Degrees are in [0, {@link #maxDegree()}]; a degree outside it, a triangle violation, a wrong length or a zero
 * direction is an {@link org.attune.api.tensor.InvalidInputException} naming the argument.
 */
@ProviderType
public interface IrrepAlgebra {
    /** The largest degree supported by every operation (at least 6). */
    int maxDegree();

    /**
     * Y^l of the direction of x.
     *
     * @param l degree
     * @param x a non-zero 3-vector
     * @return 2l + 1 values
     */
    double[] sphericalHarmonics(int l, double[] x);

    /**
     * The real Clebsch–Gordan coefficients for l₁ ⊗ l₂ → l₃.
     *
     * @return [2l₁+1][2l₂+1][2l₃+1] flattened row-major
     */
    double[] clebschGordan(int l1, int l2, int l3);

    /**
     * D^l(R).
     *
     * @param l        degree
     * @param rotation an orthogonal 3×3 matrix, row-major (9 values)
     * @return [2l+1][2l+1] row-major
     */
    double[] wignerD(int l, double[] rotation);

    /**
     * The coupled product (a ⊗ b)_m₃ = Σ_{m₁m₂} C^{l₁l₂→l₃}[m₁, m₂, m₃] a_m₁ b_m₂; with a = R(|r|)·Y^{l₁}(r̂) this
     * is the point convolution of Tensor Field Networks (Thomas et al., arXiv:1802.08219).
     *
     * @param a 2l₁ + 1 values
     * @param b 2l₂ + 1 values
     * @return 2l₃ + 1 values
     */
    double[] couple(int l1, double[] a, int l2, double[] b, int l3);

    /**
     * k Gaussians exp(−γ (r − μ_i)²) with centres μ_i = c·i/(k − 1) evenly spaced on [0, c] and
     * γ = ½((k − 1)/c)² (SchNet, arXiv:1706.08566).
     *
     * @param r      distance
     * @param k      number of functions, at least 1
     * @param cutoff c &gt; 0
     */
    double[] gaussianBasis(double r, int k, double cutoff);

    /**
     * k spherical Bessel functions √(2/c)·sin(nπr/c)/r, n = 1..k, orthonormal on [0, c] with weight r²
     * (DimeNet, arXiv:2003.03123); the limit √(2/c)·nπ/c at r = 0.
     */
    double[] besselBasis(double r, int k, double cutoff);

    /** ½(cos(πr/c) + 1) for r &lt; c, else 0. */
    double cosineCutoff(double r, double cutoff);

    /**
     * A product quadrature on S²: {@code latitudes} Gauss–Legendre nodes in cos θ times {@code longitudes}
     * equally spaced φ; ∫ f dΩ ≈ Σ_p w_p f(s_p) exactly for polynomials of degree ≤ min(2·latitudes − 1,
     * longitudes − 1) on the sphere. The weights sum to 4π.
     */
    Quadrature sphereGrid(int latitudes, int longitudes);

    /**
     * Points and weights of a quadrature on S².
     *
     * @param points  unit vectors, [points][3] flattened row-major
     * @param weights one per point
     */
    record Quadrature(double[] points, double[] weights) {
        /** Number of points. */
        public int size() {
            return weights.length;
        }
    }
}

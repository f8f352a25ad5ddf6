package org.attune.symmetry.e3;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.attune.api.tensor.InvalidInputException;

/**
 * Real Clebsch–Gordan coefficients C[m₁, m₂, m₃] for the real spherical harmonics of
 * {@link SphericalHarmonics}: the unique (up to sign) coupling for which
 * <pre>
 *   (a ⊗ b)_m₃ = Σ_{m₁ m₂} C[m₁, m₂, m₃] a_m₁ b_m₂
 * </pre>
 * maps degrees l₁ ⊗ l₂ to l₃ equivariantly, (D^l₁(R) a ⊗ D^l₂(R) b) = D^l₃(R)(a ⊗ b), and with orthonormal
 * columns, Σ_{m₁ m₂} C[m₁, m₂, m₃] C[m₁, m₂, m₃'] = δ_m₃m₃'. Non-zero only for |l₁ − l₂| ≤ l₃ ≤ l₁ + l₂.
 * The identity holds for rotations (SO(3)); under a reflection the coupled output has parity (−1)^{l₁+l₂},
 * which is the parity (−1)^{l₃} of {@code irrep:l₃} only when l₁ + l₂ + l₃ is even (1 ⊗ 1 → 1, the cross
 * product, is a pseudovector).
 *
 * <p>Construction: the complex coefficients ⟨l₁ μ₁ l₂ μ₂ | l₃ μ₃⟩ by Racah's formula, transformed to the
 * real basis y = U Y with U_l the unitary change of basis of {@link SphericalHarmonics}
 * (y_m = ((−1)^m Y^m + Y^{−m})/√2, y_{−m} = ((−1)^m Y^m − Y^{−m})/(i√2) for m &gt; 0):
 * C_real[m₁, m₂, m₃] = Σ U₃[m₃, μ₃] ⟨l₁ μ₁ l₂ μ₂ | l₃ μ₃⟩ conj(U₁[m₁, μ₁]) conj(U₂[m₂, μ₂]), a complex multiple
 * of a real tensor; the phase of its largest entry is divided out and the real part kept (the sign of the
 * largest entry is then positive).
 */
public final class ClebschGordan {
    private static final Map<Integer, double[]> CACHE = new ConcurrentHashMap<>();

    private ClebschGordan() {
    }

    /**
     * The real coefficients, flattened row-major [2l₁+1][2l₂+1][2l₃+1]; index m + l on each axis.
     *
     * @throws InvalidInputException when a degree is out of [0, {@value SphericalHarmonics#MAX_DEGREE}] or
     *         the triangle condition fails
     */
    public static double[] real(int l1, int l2, int l3) {
        int max = SphericalHarmonics.MAX_DEGREE;
        if (l1 < 0 || l2 < 0 || l3 < 0 || l1 > max || l2 > max || l3 > max) {
            throw new InvalidInputException("l", "expected degrees in [0, " + max + "], got " + l1 + ", " + l2 + ", " + l3);
        }
        if (l3 < Math.abs(l1 - l2) || l3 > l1 + l2) {
            throw new InvalidInputException("l3", "expected |l1 - l2| <= l3 <= l1 + l2, got " + l1 + " ⊗ " + l2 + " → " + l3);
        }
        return CACHE.computeIfAbsent((l1 * 32 + l2) * 32 + l3, key -> compute(l1, l2, l3)).clone();
    }

    private static double[] compute(int l1, int l2, int l3) {
        int d1 = 2 * l1 + 1;
        int d2 = 2 * l2 + 1;
        int d3 = 2 * l3 + 1;
        double[][] u1 = basisChange(l1);
        double[][] u2 = basisChange(l2);
        double[][] u3 = basisChange(l3);
        double[] re = new double[d1 * d2 * d3];
        double[] im = new double[d1 * d2 * d3];
        for (int m1 = 0; m1 < d1; m1++) {
            for (int m2 = 0; m2 < d2; m2++) {
                for (int m3 = 0; m3 < d3; m3++) {
                    double sr = 0;
                    double si = 0;
                    for (int mu1 = -l1; mu1 <= l1; mu1++) {
                        for (int mu2 = -l2; mu2 <= l2; mu2++) {
                            int mu3 = mu1 + mu2;
                            if (Math.abs(mu3) > l3) {
                                continue;
                            }
                            double c = complex(l1, mu1, l2, mu2, l3, mu3);
                            if (c == 0) {
                                continue;
                            }
                            // U3[m3, mu3] · conj(U1[m1, mu1]) · conj(U2[m2, mu2]) · c
                            double ar = u3[2 * m3][mu3 + l3];
                            double ai = u3[2 * m3 + 1][mu3 + l3];
                            double br = u1[2 * m1][mu1 + l1];
                            double bi = -u1[2 * m1 + 1][mu1 + l1];
                            double cr = u2[2 * m2][mu2 + l2];
                            double ci = -u2[2 * m2 + 1][mu2 + l2];
                            double abr = ar * br - ai * bi;
                            double abi = ar * bi + ai * br;
                            sr += c * (abr * cr - abi * ci);
                            si += c * (abr * ci + abi * cr);
                        }
                    }
                    int i = (m1 * d2 + m2) * d3 + m3;
                    re[i] = sr;
                    im[i] = si;
                }
            }
        }
        int big = 0;
        for (int i = 0; i < re.length; i++) {
            if (Math.hypot(re[i], im[i]) > Math.hypot(re[big], im[big])) {
                big = i;
            }
        }
        double norm = Math.hypot(re[big], im[big]);
        double pr = re[big] / norm;
        double pi = im[big] / norm;
        double[] out = new double[re.length];
        for (int i = 0; i < re.length; i++) {
            out[i] = re[i] * pr + im[i] * pi; // Re(z · conj(phase))
        }
        return out;
    }

    /**
     * U_l as rows 2m (real parts) and 2m + 1 (imaginary parts), m = real index 0..2l, columns μ + l:
     * the real harmonic y_m = Σ_μ U[m, μ] Y^μ.
     */
    static double[][] basisChange(int l) {
        int d = 2 * l + 1;
        double[][] u = new double[2 * d][d];
        double h = Math.sqrt(0.5);
        u[2 * l][l] = 1;
        for (int m = 1; m <= l; m++) {
            double sign = m % 2 == 0 ? 1 : -1;
            // y_m = ((-1)^m Y^m + Y^-m)/√2
            u[2 * (l + m)][l + m] = sign * h;
            u[2 * (l + m)][l - m] = h;
            // y_-m = ((-1)^m Y^m - Y^-m)/(i√2) = -i(-1)^m/√2 Y^m + i/√2 Y^-m
            u[2 * (l - m) + 1][l + m] = -sign * h;
            u[2 * (l - m) + 1][l - m] = h;
        }
        return u;
    }

    /** ⟨j₁ m₁ j₂ m₂ | J M⟩ by Racah's formula (integer angular momenta). */
    static double complex(int j1, int m1, int j2, int m2, int j, int m) {
        if (m != m1 + m2 || Math.abs(m1) > j1 || Math.abs(m2) > j2 || Math.abs(m) > j) {
            return 0;
        }
        double pre = Math.sqrt((2 * j + 1) * f(j + j1 - j2) * f(j - j1 + j2) * f(j1 + j2 - j) / f(j1 + j2 + j + 1))
            * Math.sqrt(f(j + m) * f(j - m) * f(j1 - m1) * f(j1 + m1) * f(j2 - m2) * f(j2 + m2));
        double sum = 0;
        for (int k = 0; k <= j1 + j2 - j; k++) {
            int a = j1 - m1 - k;
            int b = j2 + m2 - k;
            int c = j - j2 + m1 + k;
            int e = j - j1 - m2 + k;
            if (a < 0 || b < 0 || c < 0 || e < 0) {
                continue;
            }
            sum += (k % 2 == 0 ? 1 : -1) / (f(k) * f(j1 + j2 - j - k) * f(a) * f(b) * f(c) * f(e));
        }
        return pre * sum;
    }

    private static double f(int n) {
        double r = 1;
        for (int i = 2; i <= n; i++) {
            r *= i;
        }
        return r;
    }
}

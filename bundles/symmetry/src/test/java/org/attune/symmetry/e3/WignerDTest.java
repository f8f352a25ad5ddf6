package org.attune.symmetry.e3;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * The properties e3nn's {@code wigner_D} states and tests: D(R)·Y(x) = Y(R·x), D(R₁R₂) = D(R₁)D(R₂),
 * D(R⁻¹) = D(R)ᵀ, D(I) = I; plus the parity of improper rotations. Degrees 0..6, float64, tolerance 1e-12.
 */
class WignerDTest {
    static final double TOL = 1e-12;

    static double[] rotation(SplittableRandom r, boolean proper) {
        // Haar via a random unit quaternion; an improper one is −R
        double[] q = new double[4];
        double n = 0;
        for (int i = 0; i < 4; i++) {
            double u = 1 - r.nextDouble();
            q[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
            n += q[i] * q[i];
        }
        n = Math.sqrt(n);
        double w = q[0] / n;
        double x = q[1] / n;
        double y = q[2] / n;
        double z = q[3] / n;
        double s = proper ? 1 : -1;
        return new double[] {
            s * (1 - 2 * (y * y + z * z)), s * 2 * (x * y - z * w), s * 2 * (x * z + y * w),
            s * 2 * (x * y + z * w), s * (1 - 2 * (x * x + z * z)), s * 2 * (y * z - x * w),
            s * 2 * (x * z - y * w), s * 2 * (y * z + x * w), s * (1 - 2 * (x * x + y * y))};
    }

    static double[] mul(double[] a, double[] b, int d) {
        double[] c = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int k = 0; k < d; k++) {
                for (int j = 0; j < d; j++) {
                    c[i * d + j] += a[i * d + k] * b[k * d + j];
                }
            }
        }
        return c;
    }

    static double[] apply(double[] a, double[] v) {
        int d = v.length;
        double[] out = new double[d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                out[i] += a[i * d + j] * v[j];
            }
        }
        return out;
    }

    @Test
    void rotatesSphericalHarmonics() {
        SplittableRandom r = new SplittableRandom(11);
        for (int l = 0; l <= 6; l++) {
            for (int t = 0; t < 10; t++) {
                double[] rot = rotation(r, t % 2 == 0);
                double[] x = {r.nextDouble(-1, 1), r.nextDouble(-1, 1), r.nextDouble(-1, 1)};
                double[] lhs = apply(WignerD.matrix(l, rot), SphericalHarmonics.of(l, x));
                double[] rhs = SphericalHarmonics.of(l, apply(rot, x));
                for (int m = 0; m <= 2 * l; m++) {
                    assertEquals(rhs[m], lhs[m], TOL, "l=" + l + " m=" + m);
                }
            }
        }
    }

    @Test
    void isAHomomorphismWithTransposeInverse() {
        SplittableRandom r = new SplittableRandom(12);
        for (int l = 0; l <= 6; l++) {
            int d = 2 * l + 1;
            double[] r1 = rotation(r, true);
            double[] r2 = rotation(r, l % 2 == 0);
            double[] d12 = WignerD.matrix(l, mul(r1, r2, 3));
            double[] d1d2 = mul(WignerD.matrix(l, r1), WignerD.matrix(l, r2), d);
            double[] r1t = new double[9];
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    r1t[j * 3 + i] = r1[i * 3 + j];
                }
            }
            double[] dInv = WignerD.matrix(l, r1t);
            double[] dR1 = WignerD.matrix(l, r1);
            double[] eye = WignerD.matrix(l, new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1});
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    assertEquals(d1d2[i * d + j], d12[i * d + j], TOL, "D(R1R2) l=" + l);
                    assertEquals(dR1[j * d + i], dInv[i * d + j], TOL, "D(R^-1) l=" + l);
                    assertEquals(i == j ? 1 : 0, eye[i * d + j], TOL, "D(I) l=" + l);
                }
            }
        }
    }

    @Test
    void improperRotationsCarryParity() {
        SplittableRandom r = new SplittableRandom(13);
        double[] rot = rotation(r, true);
        double[] minus = new double[9];
        for (int i = 0; i < 9; i++) {
            minus[i] = -rot[i];
        }
        for (int l = 0; l <= 6; l++) {
            double[] a = WignerD.matrix(l, rot);
            double[] b = WignerD.matrix(l, minus);
            for (int i = 0; i < a.length; i++) {
                assertEquals((l % 2 == 0 ? 1 : -1) * a[i], b[i], TOL);
            }
        }
    }
}

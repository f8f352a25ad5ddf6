package org.attune.symmetry.e3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.attune.api.tensor.InvalidInputException;
import org.junit.jupiter.api.Test;

/**
 * Real Clebsch–Gordan coefficients: equivariance (D¹a ⊗ D²b) = D³(a ⊗ b) for every l₁, l₂ ≤ 3 and every
 * allowed l₃ (and a sample at degree 6) under rotations, and under reflections exactly when l₁ + l₂ + l₃ is
 * even (otherwise the output is a pseudotensor and flips sign), orthonormal columns, the textbook complex values, and the 1 ⊗ 1 → 1
 * coupling being the cross product. Float64, tolerance 1e-12. The TFN filter is checked the same way.
 */
class ClebschGordanTest {
    static final double TOL = 1e-12;

    static double[] random(SplittableRandom r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextDouble(-1, 1);
        }
        return v;
    }

    static void assertEquivariant(int l1, int l2, int l3, SplittableRandom r) {
        boolean proper = r.nextBoolean();
        double[] rot = WignerDTest.rotation(r, proper);
        double parity = proper || (l1 + l2 + l3) % 2 == 0 ? 1 : -1;
        double[] a = random(r, 2 * l1 + 1);
        double[] b = random(r, 2 * l2 + 1);
        double[] lhs = TensorFieldProduct.couple(l1, WignerDTest.apply(WignerD.matrix(l1, rot), a),
            l2, WignerDTest.apply(WignerD.matrix(l2, rot), b), l3);
        double[] rhs = WignerDTest.apply(WignerD.matrix(l3, rot), TensorFieldProduct.couple(l1, a, l2, b, l3));
        for (int m = 0; m < rhs.length; m++) {
            assertEquals(parity * rhs[m], lhs[m], TOL, l1 + "⊗" + l2 + "→" + l3 + " m=" + m);
        }
    }

    @Test
    void couplingIsEquivariant() {
        SplittableRandom r = new SplittableRandom(21);
        for (int l1 = 0; l1 <= 3; l1++) {
            for (int l2 = 0; l2 <= 3; l2++) {
                for (int l3 = Math.abs(l1 - l2); l3 <= l1 + l2; l3++) {
                    assertEquivariant(l1, l2, l3, r);
                }
            }
        }
        assertEquivariant(6, 6, 6, r);
        assertEquivariant(6, 3, 4, r);
        assertEquivariant(2, 4, 6, r);
    }

    @Test
    void columnsAreOrthonormal() {
        for (int[] l : new int[][] {{1, 1, 0}, {1, 1, 1}, {1, 1, 2}, {2, 3, 3}, {3, 3, 6}, {6, 6, 1}}) {
            double[] c = ClebschGordan.real(l[0], l[1], l[2]);
            int d12 = (2 * l[0] + 1) * (2 * l[1] + 1);
            int d3 = 2 * l[2] + 1;
            for (int i = 0; i < d3; i++) {
                for (int j = 0; j < d3; j++) {
                    double s = 0;
                    for (int k = 0; k < d12; k++) {
                        s += c[k * d3 + i] * c[k * d3 + j];
                    }
                    assertEquals(i == j ? 1 : 0, s, TOL, java.util.Arrays.toString(l));
                }
            }
        }
    }

    @Test
    void complexCoefficientsMatchTextbookValues() {
        assertEquals(Math.sqrt(2.0 / 3), ClebschGordan.complex(1, 0, 1, 0, 2, 0), TOL);
        assertEquals(-Math.sqrt(1.0 / 3), ClebschGordan.complex(1, 0, 1, 0, 0, 0), TOL);
        assertEquals(Math.sqrt(1.0 / 3), ClebschGordan.complex(1, 1, 1, -1, 0, 0), TOL);
        assertEquals(Math.sqrt(0.5), ClebschGordan.complex(1, 1, 1, -1, 1, 0), TOL);
        assertEquals(1, ClebschGordan.complex(2, 2, 1, 1, 3, 3), TOL);
        assertEquals(0, ClebschGordan.complex(1, 0, 1, 0, 1, 0), TOL);
    }

    @Test
    void oneTimesOneToOneIsTheCrossProduct() {
        // degree-1 components are (y, z, x); the coupling is ± (a × b)/√2 in that order
        SplittableRandom r = new SplittableRandom(22);
        double[] a = random(r, 3);
        double[] b = random(r, 3);
        double[] ax = {a[2], a[0], a[1]};
        double[] bx = {b[2], b[0], b[1]};
        double[] cross = {ax[1] * bx[2] - ax[2] * bx[1], ax[2] * bx[0] - ax[0] * bx[2], ax[0] * bx[1] - ax[1] * bx[0]};
        double[] expected = {cross[1] / Math.sqrt(2), cross[2] / Math.sqrt(2), cross[0] / Math.sqrt(2)};
        double[] got = TensorFieldProduct.couple(1, a, 1, b, 1);
        double sign = Math.signum(got[0] * expected[0] + got[1] * expected[1] + got[2] * expected[2]);
        for (int i = 0; i < 3; i++) {
            assertEquals(expected[i], sign * got[i], TOL);
        }
        // 1 ⊗ 1 → 0 is ± a·b/√3
        double dot = a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
        assertEquals(dot / Math.sqrt(3), Math.abs(TensorFieldProduct.couple(1, a, 1, b, 0)[0]) * Math.signum(dot), TOL);
    }

    @Test
    void tensorFieldFilterIsEquivariant() {
        SplittableRandom r = new SplittableRandom(23);
        for (int lf = 0; lf <= 2; lf++) {
            for (int lIn = 0; lIn <= 2; lIn++) {
                for (int lOut = Math.abs(lf - lIn); lOut <= lf + lIn; lOut++) {
                    double[] rot = WignerDTest.rotation(r, true);
                    double[] pos = random(r, 3);
                    double[] v = random(r, 2 * lIn + 1);
                    double radial = RadialBasis.bessel(Math.sqrt(pos[0] * pos[0] + pos[1] * pos[1] + pos[2] * pos[2]), 3, 2.0)[1];
                    double[] lhs = TensorFieldProduct.filter(lf, WignerDTest.apply(rot, pos), radial, lIn,
                        WignerDTest.apply(WignerD.matrix(lIn, rot), v), lOut);
                    double[] rhs = WignerDTest.apply(WignerD.matrix(lOut, rot),
                        TensorFieldProduct.filter(lf, pos, radial, lIn, v, lOut));
                    for (int m = 0; m < rhs.length; m++) {
                        assertEquals(rhs[m], lhs[m], TOL);
                    }
                    assertTrue(lf + lIn == 0 || java.util.Arrays.stream(rhs).anyMatch(x -> Math.abs(x) > 1e-6));
                }
            }
        }
    }

    @Test
    void rejectsDegreesOutsideTheTriangle() {
        assertEquals("l3", assertThrows(InvalidInputException.class, () -> ClebschGordan.real(1, 1, 3)).argument());
        assertEquals("a", assertThrows(InvalidInputException.class,
            () -> TensorFieldProduct.couple(1, new double[2], 1, new double[3], 1)).argument());
    }
}

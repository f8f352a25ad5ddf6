package org.attune.symmetry.e3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;

import org.attune.api.tensor.InvalidInputException;
import org.junit.jupiter.api.Test;

/** Orthonormality, parity, closed forms for l ≤ 2, and the quadrature grid's exactness. */
class SphericalHarmonicsTest {
    static final double TOL = 1e-13;

    @Test
    void areOrthonormalUpToDegreeSix() {
        SphereGrid grid = SphereGrid.exactFor(12);
        for (int l1 = 0; l1 <= 6; l1++) {
            for (int l2 = 0; l2 <= 6; l2++) {
                for (int m1 = 0; m1 <= 2 * l1; m1++) {
                    for (int m2 = 0; m2 <= 2 * l2; m2++) {
                        int a = l1;
                        int b = l2;
                        int i = m1;
                        int j = m2;
                        double v = grid.integrate(x -> SphericalHarmonics.of(a, x)[i] * SphericalHarmonics.of(b, x)[j]);
                        assertEquals(l1 == l2 && m1 == m2 ? 1 : 0, v, TOL, "l=" + l1 + "," + l2 + " m=" + m1 + "," + m2);
                    }
                }
            }
        }
    }

    @Test
    void parityIsMinusOneToTheL() {
        SplittableRandom r = new SplittableRandom(1);
        for (int l = 0; l <= 6; l++) {
            double[] x = {r.nextDouble(-1, 1), r.nextDouble(-1, 1), r.nextDouble(-1, 1)};
            double[] y = SphericalHarmonics.of(l, x);
            double[] yMinus = SphericalHarmonics.of(l, new double[] {-x[0], -x[1], -x[2]});
            for (int m = 0; m < y.length; m++) {
                assertEquals((l % 2 == 0 ? 1 : -1) * y[m], yMinus[m], TOL);
            }
        }
    }

    @Test
    void matchTheClosedFormsOfDegreesOneAndTwo() {
        double[] v = {0.3, -1.2, 0.7};
        double r = Math.sqrt(0.09 + 1.44 + 0.49);
        double x = v[0] / r;
        double y = v[1] / r;
        double z = v[2] / r;
        double c1 = Math.sqrt(3 / (4 * Math.PI));
        assertArrayEquals(new double[] {c1 * y, c1 * z, c1 * x}, SphericalHarmonics.of(1, v), TOL);
        double c2 = 0.5 * Math.sqrt(15 / Math.PI);
        double c20 = 0.25 * Math.sqrt(5 / Math.PI);
        assertArrayEquals(new double[] {c2 * x * y, c2 * y * z, c20 * (3 * z * z - 1), c2 * x * z,
            0.5 * c2 * (x * x - y * y)}, SphericalHarmonics.of(2, v), TOL);
        assertArrayEquals(new double[] {0.5 / Math.sqrt(Math.PI)}, SphericalHarmonics.of(0, v), TOL);
    }

    @Test
    void rejectsTheZeroVectorAndBadDegrees() {
        assertEquals("x", assertThrows(InvalidInputException.class,
            () -> SphericalHarmonics.of(1, new double[3])).argument());
        assertEquals("l", assertThrows(InvalidInputException.class,
            () -> SphericalHarmonics.of(-1, new double[] {1, 0, 0})).argument());
    }

    @Test
    void gridIntegratesPolynomialsExactlyToItsDegree() {
        SphereGrid grid = SphereGrid.exactFor(8);
        assertEquals(4 * Math.PI, grid.integrate(x -> 1), TOL);
        assertEquals(4 * Math.PI / 3, grid.integrate(x -> x[2] * x[2]), TOL);
        // ∫ x²y²z² dΩ = 4π/105, ∫ x⁴ dΩ = 4π/5, ∫ z⁸ dΩ = 4π/9
        assertEquals(4 * Math.PI / 105, grid.integrate(p -> p[0] * p[0] * p[1] * p[1] * p[2] * p[2]), TOL);
        assertEquals(4 * Math.PI / 5, grid.integrate(p -> Math.pow(p[0], 4)), TOL);
        assertEquals(4 * Math.PI / 9, grid.integrate(p -> Math.pow(p[2], 8)), TOL);
        assertEquals(0, grid.integrate(p -> p[0] * p[1] * p[1] * p[2]), TOL);
    }
}

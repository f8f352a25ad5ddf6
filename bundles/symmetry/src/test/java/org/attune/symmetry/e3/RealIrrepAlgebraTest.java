package org.attune.symmetry.e3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;

import org.attune.api.equivariance.IrrepAlgebra;
import org.attune.api.tensor.InvalidInputException;
import org.junit.jupiter.api.Test;

/**
 * The service states the conventions of {@link IrrepAlgebra}: it must return exactly what the private blocks
 * return, Y^l(ẑ) = √((2l+1)/4π)·δ_m0, the TFN product Y ⊗ v intertwines D, the quadrature weights sum to 4π,
 * and bad arguments are named. Float64, tolerance 1e-12.
 */
class RealIrrepAlgebraTest {
    final IrrepAlgebra algebra = new RealIrrepAlgebra();

    @Test
    void delegatesToTheBlocksOfThisPackage() {
        double[] x = {0.3, -0.7, 0.2};
        double[] r = WignerDTest.rotation(new SplittableRandom(3), true);
        for (int l = 0; l <= 3; l++) {
            assertArrayEquals(SphericalHarmonics.of(l, x), algebra.sphericalHarmonics(l, x), 0);
            assertArrayEquals(WignerD.matrix(l, r), algebra.wignerD(l, r), 0);
            assertArrayEquals(ClebschGordan.real(1, l + 1, l), algebra.clebschGordan(1, l + 1, l), 0);
        }
        assertArrayEquals(RadialBasis.gaussian(0.4, 5, 2), algebra.gaussianBasis(0.4, 5, 2), 0);
        assertArrayEquals(RadialBasis.bessel(0.4, 5, 2), algebra.besselBasis(0.4, 5, 2), 0);
        assertEquals(RadialBasis.cosineCutoff(0.4, 2), algebra.cosineCutoff(0.4, 2), 0);
        assertEquals(SphericalHarmonics.MAX_DEGREE, algebra.maxDegree());
    }

    @Test
    void harmonicsOnTheZAxisLiveAtMZero() {
        for (int l = 0; l <= 6; l++) {
            double[] y = algebra.sphericalHarmonics(l, new double[] {0, 0, 2.5});
            for (int m = -l; m <= l; m++) {
                assertEquals(m == 0 ? Math.sqrt((2 * l + 1) / (4 * Math.PI)) : 0, y[m + l], 1e-12, "l=" + l + " m=" + m);
            }
        }
    }

    @Test
    void coupledProductIntertwinesTheWignerMatrices() {
        SplittableRandom random = new SplittableRandom(5);
        double[] r = WignerDTest.rotation(random, true);
        double[] v = {random.nextDouble(), random.nextDouble(), random.nextDouble(), random.nextDouble(), random.nextDouble()};
        double[] x = {0.5, 0.1, -0.8};
        double[] rx = {r[0] * x[0] + r[1] * x[1] + r[2] * x[2], r[3] * x[0] + r[4] * x[1] + r[5] * x[2],
            r[6] * x[0] + r[7] * x[1] + r[8] * x[2]};
        for (int lOut = 1; lOut <= 3; lOut++) {
            double[] moved = algebra.couple(1, algebra.sphericalHarmonics(1, rx), 2, apply(algebra.wignerD(2, r), v), lOut);
            double[] expected = apply(algebra.wignerD(lOut, r), algebra.couple(1, algebra.sphericalHarmonics(1, x), 2, v, lOut));
            assertArrayEquals(expected, moved, 1e-12);
        }
    }

    @Test
    void quadratureWeightsSumToTheSphereArea() {
        IrrepAlgebra.Quadrature q = algebra.sphereGrid(4, 7);
        assertEquals(28, q.size());
        assertEquals(84, q.points().length);
        double s = 0;
        for (double w : q.weights()) {
            s += w;
        }
        assertEquals(4 * Math.PI, s, 1e-12);
        assertEquals(1, Math.hypot(Math.hypot(q.points()[0], q.points()[1]), q.points()[2]), 1e-15);
    }

    @Test
    void rejectsBadArgumentsNamingThem() {
        assertEquals("l3", assertThrows(InvalidInputException.class, () -> algebra.clebschGordan(1, 1, 3)).argument());
        assertEquals("x", assertThrows(InvalidInputException.class,
            () -> algebra.sphericalHarmonics(1, new double[] {0, 0, 0})).argument());
        assertEquals("r", assertThrows(InvalidInputException.class, () -> algebra.wignerD(1, new double[4])).argument());
        assertEquals("b", assertThrows(InvalidInputException.class,
            () -> algebra.couple(1, new double[3], 1, new double[2], 1)).argument());
    }

    static double[] apply(double[] d, double[] v) {
        int n = v.length;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                out[i] += d[i * n + j] * v[j];
            }
        }
        return out;
    }
}

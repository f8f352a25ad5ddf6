package org.attune.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@link NormalCdf} against tabulated values and an independent quadrature. */
class NormalCdfTest {
    /**
     * Φ(x) by composite Simpson quadrature of the density e^{−t²/2}/√(2π) over [x − 12, x] (x ≤ 0) or
     * 1 − the same over [x, x + 12]; 20 000 panels give about 1e-15 absolute accuracy.
     */
    static double phiByIntegration(double x) {
        double lo = x <= 0 ? x - 12 : x;
        double hi = x <= 0 ? x : x + 12;
        int n = 20_000;
        double h = (hi - lo) / n;
        double s = density(lo) + density(hi);
        for (int i = 1; i < n; i++) {
            s += (i % 2 == 1 ? 4 : 2) * density(lo + i * h);
        }
        double integral = s * h / 3;
        return x <= 0 ? integral : 1 - integral;
    }

    private static double density(double t) {
        return Math.exp(-t * t / 2) / Math.sqrt(2 * Math.PI);
    }

    @Test
    void matchesTabulatedValuesInBothTails() {
        assertEquals(0.5, NormalCdf.phi(0), 0.0);
        assertEquals(0.8413447460685429, NormalCdf.phi(1), 2e-16);
        assertEquals(0.15865525393145707, NormalCdf.phi(-1), 2e-16);
        assertEquals(0.9772498680518208, NormalCdf.phi(2), 2e-16);
        assertEquals(2.866515718791939e-7, NormalCdf.phi(-5), 1e-13 * 2.866515718791939e-7);
        assertEquals(7.61985302416047e-24, NormalCdf.phi(-10), 1e-12 * 7.61985302416047e-24);
    }

    @Test
    void isContinuousWhereTheSeriesHandsOverToTheContinuedFraction() {
        double z = 2.5;
        assertEquals(NormalCdf.erfc(Math.nextDown(z)), NormalCdf.erfc(z), 1e-16);
        for (double x = -8; x <= 8; x += 0.37) {
            double ref = phiByIntegration(x);
            assertEquals(ref, NormalCdf.phi(x), 1e-13 * Math.max(ref, 1e-3), "Φ(" + x + ")");
        }
    }
}

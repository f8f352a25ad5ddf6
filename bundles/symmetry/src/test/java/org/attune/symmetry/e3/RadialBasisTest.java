package org.attune.symmetry.e3;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Radial bases: Bessel orthonormality with weight r², Gaussian centres, the cosine cutoff's values. */
class RadialBasisTest {
    @Test
    void besselBasisIsOrthonormalWithWeightRSquared() {
        double c = 2.5;
        int k = 5;
        int steps = 20_000;
        double h = c / steps;
        double[][] gram = new double[k][k];
        for (int s = 0; s <= steps; s++) {
            double r = s * h;
            double w = (s == 0 || s == steps ? 1 : s % 2 == 1 ? 4 : 2) * h / 3; // Simpson
            double[] e = RadialBasis.bessel(r, k, c);
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    gram[i][j] += w * e[i] * e[j] * r * r;
                }
            }
        }
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                assertEquals(i == j ? 1 : 0, gram[i][j], 1e-10);
            }
        }
    }

    @Test
    void gaussiansPeakAtEvenlySpacedCentres() {
        double[] at = RadialBasis.gaussian(1.5, 5, 3.0);
        assertEquals(1, at[2], 1e-15);
        assertEquals(Math.exp(-0.5), at[1], 1e-15);
        assertEquals(Math.exp(-0.5), at[3], 1e-15);
    }

    @Test
    void cosineCutoffFallsFromOneToZero() {
        assertEquals(1, RadialBasis.cosineCutoff(0, 2), 1e-15);
        assertEquals(0.5, RadialBasis.cosineCutoff(1, 2), 1e-15);
        assertEquals(0, RadialBasis.cosineCutoff(2, 2), 1e-15);
        assertEquals(0, RadialBasis.cosineCutoff(3, 2), 1e-15);
    }
}

package org.attune.positional.bias;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class GaussianCdfTest {

    /**
     * Reference values of erfc (scipy.special, float64): relative 1e-13 where the series is subtracted from 1
     * (z &lt; 2.5), 1e-15 in the continued-fraction tail.
     */
    @Test
    void matchesErfcInTheBodyAndBothTails() {
        double[][] erfc = {{0, 1}, {0.5, 0.4795001221869535}, {1, 0.15729920705028513},
            {2, 0.004677734981047266}, {3, 2.209049699858544e-05}, {5, 1.5374597944280349e-12},
            {-1, 1.8427007929497148}};
        for (double[] c : erfc) {
            assertEquals(c[1], GaussianCdf.erfc(c[0]), (c[0] < 2.5 ? 1e-13 : 1e-15) * c[1], "erfc(" + c[0] + ")");
        }
    }

    /** GELU(x) = x·Φ(x): Φ(±1) from the normal table, GELU(−10) ≈ −10·7.6e−24 (no cancellation). */
    @Test
    void geluIsXTimesTheNormalCdf() {
        assertEquals(0.8413447460685429, GaussianCdf.gelu(1), 1e-15);
        assertEquals(-0.15865525393145707, GaussianCdf.gelu(-1), 1e-15);
        assertEquals(0, GaussianCdf.gelu(0), 0);
        assertEquals(-10 * 7.619853024160527e-24, GaussianCdf.gelu(-10), 1e-36);
    }
}

package org.attune.positional.bias;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.attune.api.position.EncodingForm;
import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.SymmetryCertificate;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;

class AlibiTest extends EncodingContract {

    @Override
    PositionalEncoding method() {
        return new Alibi();
    }

    @Override
    EncodingForm form() {
        return EncodingForm.BIAS;
    }

    @Override
    List<String> claims() {
        return List.of(SymmetryCertificate.RELATIVE, SymmetryCertificate.SYMMETRIC);
    }

    /** Press et al. §3: 8 heads give 1/2, 1/4, …, 1/256. */
    @Test
    void slopesOfAPowerOfTwoAreTheGeometricSequence() {
        assertArrayEquals(new double[] {0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.0078125, 0.00390625},
            AlibiSlopes.of(8), 0);
    }

    /** Reference {@code get_slopes(12)} and {@code get_slopes(6)}, printed by the reference code in float64. */
    @Test
    void slopesOfOtherHeadCountsInterleaveTheNextPowerOfTwo() {
        assertArrayEquals(new double[] {0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.0078125, 0.00390625,
            0.7071067811865476, 0.35355339059327384, 0.17677669529663692, 0.08838834764831849}, AlibiSlopes.of(12), 1e-16);
        assertArrayEquals(new double[] {0.25, 0.0625, 0.015625, 0.00390625, 0.5, 0.125}, AlibiSlopes.of(6), 1e-16);
        assertArrayEquals(new double[] {Math.pow(2, -8)}, AlibiSlopes.of(1), 0);
    }

    @Test
    void causalBiasIsMinusSlopeTimesDistanceFromTheQuery() {
        Tensor b = method().encode(PositionalCall.bias(3, 5, 7, true).withOffsets(10, 8), Fixtures.BACKEND).bias();
        assertArrayEquals(new int[] {3, 5, 7}, b.shape());
        double[] m = AlibiSlopes.of(3);
        for (int h = 0; h < 3; h++) {
            for (int i = 0; i < 5; i++) {
                for (int j = 0; j < 7; j++) {
                    assertEquals(-m[h] * ((10 + i) - (8 + j)), b.get(h, i, j), 0, "h=" + h + " i=" + i + " j=" + j);
                }
            }
        }
    }

    @Test
    void symmetricBiasIsMinusSlopeTimesAbsoluteDistance() {
        Tensor b = method().encode(PositionalCall.bias(12, 6, 6, false), Fixtures.BACKEND).bias();
        double[] m = AlibiSlopes.of(12);
        for (int h = 0; h < 12; h++) {
            for (int i = 0; i < 6; i++) {
                for (int j = 0; j < 6; j++) {
                    assertEquals(-m[h] * Math.abs(i - j), b.get(h, i, j), 0);
                }
            }
        }
    }
}

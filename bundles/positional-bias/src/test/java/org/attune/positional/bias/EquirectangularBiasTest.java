package org.attune.positional.bias;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.attune.api.position.EncodingForm;
import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.SymmetryCertificate;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;

class EquirectangularBiasTest extends EncodingContract {

    @Override
    PositionalEncoding method() {
        return new EquirectangularBias();
    }

    @Override
    EncodingForm form() {
        return EncodingForm.BIAS;
    }

    @Override
    List<String> claims() {
        return List.of(SymmetryCertificate.RELATIVE, SymmetryCertificate.SYMMETRIC + "(signed=false)");
    }

    private Tensor bias(int n, Map<String, String> params) {
        return method().encode(PositionalCall.bias(2, n, n, false).withParams(params), Fixtures.BACKEND).bias();
    }

    /** The reference's VRPE: angles linspace(0, H, H)·π/H, base = θⱼ − θᵢ, pn·√(2(1 − cos base)), times 0.1. */
    @Test
    void verticalBiasIsTheReferenceVrpe() {
        int n = 7;
        Tensor b = bias(n, Map.of());
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double base = linspace(n, j) * Math.PI / n - linspace(n, i) * Math.PI / n;
                double pn = base > 0 ? 1 : -1;
                double expected = 0.1 * pn * Math.sqrt(2 * (1 - Math.cos(base)));
                for (int h = 0; h < 2; h++) {
                    assertEquals(expected, b.get(h, i, j), 1e-7 * Math.abs(expected) + 1e-8, "i=" + i + " j=" + j);
                }
            }
        }
    }

    /**
     * The reference's HRPE in row k of an image of height Hᵢ: angles linspace(0, W, W)·2π/W, the chord scaled by
     * sin(kπ/Hᵢ). √(2(1 − cos x)) loses half the digits near x = 0, hence the tolerance.
     */
    @Test
    void horizontalBiasIsTheReferenceHrpeWeightedByLatitude() {
        int n = 8, height = 6, row = 2;
        Tensor b = bias(n, Map.of("direction", "horizontal", "height", "" + height, "row", "" + row, "level", "0.3"));
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double base = linspace(n, j) * 2 * Math.PI / n - linspace(n, i) * 2 * Math.PI / n;
                double pn = base > 0 ? 1 : -1;
                double expected = 0.3 * pn * Math.sin(row * Math.PI / height) * Math.sqrt(2 * (1 - Math.cos(base)));
                assertEquals(expected, b.get(1, i, j), 1e-7 * Math.abs(expected) + 1e-8, "i=" + i + " j=" + j);
            }
        }
    }

    /** torch.linspace(0, n, n)[j]. */
    private static double linspace(int n, int j) {
        return j * (double) n / (n - 1);
    }

    /** Signed: antisymmetric; unsigned: symmetric and, horizontally, periodic in j with period n − 1 (full turn). */
    @Test
    void signedBiasIsAntisymmetricAndUnsignedHorizontalBiasWrapsAround() {
        Tensor s = bias(9, Map.of());
        for (int i = 0; i < 9; i++) {
            for (int j = 0; j < 9; j++) {
                assertEquals(-s.get(0, j, i), s.get(0, i, j), 1e-15);
            }
        }
        int n = 9;
        Tensor wide = method().encode(PositionalCall.bias(1, n, 2 * n, false).withParams(Map.of("direction",
            "horizontal", "signed", "false", "length", "" + n)), Fixtures.BACKEND).bias();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j + n - 1 < 2 * n; j++) {
                assertEquals(wide.get(0, i, j), wide.get(0, i, j + n - 1), 1e-15, "i=" + i + " j=" + j);
            }
        }
    }

    @Test
    void rejectsBadOptions() {
        Fixtures.assertArgument("--pe-option direction", () -> bias(4, Map.of("direction", "diagonal")));
        Fixtures.assertArgument("--pe-option row", () -> bias(4, Map.of("height", "4", "row", "4")));
        Fixtures.assertArgument("--pe-option length", () -> bias(4, Map.of("length", "1")));
    }
}

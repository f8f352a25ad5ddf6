package org.attune.positional.bias;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.attune.api.position.EncodingForm;
import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.SymmetryCertificate;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SinusoidalPositionEncodingTest extends EncodingContract {

    @Override
    PositionalEncoding method() {
        return new SinusoidalPositionEncoding();
    }

    @Override
    EncodingForm form() {
        return EncodingForm.ABSOLUTE;
    }

    @Override
    List<String> claims() {
        return List.of(SymmetryCertificate.LINEAR);
    }

    /** Vaswani §3.5 over the embedding x[b, n, h·D + e]: PE(pos, 2i) = sin(pos/10000^(2i/E)), cos at 2i+1. */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesFloat64Reference(DType dtype) {
        Fixtures f = new Fixtures(70);
        Tensor q = f.uniform(dtype, 2, 3, 63, 10), k = f.uniform(dtype, 2, 3, 40, 10);
        Tensor out = method().encode(PositionalCall.tokens(q, k).withOffsets(500, 0), Fixtures.BACKEND).q();
        int width = 30;
        double[] expected = new double[q.size()];
        int flat = 0;
        for (int b = 0; b < 2; b++) {
            for (int h = 0; h < 3; h++) {
                for (int n = 0; n < 63; n++) {
                    for (int e = 0; e < 10; e++, flat++) {
                        int c = h * 10 + e, i = c / 2;
                        double pos = 500 + n;
                        double pe = c % 2 == 0 ? Math.sin(pos / Math.pow(10000, 2.0 * i / width))
                            : Math.cos(pos / Math.pow(10000, 2.0 * i / width));
                        expected[flat] = q.getFlat(flat) + pe;
                    }
                }
            }
        }
        Fixtures.assertClose("q + PE", expected, out, Fixtures.tolerance(dtype));
    }

    /** PE(p + k) = M(k)·PE(p): each (sin, cos) pair rotates by k·ωᵢ, whatever p. */
    @Test
    void satisfiesTheLinearOffsetProperty() {
        int width = 32;
        Tensor zeros = Tensor.zeros(DType.FLOAT64, 1, 1, 1, width);
        for (int p : new int[] {0, 3, 1000, 1_000_000}) {
            for (int k : new int[] {1, 17, 250}) {
                Tensor at = method().encode(PositionalCall.tokens(zeros, zeros).withOffsets(p, p), Fixtures.BACKEND).q();
                Tensor later = method().encode(PositionalCall.tokens(zeros, zeros).withOffsets(p + k, p + k),
                    Fixtures.BACKEND).q();
                for (int i = 0; i < width / 2; i++) {
                    double w = Math.pow(10000, -2.0 * i / width);
                    double sin = at.getFlat(2 * i), cos = at.getFlat(2 * i + 1);
                    // sin(a + b) = sin a cos b + cos a sin b;  cos(a + b) = cos a cos b − sin a sin b
                    assertEquals(sin * Math.cos(k * w) + cos * Math.sin(k * w), later.getFlat(2 * i), 1e-9, "p=" + p + " k=" + k);
                    assertEquals(cos * Math.cos(k * w) - sin * Math.sin(k * w), later.getFlat(2 * i + 1), 1e-9);
                }
            }
        }
    }

    @Test
    void rejectsAnOddEmbeddingWidth() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 1, 4, 7);
        Fixtures.assertArgument("q", () -> method().encode(PositionalCall.tokens(x, x), Fixtures.BACKEND));
    }
}

package org.attune.positional.bias;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.attune.api.position.EncodingForm;
import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.SymmetryCertificate;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Npy;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PositionEncodingGeneratorTest extends EncodingContract {
    @TempDir
    Path dir;

    @Override
    PositionalEncoding method() {
        return new PositionEncodingGenerator();
    }

    @Override
    EncodingForm form() {
        return EncodingForm.CONDITIONAL;
    }

    @Override
    List<String> claims() {
        return List.of(SymmetryCertificate.GRID_SHIFT + "(padding=circular,width=4)");
    }

    /** x + depthwise 3×3 conv of the 5 × 3 grid (W = 3), zero or circular padding, given kernel, zero bias. */
    @ParameterizedTest
    @ValueSource(strings = {"zero", "circular"})
    void matchesFloat64Reference(String padding) throws Exception {
        Fixtures f = new Fixtures(120);
        int h = 2, d = 3, e = h * d, w = 3, rows = 5;
        Tensor kernel = f.uniform(DType.FLOAT64, e, 3, 3);
        Npy.write(dir.resolve("k.npy"), kernel);
        Tensor q = f.uniform(DType.FLOAT64, 1, h, rows * w, d);
        Tensor out = method().encode(PositionalCall.tokens(q, q).withParams(Map.of("width", "3", "padding", padding,
            "weights", dir.resolve("k.npy").toString())), Fixtures.BACKEND).q();
        double[] expected = new double[q.size()];
        for (int a = 0; a < h; a++) {
            for (int t = 0; t < rows * w; t++) {
                for (int c = 0; c < d; c++) {
                    int y = t / w, x = t % w;
                    double s = q.get(0, a, t, c);
                    for (int ky = 0; ky < 3; ky++) {
                        for (int kx = 0; kx < 3; kx++) {
                            int yy = y + ky - 1, xx = x + kx - 1;
                            if (padding.equals("circular")) {
                                yy = (yy + rows) % rows;
                                xx = (xx + w) % w;
                            } else if (yy < 0 || yy >= rows || xx < 0 || xx >= w) {
                                continue;
                            }
                            s += kernel.get(a * d + c, ky, kx) * q.get(0, a, yy * w + xx, c);
                        }
                    }
                    expected[(a * rows * w + t) * d + c] = s;
                }
            }
        }
        Fixtures.assertClose(padding, expected, out, 1e-14);
    }

    @Test
    void zeroPaddingIsNotShiftEquivariant() {
        SymmetryCertificate.Finding finding = SymmetryCertificate.check(method(),
            SymmetryCertificate.GRID_SHIFT + "(padding=zero,width=4)", Map.of(), Fixtures.BACKEND);
        assertFalse(finding.holds(), "zero padding breaks the symmetry at the border");
    }

    @Test
    void rejectsALengthThatDoesNotFillTheRows() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 1, 10, 4);
        Fixtures.assertArgument("q", () -> method().encode(PositionalCall.tokens(x, x)
            .withParams(Map.of("width", "4")), Fixtures.BACKEND));
    }
}

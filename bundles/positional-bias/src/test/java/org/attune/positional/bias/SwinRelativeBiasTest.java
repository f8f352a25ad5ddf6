package org.attune.positional.bias;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

class SwinRelativeBiasTest extends EncodingContract {
    @TempDir
    Path dir;

    @Override
    PositionalEncoding method() {
        return new SwinRelativeBias();
    }

    @Override
    EncodingForm form() {
        return EncodingForm.BIAS;
    }

    @Override
    List<String> claims() {
        return List.of(SymmetryCertificate.RELATIVE + "(width=7)");
    }

    /**
     * The reference's index: coords = stack(meshgrid(arange(Mh), arange(Mw))) flattened; relative = coords[:, :, None]
     * − coords[:, None, :]; shifted by M − 1; index = rel_h · (2Mw − 1) + rel_w. Window 3 × 5.
     */
    @Test
    void looksUpTheReferenceIndex() throws Exception {
        int mh = 3, mw = 5, n = mh * mw, heads = 2;
        Tensor table = new Fixtures(110).uniform(DType.FLOAT64, (2 * mh - 1) * (2 * mw - 1), heads);
        Npy.write(dir.resolve("swin.npy"), table);
        Tensor b = method().encode(PositionalCall.bias(heads, n, n, false).withParams(Map.of("window", "3x5",
            "table", dir.resolve("swin.npy").toString())), Fixtures.BACKEND).bias();
        int[][] coords = new int[2][n];
        for (int y = 0, t = 0; y < mh; y++) {
            for (int x = 0; x < mw; x++, t++) {
                coords[0][t] = y;
                coords[1][t] = x;
            }
        }
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    int relH = coords[0][i] - coords[0][j] + mh - 1, relW = coords[1][i] - coords[1][j] + mw - 1;
                    assertEquals(table.get(relH * (2 * mw - 1) + relW, h), b.get(h, i, j), 0, "i=" + i + " j=" + j);
                }
            }
        }
    }

    @Test
    void rejectsMoreTokensThanAWindowAndAMalformedWindow() {
        Fixtures.assertArgument("--nq, --nk", () -> method().encode(PositionalCall.bias(1, 10, 10, false)
            .withParams(Map.of("window", "3")), Fixtures.BACKEND));
        Fixtures.assertArgument("--pe-option window", () -> method().encode(PositionalCall.bias(1, 4, 4, false)
            .withParams(Map.of("window", "3x")), Fixtures.BACKEND));
    }
}

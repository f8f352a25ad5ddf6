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

class T5RelativeBiasTest extends EncodingContract {
    @TempDir
    Path dir;

    @Override
    PositionalEncoding method() {
        return new T5RelativeBias();
    }

    @Override
    EncodingForm form() {
        return EncodingForm.BIAS;
    }

    @Override
    List<String> claims() {
        return List.of(SymmetryCertificate.RELATIVE);
    }

    /**
     * Bidirectional, 32 buckets, max distance 128 (T5's setting): 16 per sign, exact below 8, then one bucket per
     * factor √2; the first distances of buckets 8 … 15, as the reference computes them in float32
     * (checked with NumPy float32 and float64 for every distance below 5000: identical).
     */
    @Test
    void bidirectionalBucketBoundaries() {
        int[] firstDistance = {8, 12, 16, 23, 32, 46, 64, 91};
        for (int a = 0; a < 8; a++) {
            assertEquals(a, T5RelativeBias.bucket(-a, true, 32, 128), "r=-" + a);
            assertEquals(a == 0 ? 0 : 16 + a, T5RelativeBias.bucket(a, true, 32, 128), "r=" + a);
        }
        for (int b = 0; b < firstDistance.length; b++) {
            int a = firstDistance[b];
            assertEquals(8 + b, T5RelativeBias.bucket(-a, true, 32, 128), "first of bucket, r=-" + a);
            assertEquals(8 + b - 1, T5RelativeBias.bucket(-(a - 1), true, 32, 128), "last of previous, r=-" + (a - 1));
            assertEquals(24 + b, T5RelativeBias.bucket(a, true, 32, 128), "r=" + a);
        }
        assertEquals(15, T5RelativeBias.bucket(-1_000_000, true, 32, 128));
        assertEquals(31, T5RelativeBias.bucket(1_000_000, true, 32, 128));
    }

    /** Causal: 32 buckets for past keys only (r ≤ 0), exact below 16; future keys share bucket 0. */
    @Test
    void causalBucketBoundaries() {
        assertEquals(0, T5RelativeBias.bucket(5, false, 32, 128));
        assertEquals(15, T5RelativeBias.bucket(-15, false, 32, 128));
        // 16 + ⌊ln(a/16)/ln 8 · 16⌋: a = 32 → 16 + ⌊16/3⌋ = 21, a = 127 → 16 + 15 = 31
        assertEquals(16, T5RelativeBias.bucket(-16, false, 32, 128));
        assertEquals(21, T5RelativeBias.bucket(-32, false, 32, 128));
        assertEquals(31, T5RelativeBias.bucket(-127, false, 32, 128));
        assertEquals(31, T5RelativeBias.bucket(-4000, false, 32, 128));
    }

    @Test
    void biasLooksUpTheTableByBucketAndHead() throws Exception {
        Tensor table = new Fixtures(60).uniform(DType.FLOAT64, 32, 3);
        Npy.write(dir.resolve("t5.npy"), table);
        Tensor b = method().encode(PositionalCall.bias(3, 20, 150, false).withOffsets(100, 0)
            .withParams(Map.of("table", dir.resolve("t5.npy").toString())), Fixtures.BACKEND).bias();
        for (int h = 0; h < 3; h++) {
            for (int i = 0; i < 20; i++) {
                for (int j = 0; j < 150; j++) {
                    long r = j - (100 + i);
                    assertEquals(table.get(T5RelativeBias.bucket(r, true, 32, 128), h), b.get(h, i, j), 0);
                }
            }
        }
    }

    @Test
    void rejectsATableOfAnotherShape() throws Exception {
        Npy.write(dir.resolve("bad.npy"), Tensor.zeros(DType.FLOAT64, 16, 3));
        Fixtures.assertArgument("--pe-option table", () -> method().encode(PositionalCall.bias(3, 4, 4, false)
            .withParams(Map.of("table", dir.resolve("bad.npy").toString())), Fixtures.BACKEND));
    }
}

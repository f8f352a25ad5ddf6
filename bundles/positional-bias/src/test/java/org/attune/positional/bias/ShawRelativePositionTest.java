package org.attune.positional.bias;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

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
import org.junit.jupiter.params.provider.EnumSource;

class ShawRelativePositionTest extends EncodingContract {
    @TempDir
    Path dir;

    @Override
    PositionalEncoding method() {
        return new ShawRelativePosition();
    }

    @Override
    EncodingForm form() {
        return EncodingForm.BIAS;
    }

    @Override
    List<String> claims() {
        return List.of(SymmetryCertificate.RELATIVE);
    }

    /** Shaw eqs. (4)–(5): scale · qᵢ · wᴷ[clip(j − i, −κ, κ) + κ], κ = 3, distances up to ±40. */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesFloat64Reference(DType dtype) throws Exception {
        Fixtures f = new Fixtures(90);
        Tensor table = f.uniform(DType.FLOAT64, 7, 6);
        Npy.write(dir.resolve("wk.npy"), table);
        Tensor q = f.uniform(dtype, 2, 3, 20, 6), k = f.uniform(dtype, 2, 3, 41, 6);
        Tensor b = method().encode(PositionalCall.tokens(q, k).withOffsets(20, 0).withAttention(false, 0.5)
            .withParams(Map.of("max-distance", "3", "table", dir.resolve("wk.npy").toString())), Fixtures.BACKEND).bias();
        assertArrayEquals(new int[] {2, 3, 20, 41}, b.shape());
        double[] expected = new double[b.size()];
        int flat = 0;
        for (int z = 0; z < 2; z++) {
            for (int h = 0; h < 3; h++) {
                for (int i = 0; i < 20; i++) {
                    for (int j = 0; j < 41; j++) {
                        int rel = Math.max(-3, Math.min(3, j - (20 + i)));
                        double s = 0;
                        for (int e = 0; e < 6; e++) {
                            s += q.get(z, h, i, e) * table.get(rel + 3, e);
                        }
                        expected[flat++] = 0.5 * s;
                    }
                }
            }
        }
        Fixtures.assertClose("shaw", expected, b, Fixtures.tolerance(dtype));
    }

    @Test
    void needsTheQueries() {
        Fixtures.assertArgument("q", () -> method().encode(PositionalCall.bias(2, 3, 3, false), Fixtures.BACKEND));
    }
}

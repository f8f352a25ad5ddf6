package org.attune.positional.bias;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.attune.api.position.EncodingForm;
import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Npy;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LearnedPositionEmbeddingTest extends EncodingContract {
    @TempDir
    Path dir;

    @Override
    PositionalEncoding method() {
        return new LearnedPositionEmbedding();
    }

    @Override
    EncodingForm form() {
        return EncodingForm.ABSOLUTE;
    }

    @Override
    List<String> claims() {
        return List.of();
    }

    @Test
    void addsTheRowOfEachPositionFromALoadedTable() throws Exception {
        Fixtures f = new Fixtures(80);
        Tensor table = f.uniform(DType.FLOAT64, 40, 12);
        Npy.write(dir.resolve("p.npy"), table.to(DType.FLOAT32));
        Tensor q = f.uniform(DType.FLOAT64, 1, 3, 10, 4), k = f.uniform(DType.FLOAT64, 1, 3, 7, 4);
        Tensor out = method().encode(PositionalCall.tokens(q, k).withOffsets(30, 0)
            .withParams(Map.of("table", dir.resolve("p.npy").toString())), Fixtures.BACKEND).q();
        double[] expected = new double[q.size()];
        for (int h = 0; h < 3; h++) {
            for (int n = 0; n < 10; n++) {
                for (int e = 0; e < 4; e++) {
                    expected[(h * 10 + n) * 4 + e] = q.get(0, h, n, e) + (float) table.get(30 + n, h * 4 + e);
                }
            }
        }
        Fixtures.assertClose("q + P", expected, out, 1e-15);
    }

    @Test
    void seededTablesRepeatAndDifferBySeed() {
        Tensor zeros = Tensor.zeros(DType.FLOAT64, 1, 2, 5, 4);
        PositionalCall call = PositionalCall.tokens(zeros, zeros);
        Tensor a = method().encode(call.withParams(Map.of("seed", "3")), Fixtures.BACKEND).q();
        Tensor b = method().encode(call.withParams(Map.of("seed", "3")), Fixtures.BACKEND).q();
        Tensor c = method().encode(call.withParams(Map.of("seed", "4")), Fixtures.BACKEND).q();
        Fixtures.assertSame("same seed", a, b, 0);
        assertFalse(a.contentEquals(c), "another seed, another table");
    }

    @Test
    void rejectsPositionsBeyondTheTable() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 1, 10, 4);
        Fixtures.assertArgument("q", () -> method().encode(PositionalCall.tokens(x, x).withOffsets(5, 0)
            .withParams(Map.of("max-positions", "12")), Fixtures.BACKEND));
    }
}

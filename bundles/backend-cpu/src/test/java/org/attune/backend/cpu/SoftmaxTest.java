package org.attune.backend.cpu;

import static org.attune.backend.cpu.MatmulTest.assertArgument;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SoftmaxTest {
    private final Nd4jCpuBackend backend = new Nd4jCpuBackend();
    private final RandomTensors random = new RandomTensors(23);

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void lastAxis(DType dtype) {
        Tensor x = random.uniform(dtype, -5, 5, 6, 9);
        Closeness.assertClose(Float64Reference.softmaxLastAxis(x, null), backend.softmax(x, -1, null, null));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void middleAxisWithBroadcastMask(DType dtype) {
        Tensor x = random.uniform(dtype, -5, 5, 2, 5, 3);
        Tensor mask = random.mask(0.6, 5, 1); // broadcast over axes 0 and 2
        mask.set(0, 1, 0);                    // guarantees at least one masked entry per line
        Tensor r = backend.softmax(x, 1, mask, null);
        // lines along axis 1, transposed to rows of a rank-2 problem: row (o, i), column j
        Tensor rows = Tensor.zeros(DType.FLOAT64, 6, 5);
        Tensor rowMask = Tensor.zeros(DType.BOOL, 6, 5);
        Tensor got = Tensor.zeros(dtype, 6, 5);
        for (int o = 0; o < 2; o++) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 5; j++) {
                    rows.set(x.get(o, j, i), o * 3 + i, j);
                    rowMask.set(mask.get(j, 0), o * 3 + i, j);
                    got.set(r.get(o, j, i), o * 3 + i, j);
                }
            }
        }
        Closeness.assertClose(Float64Reference.softmaxLastAxis(rows, rowMask), got);
        for (int o = 0; o < 2; o++) {
            for (int i = 0; i < 3; i++) {
                assertEquals(0.0, r.get(o, 1, i), "masked entry is exactly 0");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void fullyMaskedRowIsZeroAndLargeLogitsStayFinite(DType dtype) {
        Tensor x = Tensor.zeros(dtype, 3, 4);
        double[][] v = {{500, -500, 1e4, 3}, {1, 2, 3, 4}, {-1e4, 450, 449, -450}};
        for (int r = 0; r < 3; r++) {
            for (int j = 0; j < 4; j++) {
                x.set(v[r][j], r, j);
            }
        }
        Tensor mask = Tensor.of(new boolean[] {true, true, false, true, false, false, false, false, true, true, true,
            true}, 3, 4);
        Tensor out = Tensor.of(new double[12], 3, 4).to(dtype);
        out.setFlat(5, Double.NaN);
        assertSame(out, backend.softmax(x, 1, mask, out));
        Closeness.assertClose(Float64Reference.softmaxLastAxis(x, mask), out);
        for (int j = 0; j < 4; j++) {
            assertEquals(0.0, out.get(1, j), "fully masked row");
        }
        Tensor unmasked = backend.softmax(x, 1, null, null);
        Closeness.assertClose(Float64Reference.softmaxLastAxis(x, null), unmasked);
    }

    @Test
    void rejectsBadArguments() {
        Tensor x = random.uniform(DType.FLOAT32, -1, 1, 3, 4);
        assertArgument("mask", () -> backend.softmax(x, 1, Tensor.zeros(DType.FLOAT32, 3, 4), null));
        assertArgument("mask", () -> backend.softmax(x, 1, Tensor.zeros(DType.BOOL, 2, 4), null));
        assertArgument("axis", () -> backend.softmax(x, 2, null, null));
        assertArgument("out", () -> backend.softmax(x, 1, null, Tensor.zeros(DType.FLOAT32, 4, 3)));
    }
}

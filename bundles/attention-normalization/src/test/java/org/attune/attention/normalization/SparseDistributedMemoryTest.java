package org.attune.attention.normalization;

import static org.attune.attention.core.Float64Reference.allowed;
import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.attune.api.attention.AttentionMechanism;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.attune.attention.core.AttentionContract;
import org.attune.attention.core.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SparseDistributedMemoryTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new SparseDistributedMemory();
    }

    /** |{x : d(x, a) ≤ r, d(x, b) ≤ r}| by enumerating all 2^n addresses, a = 0 and b = the first d bits set. */
    private static long bruteForce(int n, int r, int d) {
        int b = (1 << d) - 1;
        long count = 0;
        for (int x = 0; x < 1 << n; x++) {
            if (Integer.bitCount(x) <= r && Integer.bitCount(x ^ b) <= r) {
                count++;
            }
        }
        return count;
    }

    @Test
    void closedFormIntersectionsMatchEnumeration() {
        for (int n = 1; n <= 11; n++) {
            for (int r = 0; r <= n; r++) {
                double[] log = SparseDistributedMemory.logIntersections(n, r);
                for (int d = 0; d <= n; d++) {
                    assertEquals(bruteForce(n, r, d), Math.exp(log[d]), 1e-9 * Math.max(1, Math.exp(log[d])),
                        "n=" + n + " r=" + r + " d=" + d);
                }
            }
        }
    }

    /** The read with c(d) counted by enumeration (n ≤ 12), over the allowed keys. */
    static double[][][][] reference(double[][][][] q, double[][][][] k, double[][][][] v, int r, Tensor mask, boolean causal) {
        int n = q[0][0][0].length, g = q[0].length / k[0].length;
        double[][][][] w = new double[q.length][q[0].length][q[0][0].length][k[0][0].length];
        for (int b = 0; b < q.length; b++) {
            for (int h = 0; h < q[b].length; h++) {
                for (int i = 0; i < q[b][h].length; i++) {
                    double z = 0;
                    for (int j = 0; j < k[b][h / g].length; j++) {
                        int d = 0;
                        for (int e = 0; e < n; e++) {
                            d += (q[b][h][i][e] > 0) != (k[b][h / g][j][e] > 0) ? 1 : 0;
                        }
                        w[b][h][i][j] = allowed(mask, causal, b, h, i, j) ? bruteForce(n, r, d) : 0;
                        z += w[b][h][i][j];
                    }
                    for (int j = 0; j < w[b][h][i].length; j++) {
                        w[b][h][i][j] = z == 0 ? 0 : w[b][h][i][j] / z;
                    }
                }
            }
        }
        return NormalizationReference.values(w, v);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesTheEnumeratedReadWithMaskAndGroupedHeads(DType dtype) {
        Fixtures f = new Fixtures(80);
        Tensor q = f.uniform(dtype, 1, 2, 4, 17, 10);
        Tensor k = f.uniform(dtype, 1, 2, 2, 21, 10);
        Tensor v = f.uniform(dtype, 1, 2, 2, 21, 5);
        Tensor mask = f.mask(0.8, 17, 21);
        AttentionOptions o = AttentionOptions.builder().mask(mask).causal(true).build();
        for (int r : new int[] {2, 4, 5}) {
            assertClose("sdm n=10 r=" + r + " mask+causal gqa", reference(array(q), array(k), array(v), r, mask, true),
                run(call(q, k, v).withParam("radius", "" + r).withOptions(o)));
        }
    }

    @Test
    void aRadiusOfTheWholeCubeReadsTheMean() {
        Fixtures f = new Fixtures(81);
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 1, 3, 6);
        Tensor k = f.uniform(DType.FLOAT64, 1, 1, 1, 7, 6);
        Tensor v = f.uniform(DType.FLOAT64, 1, 1, 1, 7, 2);
        Tensor out = run(call(q, k, v).withParam("radius", "6"));
        for (int i = 0; i < 3; i++) {
            for (int e = 0; e < 2; e++) {
                double mean = 0;
                for (int j = 0; j < 7; j++) {
                    mean += v.get(0, 0, j, e) / 7;
                }
                assertEquals(mean, out.get(0, 0, i, e), 1e-15);
            }
        }
    }

    @Test
    void logitOptionsAndNegativeRadiusAreRejected() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 2, 3, 4);
        assertArgument("bias", () -> run(call(x, x, x).withOptions(AttentionOptions.builder()
            .bias(Tensor.zeros(DType.FLOAT32, 3, 3)).build())));
        assertArgument("scale", () -> run(call(x, x, x).withOptions(AttentionOptions.builder().scale(2.0).build())));
        assertArgument("--opt radius", () -> run(call(x, x, x).withParam("radius", "-1")));
    }
}

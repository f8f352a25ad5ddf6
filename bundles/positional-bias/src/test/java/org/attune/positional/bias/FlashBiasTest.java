package org.attune.positional.bias;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.attune.api.position.EncodingForm;
import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.tensor.Npy;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlashBiasTest extends EncodingContract {
    private static final int HEADS = 4, POSITIONS = 24, RANK = 3;

    @TempDir
    Path dir;

    private final SplittableRandom random = new SplittableRandom(7);

    @Override
    PositionalEncoding method() {
        return new FlashBias();
    }

    @Override
    EncodingForm form() {
        return EncodingForm.BIAS;
    }

    @Override
    List<String> claims() {
        return List.of();
    }

    @Override
    Map<String, String> params() {
        try {
            return Map.of("factor-q", write("u", uniform(HEADS * POSITIONS * RANK), HEADS, POSITIONS, RANK),
                "factor-k", write("v", uniform(HEADS * POSITIONS * RANK), HEADS, POSITIONS, RANK));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private double[] uniform(int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = 2 * random.nextDouble() - 1;
        }
        return d;
    }

    private String write(String name, double[] data, int... shape) throws Exception {
        Path p = dir.resolve(name + ".npy");
        Npy.write(p, Tensor.of(data, shape));
        return p.toString();
    }

    private Tensor bias(int heads, int nq, int nk, int offQ, int offK, Map<String, String> params) {
        return method().encode(PositionalCall.bias(heads, nq, nk, true).withOffsets(offQ, offK).withParams(params),
            Fixtures.BACKEND).bias();
    }

    /** b[h, i, j] = Σᵣ U[h, pᵢ, r]·V[h, pⱼ, r] for random factors, at offsets. */
    @Test
    void factorsGiveTheirProductExactly() throws Exception {
        double[] u = uniform(2 * 10 * 3), v = uniform(2 * 12 * 3);
        Tensor b = bias(2, 4, 5, 6, 7, Map.of("factor-q", write("u", u, 2, 10, 3), "factor-k", write("v", v, 2, 12, 3)));
        for (int h = 0; h < 2; h++) {
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 5; j++) {
                    double s = 0;
                    for (int r = 0; r < 3; r++) {
                        s += u[(h * 10 + 6 + i) * 3 + r] * v[(h * 12 + 7 + j) * 3 + r];
                    }
                    assertEquals(s, b.get(h, i, j), 1e-15);
                }
            }
        }
    }

    /** FlashBias's exact case: causal ALiBi −m(i − j) = [−m·i, m]·[1, j]ᵀ, rank 2, equals the alibi encoding. */
    @Test
    void alibiFactorsReproduceAlibi() throws Exception {
        int heads = 8, n = 12;
        double[] m = AlibiSlopes.of(heads);
        double[] u = new double[heads * n * 2], v = new double[heads * n * 2];
        for (int h = 0; h < heads; h++) {
            for (int p = 0; p < n; p++) {
                u[(h * n + p) * 2] = -m[h] * p;
                u[(h * n + p) * 2 + 1] = m[h];
                v[(h * n + p) * 2] = 1;
                v[(h * n + p) * 2 + 1] = p;
            }
        }
        Tensor b = bias(heads, n, n, 0, 0, Map.of("factor-q", write("u", u, heads, n, 2),
            "factor-k", write("v", v, heads, n, 2)));
        Tensor alibi = new Alibi().encode(PositionalCall.bias(heads, n, n, true), Fixtures.BACKEND).bias();
        Fixtures.assertSame("ALiBi", alibi, b, 1e-15);
    }

    /** A table of rank 3 is reproduced at rank ≥ 3; at rank 2 every entry is within σ₃ of the table. */
    @Test
    void truncatedSvdIsExactAtFullRankAndWithinTheNextSingularValueBelowIt() throws Exception {
        int p = 10, q = 9, heads = 2;
        double[] table = new double[heads * p * q];
        double[][] ua = new double[heads][], va = new double[heads][];
        for (int h = 0; h < heads; h++) {
            ua[h] = uniform(p * 3);
            va[h] = uniform(q * 3);
            for (int i = 0; i < p; i++) {
                for (int j = 0; j < q; j++) {
                    double s = 0;
                    for (int r = 0; r < 3; r++) {
                        s += ua[h][i * 3 + r] * va[h][j * 3 + r] * (r == 2 ? 0.05 : 1);
                    }
                    table[(h * p + i) * q + j] = s;
                }
            }
        }
        String file = write("table", table, heads, p, q);
        for (String rank : new String[] {"3", "9"}) {
            Tensor b = bias(heads, p, q, 0, 0, Map.of("bias", file, "rank", rank));
            Fixtures.assertClose("rank " + rank, table, b, 1e-12);
        }
        Tensor b2 = bias(heads, p, q, 0, 0, Map.of("bias", file, "rank", "2"));
        for (int h = 0; h < heads; h++) {
            double[] head = new double[p * q];
            System.arraycopy(table, h * p * q, head, 0, p * q);
            double sigma3 = LowRankFactors.truncate(head, p, q, 2).sigma()[2];
            double worst = 0;
            for (int i = 0; i < p; i++) {
                for (int j = 0; j < q; j++) {
                    worst = Math.max(worst, Math.abs(b2.get(h, i, j) - table[(h * p + i) * q + j]));
                }
            }
            assertTrue(worst <= sigma3 * (1 + 1e-12) && worst > 0, "head " + h + ": " + worst + " vs " + sigma3);
        }
    }

    /** The singular values of a diagonal matrix are its absolute entries, sorted; UVᵀ rebuilds it. */
    @Test
    void singularValuesOfADiagonalMatrixAreItsAbsoluteEntries() {
        double[] d = {0, 0, 0, 0, -3, 0, 0, 0, 2, 0, 0, 0};
        d[0] = 1;
        LowRankFactors f = LowRankFactors.truncate(d, 4, 3, 3);
        assertEquals(3, f.sigma()[0], 1e-15);
        assertEquals(2, f.sigma()[1], 1e-15);
        assertEquals(1, f.sigma()[2], 1e-15);
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(d[i * 3 + j], f.entry(i, j), 1e-15);
            }
        }
    }

    @Test
    void rejectsMissingOrShortFactors() throws Exception {
        Fixtures.assertArgument("--pe-option bias", () -> bias(2, 3, 3, 0, 0, Map.of()));
        Fixtures.assertArgument("--pe-option factor-k", () -> bias(2, 3, 3, 0, 0, Map.of("factor-q", "u.npy")));
        String u = write("u", uniform(2 * 4 * 2), 2, 4, 2);
        Fixtures.assertArgument("--pe-option factor-q", () -> bias(2, 3, 3, 2, 0, Map.of("factor-q", u, "factor-k", u)));
        Fixtures.assertArgument("--pe-option factor-q", () -> bias(3, 3, 3, 0, 0, Map.of("factor-q", u, "factor-k", u)));
        String t = write("t", uniform(2 * 4 * 4), 2, 4, 4);
        Fixtures.assertArgument("--pe-option rank", () -> bias(2, 3, 3, 0, 0, Map.of("bias", t, "rank", "5")));
    }
}

package org.attune.attention.core;

import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;
import static org.attune.attention.core.Float64Reference.matrix;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

import org.attune.api.attention.AttentionMechanism;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.equivariance.EquivarianceCertificate;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DeconstructedNoMixingTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new DeconstructedNoMixing();
    }

    /** arXiv:2510.11602 eqs. (4)–(5), transcribed per token: (SiLU(x W_gt) ⊙ x W_up) W_dn, in q's head layout. */
    static double[][][][] reference(double[][][][] q, double[][] wgt, double[][] wup, double[][] wdn) {
        double[][][] x = Float64Reference.embed(q);
        int f = wgt[0].length;
        double[][][] out = new double[x.length][x[0].length][wdn[0].length];
        for (int b = 0; b < x.length; b++) {
            for (int i = 0; i < x[b].length; i++) {
                double[] hidden = new double[f];
                for (int c = 0; c < f; c++) {
                    double g = 0, u = 0;
                    for (int r = 0; r < x[b][i].length; r++) {
                        g += x[b][i][r] * wgt[r][c];
                        u += x[b][i][r] * wup[r][c];
                    }
                    hidden[c] = g / (1 + Math.exp(-g)) * u;
                }
                for (int c = 0; c < wdn[0].length; c++) {
                    for (int r = 0; r < f; r++) {
                        out[b][i][c] += hidden[r] * wdn[r][c];
                    }
                }
            }
        }
        return Float64Reference.heads(out, q[0].length);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesFloat64ReferenceWithWeightFiles(DType dtype, @TempDir Path dir) {
        Fixtures f = new Fixtures(510);
        double[][] wgt = matrix(f.write(dir, "wgt", 0.4, 12, 7));
        double[][] wup = matrix(f.write(dir, "wup", 0.4, 12, 7));
        double[][] wdn = matrix(f.write(dir, "wdn", 0.4, 7, 12));
        Tensor q = f.uniform(dtype, 1.5, 2, 2, 63, 6);
        Tensor kv = f.uniform(dtype, 1, 2, 3, 40, 4);
        Tensor out = run(call(q, kv, kv).withParam("weights", dir.toString()).withParam("hidden", "7")
            .withOptions(AttentionOptions.builder().causal(true).build()));
        assertClose("no-mixing files F=7 causal", reference(array(q), wgt, wup, wdn), out);
    }

    @Test
    void seededWeightsFollowTheDocumentedInitialiserAndParameterMatchedWidth() {
        Fixtures f = new Fixtures(511);
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 3, 9, 4);
        SplittableRandom r = new SplittableRandom(5);
        int e = 12, hidden = 4 * e / 3;
        double[][] wgt = AdditiveAttentionTest.xavier(r, e, hidden);
        double[][] wup = AdditiveAttentionTest.xavier(r, e, hidden);
        double[][] wdn = AdditiveAttentionTest.xavier(r, hidden, e);
        assertClose("no-mixing seed=5 F=16", reference(array(q), wgt, wup, wdn), run(call(q, q, q).withParam("seed", "5")));
    }

    @Test
    void eachTokenIsComputedFromItselfAlone() {
        Fixtures f = new Fixtures(512);
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 2, 10, 4);
        Tensor other = q.copy();
        for (int i = 5; i < 10; i++) {
            for (int h = 0; h < 2; h++) {
                for (int e = 0; e < 4; e++) {
                    other.set(3 * q.get(0, h, i, e) - 1, 0, h, i, e);
                }
            }
        }
        Tensor kv = f.uniform(DType.FLOAT64, 1, 1, 2, 6, 4);
        Tensor a = run(q, kv, kv);
        Tensor b = run(other, f.uniform(DType.FLOAT64, 1, 1, 2, 6, 4), f.uniform(DType.FLOAT64, 1, 1, 2, 6, 4));
        for (int h = 0; h < 2; h++) {
            for (int i = 0; i < 5; i++) {
                for (int e = 0; e < 4; e++) {
                    assertEquals(a.get(0, h, i, e), b.get(0, h, i, e), 0.0, "token " + i + " changed");
                }
            }
        }
    }

    /** No other key to mask: mask and bias are rejected; causal (a token sees itself) changes nothing. */
    @Override
    @Test
    void fullyMaskedQueryRowGivesAZeroRow() {
        Fixtures f = new Fixtures(513);
        Tensor x = f.uniform(DType.FLOAT64, 1, 1, 2, 4, 4);
        assertArgument("mask", () -> run(call(x, x, x).withOptions(AttentionOptions.builder()
            .mask(Tensor.zeros(DType.BOOL, 4, 4)).build())));
        assertArgument("bias", () -> run(call(x, x, x).withOptions(AttentionOptions.builder()
            .bias(Tensor.zeros(DType.FLOAT64, 4, 4)).build())));
        assertArgument("window", () -> run(call(x, x, x).withOptions(AttentionOptions.builder().window(1, 0).build())));
        assertEquals(0, maxDiff(run(x, x, x), run(call(x, x, x).withOptions(AttentionOptions.builder().causal(true)
            .build()))));
    }

    @Test
    void badOptionsAreNamed(@TempDir Path dir) {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 2, 3, 4);
        assertArgument("--opt hidden", () -> run(call(x, x, x).withParam("hidden", "0")));
        assertArgument("--opt hidden", () -> run(call(x, x, x).withParam("hidden", "two")));
        assertArgument("--opt weights", () -> run(call(x, x, x).withParam("weights", dir.toString())));
    }

    private static double maxDiff(Tensor a, Tensor b) {
        double d = 0;
        for (int i = 0; i < a.size(); i++) {
            d = Math.max(d, Math.abs(a.getFlat(i) - b.getFlat(i)));
        }
        return d;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void certifierConfirmsEveryPermutationClaim(DType dtype) {
        for (String claim : new String[] {EquivarianceCertificate.PERMUTATION_TOKENS,
            EquivarianceCertificate.PERMUTATION_QUERIES, EquivarianceCertificate.PERMUTATION_KEYS}) {
            EquivarianceCertificate.Finding finding = TokenPermutations.certify(method(), claim, Map.of(), dtype);
            assertTrue(finding.holds(), finding.toString());
        }
    }
}

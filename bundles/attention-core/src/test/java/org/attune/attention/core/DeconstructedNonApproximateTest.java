package org.attune.attention.core;

import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import org.attune.api.attention.AttentionMechanism;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.equivariance.EquivarianceCertificate;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DeconstructedNonApproximateTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new DeconstructedNonApproximate();
    }

    /** Query j is part of key j's score, so the queries alone are not a set. */
    @Override
    protected boolean queriesAreASet() {
        return false;
    }

    /** Key j's score needs query j, so the keys alone are not a set. */
    @Override
    protected boolean keysAreASet() {
        return false;
    }

    /** The per-head projections of {@link Float64Reference#multiHead}, with SiLU on the queries (eq. 8). */
    private static double[][][][][] projected(double[][][][] q, double[][][][] k, double[][][][] v,
                                              Float64Reference.Weights w, int heads) {
        double[][][][] qh = Float64Reference.heads(Float64Reference.linear(Float64Reference.embed(q), w.wq(), w.bq()),
            heads);
        for (double[][][] b : qh) {
            for (double[][] h : b) {
                for (double[] t : h) {
                    for (int e = 0; e < t.length; e++) {
                        t[e] = t[e] / (1 + Math.exp(-t[e]));
                    }
                }
            }
        }
        return new double[][][][][] {qh,
            Float64Reference.heads(Float64Reference.linear(Float64Reference.embed(k), w.wk(), w.bk()), heads),
            Float64Reference.heads(Float64Reference.linear(Float64Reference.embed(v), w.wv(), w.bv()), heads)};
    }

    /** arXiv:2510.11602 eqs. (7)–(8) as a score matrix: S[i][j] = scale·(q_j ⊙ k_j)·1 + bias, softmax over j, W_o. */
    static double[][][][] reference(double[][][][] q, double[][][][] k, double[][][][] v, Float64Reference.Weights w,
                                    int heads, boolean causal, Tensor mask, Tensor bias) {
        double[][][][][] p = projected(q, k, v, w, heads);
        double[][][][] qh = p[0], kh = p[1];
        double scale = 1 / Math.sqrt(qh[0][0][0].length);
        int n = qh[0][0].length;
        double[][][][] s = new double[qh.length][heads][n][n];
        for (int b = 0; b < qh.length; b++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        double gate = 0;
                        for (int e = 0; e < qh[b][h][j].length; e++) {
                            gate += qh[b][h][j][e] * kh[b][h][j][e];
                        }
                        s[b][h][i][j] = scale * gate + (bias == null ? 0 : Float64Reference.broadcast(bias, b, h, i, j));
                    }
                }
            }
        }
        double[][][][] o = Float64Reference.attend(s, p[2], mask, causal);
        return Float64Reference.heads(Float64Reference.linear(Float64Reference.embed(o), w.wo(), w.bo()), q[0].length);
    }

    /** Appx. I eq. (18), the recurrent causal form: a running sum of exp(q_j·k_j/√Dh) v_j and of its weights. */
    static double[][][][] recurrent(double[][][][] q, double[][][][] k, double[][][][] v, Float64Reference.Weights w,
                                    int heads) {
        double[][][][][] p = projected(q, k, v, w, heads);
        double[][][][] qh = p[0], kh = p[1], vh = p[2];
        double scale = 1 / Math.sqrt(qh[0][0][0].length);
        double[][][][] o = new double[qh.length][heads][qh[0][0].length][vh[0][0][0].length];
        for (int b = 0; b < qh.length; b++) {
            for (int h = 0; h < heads; h++) {
                double[] num = new double[vh[b][h][0].length];
                double den = 0;
                for (int i = 0; i < qh[b][h].length; i++) {
                    double gate = 0;
                    for (int e = 0; e < qh[b][h][i].length; e++) {
                        gate += qh[b][h][i][e] * kh[b][h][i][e];
                    }
                    double weight = Math.exp(scale * gate);
                    den += weight;
                    for (int e = 0; e < num.length; e++) {
                        num[e] += weight * vh[b][h][i][e];
                        o[b][h][i][e] = num[e] / den;
                    }
                }
            }
        }
        return Float64Reference.heads(Float64Reference.linear(Float64Reference.embed(o), w.wo(), w.bo()), q[0].length);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesFloat64ReferenceWithWeightFilesBiasesMaskAndOtherHeadCount(DType dtype, @TempDir Path dir) {
        Fixtures f = new Fixtures(520);
        Float64Reference.Weights w = MultiHeadAttentionTest.writeWeights(f, dir, 24, 24, 24, 24, 24, true);
        Tensor q = f.uniform(dtype, 1, 2, 2, 37, 12);
        Tensor k = f.uniform(dtype, 1, 2, 4, 37, 6);
        Tensor v = f.uniform(dtype, 1, 2, 3, 37, 8);
        Tensor mask = f.mask(0.8, 2, 1, 37, 37);
        Tensor bias = f.uniform(DType.FLOAT64, 0.5, 3, 37, 37);
        AttentionOptions o = AttentionOptions.builder().mask(mask).bias(bias).causal(true).build();
        Tensor out = run(call(q, k, v).withParam("weights", dir.toString()).withParam("heads", "3").withOptions(o));
        assertClose("non-approximate files heads=3 mask+bias+causal", reference(array(q), array(k), array(v), w, 3,
            true, mask, bias), out);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void causalFormIsTheRecurrenceOfAppendixI(DType dtype, @TempDir Path dir) {
        Fixtures f = new Fixtures(521);
        Float64Reference.Weights w = MultiHeadAttentionTest.writeWeights(f, dir, 16, 16, 16, 16, 16, false);
        Tensor x = f.uniform(dtype, 1, 2, 4, 63, 4);
        Tensor out = run(call(x, x, x).withParam("weights", dir.toString()).withOptions(AttentionOptions.builder()
            .causal(true).build()));
        assertClose("non-approximate causal = eq. (18)", recurrent(array(x), array(x), array(x), w, 4), out);
    }

    @Test
    void withoutMasksEveryQueryGetsTheSameOutput() {
        Fixtures f = new Fixtures(522);
        Tensor x = f.uniform(DType.FLOAT64, 1, 1, 2, 9, 4);
        Tensor out = run(call(x, x, x).withParam("seed", "3"));
        for (int i = 1; i < 9; i++) {
            for (int h = 0; h < 2; h++) {
                for (int e = 0; e < 4; e++) {
                    assertEquals(out.get(0, h, 0, e), out.get(0, h, i, e), 1e-15);
                }
            }
        }
    }

    @Test
    void causalOutputIgnoresLaterTokens() {
        Fixtures f = new Fixtures(523);
        Tensor x = f.uniform(DType.FLOAT64, 1, 1, 2, 12, 4);
        Tensor later = x.copy();
        for (int i = 7; i < 12; i++) {
            for (int h = 0; h < 2; h++) {
                for (int e = 0; e < 4; e++) {
                    later.set(-2 * x.get(0, h, i, e) + 0.5, 0, h, i, e);
                }
            }
        }
        AttentionOptions causal = AttentionOptions.builder().causal(true).build();
        Tensor a = run(call(x, x, x).withOptions(causal));
        Tensor b = run(call(later, later, later).withOptions(causal));
        assertLeadingRowsEqual(a, b, 7);
        assertTrue(Math.abs(a.get(0, 0, 8, 0) - b.get(0, 0, 8, 0)) > 1e-6, "later rows change");
    }

    @Test
    void aCommonPermutationOfTheTokensPermutesTheOutputButQueriesAloneDoNot() {
        Fixtures f = new Fixtures(524);
        Tensor q = f.uniform(DType.FLOAT64, 1, 2, 2, 9, 6);
        Tensor k = f.uniform(DType.FLOAT64, 1, 2, 2, 9, 6);
        Tensor v = f.uniform(DType.FLOAT64, 1, 2, 2, 9, 6);
        int[] perm = {3, 8, 0, 5, 1, 7, 2, 6, 4};
        Tensor expected = permuteTokens(run(q, k, v), perm);
        assertMaxDiff(expected, run(permuteTokens(q, perm), permuteTokens(k, perm), permuteTokens(v, perm)),
            SYMMETRY_TOLERANCE);
        Tensor queriesOnly = run(permuteTokens(q, perm), k, v);
        double diff = 0;
        for (int i = 0; i < expected.size(); i++) {
            diff = Math.max(diff, Math.abs(expected.getFlat(i) - queriesOnly.getFlat(i)));
        }
        assertTrue(diff > 1e-6, "permuting the queries alone changes the scores: " + diff);
    }

    /** Self-attention only: keys of another length than the queries are rejected, naming k. */
    @Override
    @Test
    void keysMayBeLongerOrShorterThanQueries() {
        Fixtures f = new Fixtures(525);
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 2, 7, 4);
        for (int nk : new int[] {5, 11}) {
            Tensor kv = f.uniform(DType.FLOAT64, 1, 1, 2, nk, 4);
            assertArgument("k", () -> run(q, kv, kv));
        }
    }

    /** The contract's property on self-attention sizes. */
    @Override
    @Test
    void noQueriesGiveAnEmptyOutput() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 2, 0, 4);
        assertArrayEquals(new int[] {1, 2, 0, 4}, run(x, x, x).shape());
    }

    /** The contract's property on self-attention sizes. */
    @Override
    @Test
    void fullyMaskedQueryRowGivesAZeroRow() {
        Fixtures f = new Fixtures(526);
        Tensor x = f.uniform(DType.FLOAT64, 1, 1, 2, 5, 4);
        Tensor mask = f.mask(1.1, 5, 5);
        for (int j = 0; j < 5; j++) {
            mask.set(0, 2, j);
        }
        Tensor out = run(call(x, x, x).withOptions(AttentionOptions.builder().mask(mask).build()));
        for (int h = 0; h < 2; h++) {
            for (int e = 0; e < 4; e++) {
                assertEquals(0.0, out.get(0, h, 2, e), "masked row");
                assertTrue(out.get(0, h, 1, e) != 0, "unmasked row");
            }
        }
    }

    /** The contract's property on self-attention sizes. */
    @Override
    @Test
    void rejectsAMaskThatDoesNotBroadcast() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 2, 7, 4);
        AttentionOptions o = AttentionOptions.builder().mask(Tensor.zeros(DType.BOOL, 3, 3)).build();
        assertArgument("mask", () -> run(call(x, x, x).withOptions(o)));
    }

    @Test
    void undefinedOptionsAreNamed() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 2, 3, 4);
        assertArgument("window", () -> run(call(x, x, x).withOptions(AttentionOptions.builder().window(1, 1).build())));
        assertArgument("softCap", () -> run(call(x, x, x).withOptions(AttentionOptions.builder().softCap(5.0).build())));
        assertArgument("--opt heads", () -> run(call(x, x, x).withParam("heads", "3")));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void certifierConfirmsTheTokenClaimAndRefutesTheQueriesAlone(DType dtype) {
        EquivarianceCertificate.Finding tokens = TokenPermutations.certify(method(),
            EquivarianceCertificate.PERMUTATION_TOKENS, Map.of(), dtype);
        assertTrue(tokens.holds(), tokens.toString());
        assertFalse(TokenPermutations.certify(method(), EquivarianceCertificate.PERMUTATION_QUERIES, Map.of(), dtype)
            .holds(), "queries alone");
    }
}

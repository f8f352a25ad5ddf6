package org.attune.attention.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What every core attention method must do, whatever its score: the layout of the result at odd and empty
 * sizes in float32 and float64, untouched inputs, one-line errors naming the argument, zero rows for fully
 * masked queries (seeded weights have zero biases), and the claimed symmetry "permutation:tokens": permuting
 * the queries permutes the output rows, permuting keys and values together leaves the output unchanged.
 * Each method's test extends this and adds its reference comparison and reductions.
 */
public abstract class AttentionContract {
    public static final double SYMMETRY_TOLERANCE = 1e-12;

    /** The method under test. */
    protected abstract AttentionMechanism method();

    /** A call on q, k, v with the method's parameters for this test class. */
    protected AttentionCall call(Tensor q, Tensor k, Tensor v) {
        return AttentionCall.of(q, k, v);
    }

    protected Tensor run(AttentionCall call) {
        return method().attend(call, Fixtures.BACKEND);
    }

    protected Tensor run(Tensor q, Tensor k, Tensor v) {
        return run(call(q, k, v));
    }

    /**
     * The shape the method documents for its result on q, k, v: the layout of q, [B, H, Nq, D], unless the method
     * documents another (e.g. one row per learned query with its own width).
     */
    protected int[] expectedShape(Tensor q, Tensor k, Tensor v) {
        return q.shape();
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void outputHasTheLayoutOfTheQueriesAtOddSizes(DType dtype) {
        Fixtures f = new Fixtures(100);
        Tensor q = f.uniform(dtype, 1, 2, 2, 63, 60);
        Tensor k = f.uniform(dtype, 1, 2, 2, 63, 60);
        Tensor v = f.uniform(dtype, 1, 2, 2, 63, 60);
        Tensor out = run(q, k, v);
        assertEquals(dtype, out.dtype());
        assertArrayEquals(expectedShape(q, k, v), out.shape());
        for (int i = 0; i < out.size(); i++) {
            assertTrue(Double.isFinite(out.getFlat(i)));
        }
    }

    @Test
    void keysMayBeLongerOrShorterThanQueries() {
        Fixtures f = new Fixtures(101);
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 2, 7, 4);
        for (int nk : new int[] {5, 11}) {
            Tensor k = f.uniform(DType.FLOAT64, 1, 1, 2, nk, 4);
            Tensor v = f.uniform(DType.FLOAT64, 1, 1, 2, nk, 4);
            assertArrayEquals(expectedShape(q, k, v), run(q, k, v).shape());
        }
    }

    @Test
    void noQueriesGiveAnEmptyOutput() {
        Fixtures f = new Fixtures(102);
        Tensor kv = f.uniform(DType.FLOAT32, 1, 1, 2, 5, 4);
        Tensor q = Tensor.zeros(DType.FLOAT32, 1, 2, 0, 4);
        assertArrayEquals(expectedShape(q, kv, kv), run(q, kv, kv).shape());
        assertEquals(0, run(q, kv, kv).size());
    }

    @Test
    void inputsAreNotModified() {
        Fixtures f = new Fixtures(103);
        Tensor q = f.uniform(DType.FLOAT32, 1, 1, 2, 6, 4);
        Tensor k = f.uniform(DType.FLOAT32, 1, 1, 2, 6, 4);
        Tensor v = f.uniform(DType.FLOAT32, 1, 1, 2, 6, 4);
        Tensor q0 = q.copy(), k0 = k.copy(), v0 = v.copy();
        run(q, k, v);
        assertTrue(q.contentEquals(q0) && k.contentEquals(k0) && v.contentEquals(v0));
    }

    /**
     * Whether the method takes a mask and causal flag; one that does not (its normalisation has no meaning for
     * a partial row, e.g. over the queries or to both marginals) must reject them naming the argument.
     */
    protected boolean acceptsMasks() {
        return true;
    }

    @Test
    void fullyMaskedQueryRowGivesAZeroRow() {
        Fixtures f = new Fixtures(104);
        if (!acceptsMasks()) {
            Tensor x = f.uniform(DType.FLOAT64, 1, 1, 2, 4, 4);
            assertArgument("mask", () -> run(call(x, x, x).withOptions(AttentionOptions.builder()
                .mask(Tensor.zeros(DType.BOOL, 4, 4)).build())));
            assertArgument("causal", () -> run(call(x, x, x).withOptions(AttentionOptions.builder().causal(true).build())));
            return;
        }
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 2, 4, 4);
        Tensor k = f.uniform(DType.FLOAT64, 1, 1, 2, 5, 4);
        Tensor v = f.uniform(DType.FLOAT64, 1, 1, 2, 5, 4);
        Tensor mask = f.mask(1.1, 4, 5);
        for (int j = 0; j < 5; j++) {
            mask.set(0, 2, j);
        }
        Tensor out = run(call(q, k, v).withOptions(AttentionOptions.builder().mask(mask).build()));
        for (int h = 0; h < 2; h++) {
            for (int e = 0; e < 4; e++) {
                assertEquals(0.0, out.get(0, h, 2, e), "masked row");
                assertTrue(out.get(0, h, 1, e) != 0, "unmasked row");
            }
        }
    }

    /**
     * Whether the queries form a set, so that permuting them permutes the output rows; false for a method whose
     * query rows carry a position of their own (e.g. weights that depend only on token positions).
     */
    protected boolean queriesAreASet() {
        return true;
    }

    @Test
    void permutingQueriesPermutesTheOutput() {
        Assumptions.assumeTrue(queriesAreASet(), "the queries of this method carry positions");
        Fixtures f = new Fixtures(105);
        Tensor q = f.uniform(DType.FLOAT64, 1, 2, 2, 9, 6);
        Tensor k = f.uniform(DType.FLOAT64, 1, 2, 2, 7, 6);
        Tensor v = f.uniform(DType.FLOAT64, 1, 2, 2, 7, 6);
        int[] perm = {3, 8, 0, 5, 1, 7, 2, 6, 4};
        Tensor expected = permuteTokens(run(q, k, v), perm);
        assertMaxDiff(expected, run(permuteTokens(q, perm), k, v), SYMMETRY_TOLERANCE);
    }

    /**
     * Whether the keys form a set, so that permuting keys and values together leaves the output; false for a
     * method whose keys carry a position of their own (e.g. a quadrature weight per grid point).
     */
    protected boolean keysAreASet() {
        return true;
    }

    @Test
    void permutingKeysAndValuesTogetherLeavesTheOutput() {
        Assumptions.assumeTrue(keysAreASet(), "the keys of this method carry positions");
        Fixtures f = new Fixtures(106);
        Tensor q = f.uniform(DType.FLOAT64, 1, 2, 2, 5, 6);
        Tensor k = f.uniform(DType.FLOAT64, 1, 2, 2, 8, 6);
        Tensor v = f.uniform(DType.FLOAT64, 1, 2, 2, 8, 6);
        int[] perm = {6, 2, 7, 0, 4, 1, 5, 3};
        assertMaxDiff(run(q, k, v), run(q, permuteTokens(k, perm), permuteTokens(v, perm)), SYMMETRY_TOLERANCE);
    }

    @Test
    void rejectsQueriesOfAnotherRank() {
        Tensor kv = Tensor.zeros(DType.FLOAT32, 1, 2, 5, 4);
        assertArgument("q", () -> run(Tensor.zeros(DType.FLOAT32, 2, 7, 4), kv, kv));
    }

    @Test
    void rejectsKeysOfAnotherBatch() {
        Tensor q = Tensor.zeros(DType.FLOAT32, 1, 2, 7, 4);
        Tensor kv = Tensor.zeros(DType.FLOAT32, 3, 2, 5, 4);
        assertArgument("k", () -> run(q, kv, Tensor.zeros(DType.FLOAT32, 1, 2, 5, 4)));
    }

    @Test
    void rejectsValuesOfAnotherLength() {
        Tensor q = Tensor.zeros(DType.FLOAT32, 1, 2, 7, 4);
        assertArgument("v", () -> run(q, Tensor.zeros(DType.FLOAT32, 1, 2, 5, 4), Tensor.zeros(DType.FLOAT32, 1, 2, 4, 4)));
    }

    @Test
    void rejectsMixedElementTypes() {
        Tensor q = Tensor.zeros(DType.FLOAT32, 1, 2, 7, 4);
        Tensor v = Tensor.zeros(DType.FLOAT32, 1, 2, 5, 4);
        assertArgument("k", () -> run(q, Tensor.zeros(DType.FLOAT64, 1, 2, 5, 4), v));
    }

    @Test
    void rejectsAMaskThatDoesNotBroadcast() {
        Tensor q = Tensor.zeros(DType.FLOAT32, 1, 2, 7, 4);
        Tensor kv = Tensor.zeros(DType.FLOAT32, 1, 2, 5, 4);
        AttentionOptions o = AttentionOptions.builder().mask(Tensor.zeros(DType.BOOL, 3, 3)).build();
        assertArgument("mask", () -> run(call(q, kv, kv).withOptions(o)));
    }

    // ----------------------------------------------------------------------------------------------- helpers

    /** t with its token axis (2) permuted: out[:, :, i, :] = t[:, :, perm[i], :]. */
    public static Tensor permuteTokens(Tensor t, int[] perm) {
        Tensor out = Tensor.zeros(t.dtype(), t.shape());
        for (int b = 0; b < t.dim(0); b++) {
            for (int h = 0; h < t.dim(1); h++) {
                for (int i = 0; i < perm.length; i++) {
                    out.select(b).select(h).select(i).copyFrom(t.select(b).select(h).select(perm[i]));
                }
            }
        }
        return out;
    }

    public static void assertMaxDiff(Tensor expected, Tensor actual, double tolerance) {
        assertArrayEquals(expected.shape(), actual.shape());
        double diff = 0;
        for (int i = 0; i < expected.size(); i++) {
            diff = Math.max(diff, Math.abs(expected.getFlat(i) - actual.getFlat(i)));
        }
        assertTrue(diff <= tolerance, "max |diff| " + diff + " > " + tolerance);
    }

    /** The first {@code rows} query rows of two [B, H, N, D] outputs are identical, bit for bit (causality checks). */
    public static void assertLeadingRowsEqual(Tensor a, Tensor b, int rows) {
        assertArrayEquals(a.shape(), b.shape());
        int n = a.dim(2);
        int d = a.dim(3);
        for (int i = 0; i < a.size(); i++) {
            int row = i / d % n;
            if (row < rows) {
                assertEquals(a.getFlat(i), b.getFlat(i), 0.0, "row " + row);
            }
        }
    }

    public static void assertArgument(String argument, Runnable r) {
        InvalidInputException e = assertThrows(InvalidInputException.class, r::run);
        assertEquals(argument, e.argument(), e.getMessage());
        assertTrue(e.getMessage().startsWith(argument + ": ") && !e.getMessage().contains("\n"), e.getMessage());
    }
}

package org.attune.positional.bias;

import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Npy;
import org.attune.api.tensor.Tensor;
import org.attune.attention.core.AttentionContract;
import org.attune.attention.core.Float64Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * MVPA against a float64 transcription of the reference's {@code _rel_attn} (rel-shifts by padding and reshaping,
 * as {@code _rel_shift} and {@code _rel_shift_chan} do), against content attention when the biases and embeddings
 * are zero, under channel relabelling, for any number of channels, and for causality over time blocks. Tokens
 * carry (time, channel) positions, so the contract's permutation checks do not apply.
 */
class MultiVariateParallelAttentionTest extends AttentionContract {
    private static final org.attune.attention.core.Fixtures DATA = new org.attune.attention.core.Fixtures(350);

    @TempDir
    Path dir;

    @Override
    protected AttentionMechanism method() {
        return new MultiVariateParallelAttention();
    }

    @Override
    protected boolean queriesAreASet() {
        return false;
    }

    @Override
    protected boolean keysAreASet() {
        return false;
    }

    /** The parameters of one test, written to a weights directory. */
    private record Weights(Path dir, double[][] r, double[][] c, double[][][] wr, double[][][] wc, double[][] u,
                           double[][] v, double[][] z) {
    }

    private Weights weights(String name, int steps, int channels, int kvHeads, int d, int m, double scale) {
        Path at = dir.resolve(name);
        try {
            Files.createDirectories(at);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Weights(at, matrix(DATA.write(at, "r", scale, steps, m)), matrix(DATA.write(at, "c", scale, channels, m)),
            cube(DATA.write(at, "wr", scale, kvHeads, d, m)), cube(DATA.write(at, "wc", scale, kvHeads, d, m)),
            matrix(DATA.write(at, "u", scale, kvHeads, d)), matrix(DATA.write(at, "v", scale, kvHeads, d)),
            matrix(DATA.write(at, "z", scale, kvHeads, d)));
    }

    private static void overwrite(Weights w, String name, double[][] table) {
        Tensor t = Tensor.zeros(DType.FLOAT64, table.length, table.length == 0 ? 0 : table[0].length);
        for (int i = 0; i < table.length; i++) {
            for (int j = 0; j < table[i].length; j++) {
                t.set(table[i][j], i, j);
            }
        }
        try {
            Npy.write(w.dir().resolve(name + ".npy"), t);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private AttentionCall mvpa(Tensor q, Tensor k, Tensor v, Weights w, int channels, String window) {
        return call(q, k, v).withParam("weights", w.dir().toString()).withParam("channels", String.valueOf(channels))
            .withParam("window", window);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesTheReferenceTranscriptionWithGroupedHeadsAndAWindow(DType dtype) {
        int c = 3, t = 5, n = c * t;
        Tensor q = DATA.uniform(dtype, 1, 2, 4, n, 6);
        Tensor k = DATA.uniform(dtype, 1, 2, 2, n, 6);
        Tensor v = DATA.uniform(dtype, 1, 2, 2, n, 5);
        Weights w = weights("gqa", t, c, 2, 6, 7, 0.5);
        assertClose("mvpa C=3 T=5 window=1 gqa", reference(q, k, v, w, c, 1, true, 1 / Math.sqrt(6)),
            run(mvpa(q, k, v, w, c, "1")));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesTheReferenceTranscriptionWithoutWindowOrContentTerm(DType dtype) {
        int c = 2, t = 4, n = c * t;
        Tensor q = DATA.uniform(dtype, 1, 1, 2, n, 4);
        Tensor k = DATA.uniform(dtype, 1, 1, 2, n, 4);
        Tensor v = DATA.uniform(dtype, 1, 1, 2, n, 3);
        Weights w = weights("plain", t, c, 2, 4, 4, 0.5);
        assertClose("mvpa C=2 window=none", reference(q, k, v, w, c, -1, true, 0.5),
            run(mvpa(q, k, v, w, c, "none").withOptions(AttentionOptions.builder().scale(0.5).build())));
        assertClose("mvpa C=2 global=false", reference(q, k, v, w, c, -1, false, 0.5),
            run(mvpa(q, k, v, w, c, "none").withParam("global", "false")
                .withOptions(AttentionOptions.builder().scale(0.5).build())));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void aBiasIsAddedAfterScalingAndAMaskAndsWithTheTimeBlocks(DType dtype) {
        int c = 2, t = 4, n = c * t;
        Tensor q = DATA.uniform(dtype, 1, 1, 2, n, 4);
        Tensor k = DATA.uniform(dtype, 1, 1, 2, n, 4);
        Tensor v = DATA.uniform(dtype, 1, 1, 2, n, 3);
        Tensor bias = DATA.uniform(DType.FLOAT64, 0.5, 2, n, n);
        Tensor mask = DATA.mask(0.7, n, n);
        mask.set(1, 0, 0);
        Weights w = weights("bias-mask", t, c, 2, 4, 4, 0.5);
        AttentionOptions o = AttentionOptions.builder().bias(bias).mask(mask).causal(true).build();
        assertClose("mvpa C=2 bias+mask", reference(q, k, v, w, c, 1, true, 0.5, bias, mask),
            run(mvpa(q, k, v, w, c, "1").withOptions(o.toBuilder().scale(0.5).build())));
    }

    @Test
    void anyNumberOfChannelsWorks() {
        for (int c : new int[] {1, 2, 5, 7}) {
            int t = 3, n = c * t;
            Tensor q = DATA.uniform(DType.FLOAT64, 1, 1, 2, n, 4);
            Tensor k = DATA.uniform(DType.FLOAT64, 1, 1, 2, n, 4);
            Tensor v = DATA.uniform(DType.FLOAT64, 1, 1, 2, n, 4);
            Weights w = weights("c" + c, t, c, 2, 4, 8, 0.5);
            assertClose("mvpa C=" + c, reference(q, k, v, w, c, 1, true, 0.5),
                run(mvpa(q, k, v, w, c, "1").withOptions(AttentionOptions.builder().scale(0.5).build())));
            Tensor seeded = run(call(q, k, v).withParam("channels", String.valueOf(c)));
            for (int i = 0; i < seeded.size(); i++) {
                assertTrue(Double.isFinite(seeded.getFlat(i)));
            }
        }
    }

    @Test
    void zeroBiasesAndEmbeddingsGiveContentAttentionCausalOverTimeBlocks() {
        int c = 3, t = 4, n = c * t;
        Tensor q = DATA.uniform(DType.FLOAT64, 1, 2, 2, n, 5);
        Tensor k = DATA.uniform(DType.FLOAT64, 1, 2, 2, n, 5);
        Tensor v = DATA.uniform(DType.FLOAT64, 1, 2, 2, n, 5);
        Weights w = weights("zero", t, c, 2, 5, 6, 0.5);
        overwrite(w, "r", new double[t][6]);
        overwrite(w, "c", new double[c][6]);
        for (String bias : new String[] {"u", "v", "z"}) {
            overwrite(w, bias, new double[2][5]);
        }
        Tensor blocks = Tensor.zeros(DType.BOOL, n, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                blocks.set(j / c <= i / c ? 1 : 0, i, j);
            }
        }
        assertClose("mvpa u=v=z=0, R=C=0 vs sdpa with the time-block mask", Float64Reference.sdpa(array(q), array(k),
            array(v), 1 / Math.sqrt(5), false, blocks, null), run(mvpa(q, k, v, w, c, "none")));
    }

    @Test
    void relShiftsEqualTheExplicitGathersOfRelativeTimeAndChannel() {
        for (int c : new int[] {1, 2, 4}) {
            for (int t : new int[] {1, 3, 5}) {
                int n = c * t;
                double[][] x = matrix(DATA.uniform(DType.FLOAT64, 1, n, t));
                double[][] shifted = relShift(x);
                double[][] y = matrix(DATA.uniform(DType.FLOAT64, 1, n, c));
                double[][] shiftedChan = relShiftChan(y);
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        if (j / c <= i / c) {
                            assertEquals(x[i][t - 1 - (i / c - j / c)], shifted[i][j / c], "time C=" + c + " T=" + t);
                        }
                        assertEquals(y[i][c - 1 - Math.abs(i % c - j % c)], shiftedChan[i][j % c], "channel C=" + c);
                    }
                }
            }
        }
    }

    @Test
    void relabellingChannelsPermutesTheOutputWhenTheChannelEmbeddingOnlySeparatesSameFromDifferent() {
        int c = 4, t = 3, n = c * t;
        int[] sigma = {2, 0, 3, 1};
        Tensor q = DATA.uniform(DType.FLOAT64, 1, 1, 2, n, 4);
        Tensor k = DATA.uniform(DType.FLOAT64, 1, 1, 2, n, 4);
        Tensor v = DATA.uniform(DType.FLOAT64, 1, 1, 2, n, 4);
        Weights w = weights("same-different", t, c, 2, 4, 5, 0.5);
        double[][] table = new double[c][];
        for (int row = 0; row < c; row++) {
            table[row] = row == c - 1 ? w.c()[c - 1] : w.c()[0];
        }
        overwrite(w, "c", table);
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[(i / c) * c + sigma[i % c]] = i;
        }
        Tensor expected = permuteTokens(run(mvpa(q, k, v, w, c, "1")), perm);
        assertMaxDiff(expected, run(mvpa(permuteTokens(q, perm), permuteTokens(k, perm), permuteTokens(v, perm), w, c,
            "1")), 1e-12);
        overwrite(w, "c", w.c());
        Tensor distinct = permuteTokens(run(mvpa(q, k, v, w, c, "1")), perm);
        assertFalse(distinct.contentEquals(run(mvpa(permuteTokens(q, perm), permuteTokens(k, perm), permuteTokens(v,
            perm), w, c, "1"))), "a distance-resolving channel embedding is not relabelling-equivariant");
    }

    @Test
    void laterTimeStepsNeverReachEarlierOnesButTheSameStepDoes() {
        int c = 3, t = 4, n = c * t, step = 1;
        Tensor q = DATA.uniform(DType.FLOAT64, 1, 1, 2, n, 4);
        Tensor k = DATA.uniform(DType.FLOAT64, 1, 1, 2, n, 4);
        Tensor v = DATA.uniform(DType.FLOAT64, 1, 1, 2, n, 4);
        Tensor out = run(call(q, k, v).withParam("channels", "3"));
        Tensor k2 = k.copy(), v2 = v.copy();
        for (int j = (step + 1) * c; j < n; j++) {
            for (int e = 0; e < 4; e++) {
                k2.set(5.0, 0, 0, j, e);
                v2.set(-7.0, 0, 0, j, e);
            }
        }
        Tensor later = run(call(q, k2, v2).withParam("channels", "3"));
        for (int i = 0; i < (step + 1) * c; i++) {
            for (int e = 0; e < 4; e++) {
                assertEquals(out.get(0, 0, i, e), later.get(0, 0, i, e), "query " + i);
            }
        }
        Tensor v3 = v.copy();
        v3.set(9.0, 0, 0, step * c + 2, 0);
        assertTrue(run(call(q, k, v3).withParam("channels", "3")).get(0, 0, step * c, 0) != out.get(0, 0, step * c, 0),
            "a later channel of the same time step is attended");
    }

    @Test
    void badChannelsWindowGlobalAndWeightsAreNamed() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 1, 7, 4);
        assertArgument("--opt channels", () -> run(call(x, x, x).withParam("channels", "2")));
        assertArgument("--opt channels", () -> run(call(x, x, x).withParam("channels", "0")));
        assertArgument("--opt window", () -> run(call(x, x, x).withParam("window", "-1")));
        assertArgument("--opt window", () -> run(call(x, x, x).withParam("window", "wide")));
        assertArgument("--opt global", () -> run(call(x, x, x).withParam("global", "yes")));
        assertArgument("window", () -> run(call(x, x, x).withOptions(AttentionOptions.builder().window(2, 0).build())));
        Weights w = weights("bad", 7, 1, 1, 4, 3, 0.5);
        overwrite(w, "c", new double[2][3]);
        assertArgument("--opt weights", () -> run(call(x, x, x).withParam("weights", w.dir().toString())));
        assertArgument("--opt weights", () -> run(call(x, x, x).withParam("weights", dir.resolve("missing").toString())));
    }

    // ------------------------------------------------------------------------------- float64 reference

    /**
     * The reference's {@code _rel_attn} in float64 (self-attention, no dropout, no head mask): the time and channel
     * scores rel-shifted by the reference's own pad-and-reshape and index constructions, repeated over channels and
     * time steps, the windowed content term added, scaled, block-causally masked, softmax, times v.
     */
    private static double[][][][] reference(Tensor qt, Tensor kt, Tensor vt, Weights w, int c, int window,
                                            boolean global, double scale) {
        return reference(qt, kt, vt, w, c, window, global, scale, null, null);
    }

    /** As above, with an additive bias [.., N, N] after scaling and a mask [N, N] anded with the time blocks. */
    private static double[][][][] reference(Tensor qt, Tensor kt, Tensor vt, Weights w, int c, int window,
                                            boolean global, double scale, Tensor bias, Tensor mask) {
        double[][][][] q = array(qt), k = array(kt), v = array(vt);
        int heads = q[0].length, group = heads / k[0].length, n = q[0][0].length, t = n / c;
        double[][][][] s = new double[q.length][heads][n][n];
        for (int b = 0; b < q.length; b++) {
            for (int h = 0; h < heads; h++) {
                int g = h / group;
                double[][] timeKeys = project(w.wr()[g], w.r()), channelKeys = project(w.wc()[g], w.c());
                double[][] timeAtt = new double[n][t], chanAtt = new double[n][c];
                for (int i = 0; i < n; i++) {
                    for (int tau = 0; tau < t; tau++) {
                        timeAtt[i][tau] = dot(q[b][h][i], w.v()[g], timeKeys[tau]);
                    }
                    for (int gamma = 0; gamma < c; gamma++) {
                        chanAtt[i][gamma] = dot(q[b][h][i], w.z()[g], channelKeys[gamma]);
                    }
                }
                double[][] time = relShift(timeAtt), chan = relShiftChan(chanAtt);
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        double a = time[i][j / c] + chan[i][j % c];
                        boolean inWindow = window < 0 || Math.abs(i / c - j / c) <= window || i >= n - c;
                        if (global && inWindow) {
                            a += dot(q[b][h][i], w.u()[g], k[b][g][j]);
                        }
                        s[b][h][i][j] = a * scale + (bias == null ? 0 : Float64Reference.broadcast(bias, b, h, i, j));
                    }
                }
            }
        }
        Tensor blocks = Tensor.zeros(DType.BOOL, n, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                blocks.set(j / c <= i / c && (mask == null || mask.get(i, j) != 0) ? 1 : 0, i, j);
            }
        }
        return Float64Reference.attend(s, v, blocks, false);
    }

    /** The reference's {@code _rel_shift} on one [N, T] plane: view as [T, N], pad a zero column, view as [N + 1, T], drop row 0. */
    private static double[][] relShift(double[][] x) {
        int rows = x.length, cols = rows == 0 ? 0 : x[0].length;
        double[] flat = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(x[r], 0, flat, r * cols, cols);
        }
        double[] padded = new double[cols * (rows + 1)];
        for (int a = 0; a < cols; a++) {
            System.arraycopy(flat, a * rows, padded, a * (rows + 1) + 1, rows);
        }
        double[][] out = new double[rows][cols];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(padded, (r + 1) * cols, out[r], 0, cols);
        }
        return out;
    }

    /**
     * The reference's {@code _rel_shift_chan} on one [N, C] plane: the index matrix with {@code arange(1, C − i)} on
     * row i's upper triangle, mirrored, read as C − 1 − index, tiled over the time steps, gathered per row.
     */
    private static double[][] relShiftChan(double[][] x) {
        int rows = x.length, c = x[0].length;
        int[][] index = new int[c][c];
        for (int i = 0; i < c - 1; i++) {
            for (int j = i + 1, val = 1; j < c; j++, val++) {
                index[i][j] = val;
                index[j][i] = val;
            }
        }
        double[][] out = new double[rows][c];
        for (int r = 0; r < rows; r++) {
            for (int col = 0; col < c; col++) {
                out[r][col] = x[r][c - 1 - index[r % c][col]];
            }
        }
        return out;
    }

    /** W e[τ] for every row τ: w [D, M], e [R, M] → [R, D]. */
    private static double[][] project(double[][] w, double[][] e) {
        double[][] out = new double[e.length][w.length];
        for (int t = 0; t < e.length; t++) {
            for (int x = 0; x < w.length; x++) {
                for (int y = 0; y < e[t].length; y++) {
                    out[t][x] += w[x][y] * e[t][y];
                }
            }
        }
        return out;
    }

    /** (q + bias)·key. */
    private static double dot(double[] q, double[] bias, double[] key) {
        double s = 0;
        for (int e = 0; e < q.length; e++) {
            s += (q[e] + bias[e]) * key[e];
        }
        return s;
    }

    private static double[][] matrix(Tensor t) {
        return Float64Reference.matrix(t);
    }

    private static double[][][] cube(Tensor t) {
        double[][][] a = new double[t.dim(0)][t.dim(1)][t.dim(2)];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                for (int l = 0; l < a[i][j].length; l++) {
                    a[i][j][l] = t.get(i, j, l);
                }
            }
        }
        return a;
    }
}

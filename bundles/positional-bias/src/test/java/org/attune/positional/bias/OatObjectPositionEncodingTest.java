package org.attune.positional.bias;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

import org.attune.api.position.EncodingForm;
import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Npy;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OatObjectPositionEncodingTest extends EncodingContract {
    @TempDir
    Path dir;

    private final SplittableRandom random = new SplittableRandom(11);

    @Override
    PositionalEncoding method() {
        return new OatObjectPositionEncoding();
    }

    @Override
    EncodingForm form() {
        return EncodingForm.ABSOLUTE;
    }

    @Override
    List<String> claims() {
        return List.of();
    }

    @Override
    Map<String, String> params() {
        return Map.of("cells", cells("contract", shelf(24)));
    }

    /** {@code n} random cells of OAT's Amazon shelf: rows 0..6, columns 0..13, layer 0 or 1. */
    private long[] shelf(int n) {
        long[] c = new long[3 * n];
        for (int p = 0; p < n; p++) {
            c[3 * p] = random.nextInt(7);
            c[3 * p + 1] = random.nextInt(14);
            c[3 * p + 2] = random.nextInt(2);
        }
        return c;
    }

    private String cells(String name, long[] cells) {
        return write(name, Tensor.of(cells, cells.length / 3, 3));
    }

    private String write(String name, Tensor t) {
        Path p = dir.resolve(name + ".npy");
        try {
            Npy.write(p, t);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return p.toString();
    }

    private Tensor[] encode(Tensor q, Tensor k, int offQ, int offK, Map<String, String> params) {
        var r = method().encode(PositionalCall.tokens(q, k).withOffsets(offQ, offK).withParams(params), Fixtures.BACKEND);
        return new Tensor[] {r.q(), r.k()};
    }

    /**
     * Literal float64 transcription of {@code PositionalEncoding3D} at one cell: {@code channels =
     * int(np.ceil(w / 6) * 2)}, {@code inv_freq} of the function choice over {@code arange(0, channels, 2)},
     * {@code get_emb} (sin and cos stacked on a last axis and flattened), x, y, z blocks, then {@code [:w]}.
     */
    private static double[] codeSinusoid(long[] cell, int w, String function, double alpha) {
        int channels = (int) (Math.ceil(w / 6.0) * 2);
        double[] invFreq = new double[(channels + 1) / 2];
        for (int j = 0, a = 0; a < channels; a += 2, j++) {
            invFreq[j] = switch (function) {
                case "original" -> 1.0 / Math.pow(10000, (double) a / channels);
                case "exp1" -> Math.pow(a, alpha) / channels;
                case "exp2" -> Math.pow((double) a / channels, alpha);
                case "linear" -> a * alpha / channels;
                default -> throw new IllegalArgumentException(function);
            };
        }
        double[] emb = new double[3 * channels];
        for (int axis = 0; axis < 3; axis++) {
            for (int j = 0; j < invFreq.length; j++) {
                double sinInp = cell[axis] * invFreq[j];
                emb[axis * channels + 2 * j] = Math.sin(sinInp);
                emb[axis * channels + 2 * j + 1] = Math.cos(sinInp);
            }
        }
        return Arrays.copyOf(emb, w);
    }

    /** Literal transcription of {@code calculate3DPositional_learned} with OAT's four appended zero rows. */
    private static double[] codeLearned(long[] cell, int w, double[][] table) {
        int columns = table[0].length;
        double[][] pe = new double[table.length + 4][columns];
        for (int r = 0; r < table.length; r++) {
            pe[r] = table[r].clone();
        }
        double[] cat = new double[3 * columns];
        for (int axis = 0; axis < 3; axis++) {
            System.arraycopy(pe[(int) cell[axis]], 0, cat, axis * columns, columns);
        }
        return Arrays.copyOf(cat, w);
    }

    /** x [B, H, N, D] with PE(cell of offset + n) added to the last w channels of each token's width H·D. */
    private static double[] expected(Tensor x, int offset, long[] cells, int w, Function<long[], double[]> pe) {
        int h = x.dim(1), n = x.dim(2), d = x.dim(3), e = h * d;
        double[] out = x.toDoubleArray();
        for (int b = 0; b < x.dim(0); b++) {
            for (int t = 0; t < n; t++) {
                int p = offset + t;
                double[] v = pe.apply(new long[] {cells[3 * p], cells[3 * p + 1], cells[3 * p + 2]});
                for (int ch = e - w; ch < e; ch++) {
                    out[((b * h + ch / d) * n + t) * d + ch % d] += v[ch - (e - w)];
                }
            }
        }
        return out;
    }

    /** Each sinusoid family against the transcription, keys on their own cells at another offset. */
    @Test
    void matchesTheCodesSinusoidsForEveryFunctionChoice() {
        long[] cq = shelf(9), ck = shelf(12);
        Fixtures f = new Fixtures(2);
        Tensor q = f.uniform(DType.FLOAT64, 2, 4, 5, 6), k = f.uniform(DType.FLOAT64, 2, 4, 6, 6);
        for (String function : List.of("original", "exp1", "exp2", "linear")) {
            for (int w : new int[] {12, 17, 24}) {
                Map<String, String> params = Map.of("cells", cells("q", cq), "cells-k", cells("k", ck),
                    "function", function, "alpha", "0.7", "width", Integer.toString(w));
                Tensor[] out = encode(q, k, 3, 5, params);
                Fixtures.assertClose(function + " w=" + w + " q", expected(q, 3, cq, w,
                    c -> codeSinusoid(c, w, function, 0.7)), out[0], 1e-14);
                Fixtures.assertClose(function + " w=" + w + " k", expected(k, 5, ck, w,
                    c -> codeSinusoid(c, w, function, 0.7)), out[1], 1e-14);
            }
        }
    }

    /**
     * OAT's layout: E = 512, w = 256, C = 86 channels per axis (the layer block loses its last pair); with the
     * feature half of the embedding given and the encoding half zero, the result is the concatenation
     * [features, PE] that {@code Seq2SeqTransformer.forward} builds. float32 embeddings: within float32 rounding.
     */
    @Test
    void isTheCodesConcatenationAtItsDefaultWidth() {
        long[] cq = shelf(3);
        Fixtures f = new Fixtures(7);
        Tensor q = f.uniform(DType.FLOAT32, 1, 4, 3, 128);
        for (int i = 0; i < q.size(); i++) {
            if (i / (3 * 128) >= 2) {
                q.setFlat(i, 0);
            }
        }
        Tensor[] out = encode(q, q, 0, 0, Map.of("cells", cells("c", cq)));
        for (int t = 0; t < 3; t++) {
            long[] cell = {cq[3 * t], cq[3 * t + 1], cq[3 * t + 2]};
            double[] pe = codeSinusoid(cell, 256, "original", 0.9);
            for (int ch = 0; ch < 512; ch++) {
                double want = ch < 256 ? q.get(0, ch / 128, t, ch % 128) : pe[ch - 256];
                assertEquals(want, out[0].get(0, ch / 128, t, ch % 128), 4e-7, "token " + t + " channel " + ch);
            }
        }
        assertEquals(Math.cos(cq[2] * Math.pow(10000, -82.0 / 86)), out[0].get(0, 3, 0, 127), 4e-7,
            "the last channel is the cosine of the layer's pair 41 of 43");
    }

    /** Tokens with the same cell get the same encoding, wherever they sit; repeated calls agree bit for bit. */
    @Test
    void isADeterministicFunctionOfTheCell() {
        long[] cells = {2, 5, 1, 0, 3, 0, 2, 5, 1, 4, 4, 1, 0, 3, 0, 2, 5, 1};
        Tensor zero = Tensor.zeros(DType.FLOAT64, 1, 2, 6, 8);
        for (String function : List.of("original", "learned")) {
            Map<String, String> params = Map.of("cells", cells("d", cells), "function", function, "width", "16");
            Tensor a = encode(zero, zero, 0, 0, params)[0], b = encode(zero, zero, 0, 0, params)[0];
            assertTrue(a.contentEquals(b), function + ": repeated call differs");
            for (int[] same : new int[][] {{0, 2}, {0, 5}, {1, 4}}) {
                for (int ch = 0; ch < 16; ch++) {
                    assertEquals(a.get(0, ch / 8, same[0], ch % 8), a.get(0, ch / 8, same[1], ch % 8), 0,
                        function + ": positions " + same[0] + ", " + same[1]);
                }
            }
            boolean differs = false;
            for (int ch = 0; ch < 16; ch++) {
                differs |= a.get(0, ch / 8, 0, ch % 8) != a.get(0, ch / 8, 3, ch % 8);
            }
            assertTrue(differs, function + ": different cells, same encoding");
        }
    }

    /**
     * Moving every cell by (Δr, Δc, Δl) rotates the pair (sin, cos) of frequency ωₖ on axis a by θ = Δₐ·ωₖ:
     * sin(x + θ) = sin x cos θ + cos x sin θ, cos(x + θ) = cos x cos θ − sin x sin θ; Gram matrices are unchanged.
     */
    @Test
    void shiftingAllCellsRotatesEachFrequencyPair() {
        int w = 24, channels = 8;
        long[] cells = shelf(7);
        Tensor zero = Tensor.zeros(DType.FLOAT64, 1, 4, 7, 12);
        for (String function : List.of("original", "exp1", "linear")) {
            Tensor a = encode(zero, zero, 0, 0, Map.of("cells", cells("a", cells), "function", function))[0];
            for (long[] delta : new long[][] {{1, 0, 0}, {-3, 7, 1}, {40, -11, -2}}) {
                long[] moved = cells.clone();
                for (int i = 0; i < moved.length; i++) {
                    moved[i] += delta[i % 3];
                }
                Tensor b = encode(zero, zero, 0, 0, Map.of("cells", cells("b", moved), "function", function))[0];
                double[] omega = new double[channels / 2];
                for (int kk = 0; kk < omega.length; kk++) {
                    double i = 2.0 * kk;
                    omega[kk] = switch (function) {
                        case "original" -> Math.pow(10000, -i / channels);
                        case "exp1" -> Math.pow(i, 0.9) / channels;
                        default -> i * 0.9 / channels;
                    };
                }
                for (int t = 0; t < 7; t++) {
                    double[] pa = slice(a, t, w), pb = slice(b, t, w);
                    for (int ch = 0; ch < w; ch += 2) {
                        double theta = delta[ch / channels] * omega[ch % channels / 2];
                        double s = pa[ch], c = pa[ch + 1];
                        assertEquals(s * Math.cos(theta) + c * Math.sin(theta), pb[ch], 1e-12, function + " sin " + ch);
                        assertEquals(c * Math.cos(theta) - s * Math.sin(theta), pb[ch + 1], 1e-12, function + " cos " + ch);
                    }
                    for (int u = 0; u < 7; u++) {
                        assertEquals(dot(pa, slice(a, u, w)), dot(pb, slice(b, u, w)), 1e-12, function + " Gram");
                    }
                }
            }
        }
    }

    /** The encoded (last w) channels of token t of a [1, H, N, D] tensor. */
    private static double[] slice(Tensor x, int t, int w) {
        int d = x.dim(3), e = x.dim(1) * d;
        double[] out = new double[w];
        for (int ch = e - w; ch < e; ch++) {
            out[ch - (e - w)] = x.get(0, ch / d, t, ch % d);
        }
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** A loaded table [R, C'] is looked up row by row, exactly; rows R to R + 3 are OAT's zero rows. */
    @Test
    void learnedVariantLooksRowsUpExactly() {
        int r = 5, c = 6, w = 16;
        double[][] table = new double[r][c];
        double[] flat = new double[r * c];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = 2 * random.nextDouble() - 1;
            table[i / c][i % c] = flat[i];
        }
        long[] cells = {0, 4, 1, 3, 2, 0, 5, 8, 4, 1, 1, 7, 8, 0, 2};
        Fixtures f = new Fixtures(9);
        Tensor q = f.uniform(DType.FLOAT64, 2, 2, 5, 10), zero = Tensor.zeros(DType.FLOAT64, 2, 2, 5, 10);
        Map<String, String> params = Map.of("cells", cells("l", cells), "function", "learned",
            "table", write("t", Tensor.of(flat, r, c)), "width", Integer.toString(w));
        Fixtures.assertClose("q", expected(q, 0, cells, w, cell -> codeLearned(cell, w, table)),
            encode(q, q, 0, 0, params)[0], 1e-15);
        Fixtures.assertClose("zero", expected(zero, 0, cells, w, cell -> codeLearned(cell, w, table)),
            encode(zero, zero, 0, 0, params)[0], 0);
    }

    /** Without a file the table is N(0, 1) [rows, 2⌈w/6⌉] drawn from the seed, as OAT starts its fit. */
    @Test
    void seededTableIsTheDrawOfItsSeed() {
        int w = 16;
        long[] cells = {13, 0, 1, 2, 17, 0, 6, 9, 1};
        Tensor zero = Tensor.zeros(DType.FLOAT64, 1, 4, 3, 8);
        Map<String, String> params = new HashMap<>(Map.of("cells", cells("s", cells), "function", "learned",
            "width", Integer.toString(w), "seed", "3"));
        double[] flat = ParameterTables.draw(new SplittableRandom(3), ParameterTables.Draw.NORMAL, 1.0, 14, 6)
            .doubleData();
        double[][] table = new double[14][6];
        for (int i = 0; i < flat.length; i++) {
            table[i / 6][i % 6] = flat[i];
        }
        Tensor a = encode(zero, zero, 0, 0, params)[0];
        Fixtures.assertClose("seed 3", expected(zero, 0, cells, w, cell -> codeLearned(cell, w, table)), a, 0);
        params.put("seed", "4");
        assertFalse(a.contentEquals(encode(zero, zero, 0, 0, params)[0]), "seeds 3 and 4 gave the same table");
    }

    /**
     * {@code grid=3x11x2} is OAT's tabulated sinusoid: in-grid cells get the formula, row 3 gets zeros
     * ({@code calculate3DPositional}'s {@code a[0] != 3} guard), cells the table lacks are rejected.
     */
    @Test
    void gridReproducesTheCodesTableAndItsZeroRow() {
        long[] cells = {2, 10, 1, 3, 5, 1, 0, 0, 0, 3, 0, 0};
        Tensor zero = Tensor.zeros(DType.FLOAT64, 1, 2, 4, 12);
        Map<String, String> grid = Map.of("cells", cells("g", cells), "grid", "3x11x2");
        Tensor out = encode(zero, zero, 0, 0, grid)[0];
        Fixtures.assertClose("grid", expected(zero, 0, cells, 12, c -> c[0] == 3 ? new double[12]
            : codeSinusoid(c, 12, "original", 0.9)), out, 1e-15);
        assertEquals(0, dot(slice(out, 1, 12), slice(out, 1, 12)), 0, "row 3 is zero");
        for (long[] outside : new long[][] {{2, 11, 0}, {0, 0, 2}, {-1, 0, 0}, {4, 0, 0}}) {
            long[] bad = {outside[0], outside[1], outside[2], 0, 0, 0, 0, 0, 0, 0, 0, 0};
            Fixtures.assertArgument("--pe-option cells", () -> encode(zero, zero, 0, 0,
                Map.of("cells", cells("o", bad), "grid", "3x11x2")));
        }
        String ok = cells("ok", new long[12]);
        for (String malformed : List.of("3x11", "3x0x2", "axbxc", "3x11x2x1")) {
            Fixtures.assertArgument("--pe-option grid", () -> encode(zero, zero, 0, 0,
                Map.of("cells", ok, "grid", malformed)));
        }
        Fixtures.assertArgument("--pe-option grid", () -> encode(zero, zero, 0, 0,
            Map.of("cells", ok, "grid", "3x11x2", "function", "learned")));
    }

    @Test
    void rejectsBadCellsTablesAndOptions() {
        Tensor q = Tensor.zeros(DType.FLOAT64, 1, 2, 4, 8);
        String good = cells("good", shelf(4));
        Fixtures.assertArgument("--pe-option cells", () -> encode(q, q, 0, 0, Map.of()));
        Fixtures.assertArgument("--pe-option cells", () -> encode(q, q, 0, 0,
            Map.of("cells", write("float", Tensor.of(new double[12], 4, 3)))));
        Fixtures.assertArgument("--pe-option cells", () -> encode(q, q, 0, 0,
            Map.of("cells", write("pairs", Tensor.of(new long[8], 4, 2)))));
        Fixtures.assertArgument("--pe-option cells", () -> encode(q, q, 1, 0, Map.of("cells", good)));
        Fixtures.assertArgument("--pe-option cells", () -> encode(q, q, 0, 1, Map.of("cells", good)));
        Fixtures.assertArgument("--pe-option cells-k", () -> encode(q, q, 0, 0,
            Map.of("cells", good, "cells-k", cells("short", shelf(3)))));
        Fixtures.assertArgument("--pe-option cells", () -> encode(q, q, 0, 0,
            Map.of("cells", write("missing", Tensor.of(new long[12], 4, 3)) + ".gone")));
        String table = write("table", Tensor.of(new double[2 * 6], 2, 6));
        Fixtures.assertArgument("--pe-option cells", () -> encode(q, q, 0, 0, Map.of("function", "learned",
            "table", table, "cells", cells("high", new long[] {0, 0, 0, 1, 6, 0, 0, 0, 0, 0, 0, 0}))));
        Fixtures.assertArgument("--pe-option cells-k", () -> encode(q, q, 0, 0, Map.of("function", "learned",
            "table", table, "cells", cells("zeros", new long[12]), "cells-k", cells("neg", new long[] {0, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0, 0}))));
        Fixtures.assertArgument("--pe-option table", () -> encode(q, q, 0, 0, Map.of("function", "learned",
            "cells", good, "width", "16", "table", write("narrow", Tensor.of(new double[10], 2, 5)))));
        Fixtures.assertArgument("--pe-option table", () -> encode(q, q, 0, 0, Map.of("function", "learned",
            "cells", good, "table", write("rank3", Tensor.of(new double[12], 2, 3, 2)))));
        Fixtures.assertArgument("--pe-option function", () -> encode(q, q, 0, 0, Map.of("cells", good, "function", "bbox")));
        Fixtures.assertArgument("--pe-option width", () -> encode(q, q, 0, 0, Map.of("cells", good, "width", "17")));
        Fixtures.assertArgument("--pe-option width", () -> encode(q, q, 0, 0, Map.of("cells", good, "width", "0")));
        Fixtures.assertArgument("--pe-option rows", () -> encode(q, q, 0, 0, Map.of("cells", good, "function", "learned",
            "rows", "0")));
        Fixtures.assertArgument("k", () -> encode(q, Tensor.zeros(DType.FLOAT64, 1, 1, 4, 8), 0, 0, Map.of("cells", good)));
    }
}

package org.attune.positional.bias;

import java.nio.file.Path;
import java.util.Arrays;

import org.attune.api.backend.ComputeBackend;
import org.attune.api.position.EncodingForm;
import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.PositionalEncodingMethod;
import org.attune.api.position.PositionalResult;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * OAT's object positional encoding: each object token carries the integer shelf cell (row r, column c, layer l)
 * of its object, and its encoding is three per-axis codes concatenated. Fang et al., "OAT: Object-Level Attention
 * Transformer for Gaze Scanpath Prediction", arXiv:2407.13335 (ECCV 2024), as its public code defines it
 * (HKUST-NISL/oat_eccv24: {@code PositionalEncoding3D}, {@code calculate3DPositional},
 * {@code calculate3DPositional_learned} in {@code src/model/positionalEncoding.py}; {@code Seq2SeqTransformer} in
 * {@code models.py}):
 * <pre>
 *   C = 2⌈w/6⌉ channels per axis, k &lt; C/2, α = alpha:
 *     original  ωₖ = 10000^(−2k/C)      exp1    ωₖ = (2k)^α / C
 *     exp2      ωₖ = (2k/C)^α            linear  ωₖ = 2k·α / C
 *   S(x) = [sin(x·ω₀), cos(x·ω₀), …, sin(x·ω_{C/2−1}), cos(x·ω_{C/2−1})] ∈ R^C
 *   sinusoid:  PE(r, c, l) = [S(r), S(c), S(l)][0 : w]
 *   learned:   PE(r, c, l) = [T'[r], T'[c], T'[l]][0 : w],   T' = T with four zero rows appended
 *   x'ₙ[e] = xₙ[e] + PE(cellₙ)[e − (E − w)]  for E − w ≤ e &lt; E,   x'ₙ[e] = xₙ[e] below
 * </pre>
 * OAT concatenates the encoding (w = E/2 = 256) to the E − w features of an object's image crop; here it is
 * added to the last w channels of the embedding of width E = H·D, which is that concatenation when the caller
 * leaves those channels zero. Token i of the queries has cell row {@code queryOffset + i} of {@code cells} (an
 * int64 {@code .npy} [P, 3]), key j row {@code keyOffset + j} of {@code cells-k} (default {@code cells}).
 *
 * <p>{@code function} picks OAT's {@code -functionChoice}: {@code original} (the default here) and the altered
 * families {@code exp1}, {@code exp2}, {@code linear} with {@code alpha} (OAT's default 0.9), or {@code learned}
 * (OAT's default run): the table T [R, C'] (3C' ≥ w) from {@code table=FILE.npy}, which OAT fits offline
 * ({@code positionalEncodingLearned.py}), or else drawn N(0, 1) [rows, C] from {@code seed}, the start of that
 * fit. A learned cell coordinate must lie in [0, R + 4). The sinusoid is evaluated at any integer cell; OAT
 * tabulates it on a 3 × 11 × 2 grid, indexes that table and gives row 3 (its end and padding tokens) zeros, which
 * {@code grid=3x11x2} reproduces (row R zero, other cells outside the grid rejected). No certificate claim: the
 * encoding reads cells, not positions; moving every cell by (Δr, Δc, Δl) rotates each (sin, cos) pair of axis a
 * by Δₐ·ωₖ (tested).
 */
@Component(service = PositionalEncoding.class)
@PositionalEncodingMethod(id = "oat", name = "OAT object positional encoding", family = "absolute",
    paper = "OAT: Object-Level Attention Transformer for Gaze Scanpath Prediction", arxiv = "2407.13335", year = 2024,
    options = {"cells=int64 .npy [P, 3] of each token position's shelf cell (row, column, layer); required",
        "cells-k=int64 .npy [P, 3] of the keys' cells; default cells",
        "function=original|exp1|exp2|linear (sinusoids) or learned (table); default original",
        "alpha=exponent or slope of exp1, exp2, linear; default 0.9",
        "width=w, channels encoded: the last w of heads*dim; default heads*dim/2",
        "table=.npy [R, C'] with 3C' >= w for function=learned; default a seeded table",
        "grid=RxCxL, the sinusoid tabulated on that grid as OAT does (3x11x2): row R encodes as zero, other cells "
            + "outside are rejected; default none (any integer cell)",
        "rows=rows R of the seeded table; default 14", "seed=seed of the N(0, 1) table; default 0"})
public final class OatObjectPositionEncoding implements PositionalEncoding {
    /** Zero rows OAT appends to the learned table ({@code extra_token} in {@code Seq2SeqTransformer}). */
    static final int EXTRA_ROWS = 4;

    @Override
    public EncodingForm form() {
        return EncodingForm.ABSOLUTE;
    }

    @Override
    public PositionalResult encode(PositionalCall call, ComputeBackend backend) {
        int e = Embeddings.sharedWidth(call.q(), call.k());
        int w = call.intParam("width", e / 2);
        if (w < 1 || w > e) {
            throw new InvalidInputException(PositionalCall.option("width"), "expected 1 to heads*dim = " + e + ", got " + w);
        }
        String function = call.param("function", "original").strip();
        Encoder encoder = function.equals("learned") ? learned(call, w) : sinusoid(call, function, w);
        int endQ = call.queryOffset() + call.q().dim(2), endK = call.keyOffset() + call.k().dim(2);
        String keys = call.param("cells-k", "").isBlank() ? "cells" : "cells-k";
        long[][] cellsQ = cells(call, "cells", keys.equals("cells") ? Math.max(endQ, endK) : endQ);
        long[][] cellsK = keys.equals("cells") ? cellsQ : cells(call, keys, endK);
        return PositionalResult.tokens(add(call.q(), call.queryOffset(), cellsQ, encoder, w, "cells"),
            add(call.k(), call.keyOffset(), cellsK, encoder, w, keys));
    }

    /** The encoding of one cell, width w; {@code option} names the cells for errors. */
    @FunctionalInterface
    private interface Encoder {
        double[] encode(long[] cell, String option, int position);
    }

    private static Encoder sinusoid(PositionalCall call, String function, int w) {
        int channels = 2 * ((w + 5) / 6);
        double alpha = call.doubleParam("alpha", 0.9);
        double[] omega = new double[channels / 2];
        for (int k = 0; k < omega.length; k++) {
            double i = 2.0 * k;
            omega[k] = switch (function) {
                case "original" -> 1 / Math.pow(10000, i / channels);
                case "exp1" -> Math.pow(i, alpha) / channels;
                case "exp2" -> Math.pow(i / channels, alpha);
                case "linear" -> i * alpha / channels;
                default -> throw new InvalidInputException(PositionalCall.option("function"),
                    "expected original, exp1, exp2, linear or learned, got '" + function + "'");
            };
        }
        long[] grid = grid(call);
        return (cell, option, position) -> {
            double[] pe = new double[w];
            if (grid != null) {
                if (cell[0] == grid[0]) {
                    return pe;
                }
                for (int a = 0; a < 3; a++) {
                    if (cell[a] < 0 || cell[a] >= grid[a]) {
                        throw new InvalidInputException(PositionalCall.option(option), "cell " + Arrays.toString(cell)
                            + " of position " + position + " is outside the grid " + Arrays.toString(grid)
                            + " (row " + grid[0] + " encodes as zero)");
                    }
                }
            }
            for (int ch = 0; ch < w; ch++) {
                double angle = cell[ch / channels] * omega[ch % channels / 2];
                pe[ch] = ch % 2 == 0 ? Math.sin(angle) : Math.cos(angle);
            }
            return pe;
        };
    }

    /** The {@code grid} parameter R×C×L, or null when absent. */
    private static long[] grid(PositionalCall call) {
        String g = call.param("grid", "").strip();
        if (g.isEmpty()) {
            return null;
        }
        String[] parts = g.split("x");
        long[] out = new long[3];
        try {
            for (int a = 0; a < 3 && parts.length == 3; a++) {
                out[a] = Long.parseLong(parts[a].strip());
            }
        } catch (NumberFormatException e) {
            parts = new String[0];
        }
        if (parts.length != 3 || out[0] < 1 || out[1] < 1 || out[2] < 1) {
            throw new InvalidInputException(PositionalCall.option("grid"), "expected RxCxL of positive integers such as "
                + "3x11x2, got '" + g + "'");
        }
        return out;
    }

    private static Encoder learned(PositionalCall call, int w) {
        if (!call.param("grid", "").isBlank()) {
            throw new InvalidInputException(PositionalCall.option("grid"), "applies to the sinusoids, not function=learned");
        }
        int columns = 2 * ((w + 5) / 6);
        boolean file = !call.param("table", "").isBlank();
        int rows = call.intParam("rows", 14);
        if (!file && rows < 1) {
            throw new InvalidInputException(PositionalCall.option("rows"), "expected >= 1, got " + rows);
        }
        Tensor table = ParameterTables.of(call, "table", "[R, C']", ParameterTables.Draw.NORMAL, 1.0,
            file ? -1 : rows, file ? -1 : columns);
        int r = table.dim(0), c = table.dim(1);
        if (3L * c < w) {
            throw new InvalidInputException(PositionalCall.option("table"), "expected 3C' >= width " + w + ", got C' = " + c);
        }
        double[] t = table.doubleData();
        int base = table.offset();
        return (cell, option, position) -> {
            double[] pe = new double[w];
            for (int a = 0; a < 3; a++) {
                if (cell[a] < 0 || cell[a] >= r + EXTRA_ROWS) {
                    throw new InvalidInputException(PositionalCall.option(option), "cell " + Arrays.toString(cell)
                        + " of position " + position + " is outside the table's rows 0 to " + (r + EXTRA_ROWS - 1)
                        + " (R = " + r + " and " + EXTRA_ROWS + " zero rows)");
                }
            }
            for (int ch = 0; ch < w; ch++) {
                long row = cell[ch / c];
                pe[ch] = row < r ? t[base + (int) row * c + ch % c] : 0;
            }
            return pe;
        };
    }

    /** Rows 0 to {@code needed} − 1 of the int64 [P, 3] file named by {@code option}. */
    private static long[][] cells(PositionalCall call, String option, int needed) {
        String name = PositionalCall.option(option);
        String file = call.param(option, "").strip();
        if (file.isEmpty()) {
            throw new InvalidInputException(name, "expected an int64 .npy file [P, 3] of shelf cells (row, column, layer)");
        }
        Tensor t = ParameterTables.read(name, Path.of(file), "[P, 3] (row, column, layer)", new DType[] {DType.INT64},
            -1, 3);
        if (t.dim(0) < needed) {
            throw new InvalidInputException(name, "expected a cell for each position up to " + (needed - 1) + ", got "
                + t.dim(0) + " rows");
        }
        long[] data = t.longData();
        long[][] out = new long[needed][3];
        for (int p = 0; p < needed; p++) {
            System.arraycopy(data, t.offset() + 3 * p, out[p], 0, 3);
        }
        return out;
    }

    private static Tensor add(Tensor x, int offset, long[][] cells, Encoder encoder, int w, String option) {
        int n = x.dim(2);
        double[][] pe = new double[n][];
        for (int i = 0; i < n; i++) {
            pe[i] = encoder.encode(cells[offset + i], option, offset + i);
        }
        return Embeddings.add(x, offset, (p, ch, width) -> ch < width - w ? 0 : pe[(int) p - offset][ch - (width - w)]);
    }
}

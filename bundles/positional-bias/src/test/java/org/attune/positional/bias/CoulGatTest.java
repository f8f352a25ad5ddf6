package org.attune.positional.bias;

import static org.attune.attention.core.AttentionContract.assertArgument;
import static org.attune.attention.core.AttentionContract.assertMaxDiff;
import static org.attune.attention.core.AttentionContract.permuteTokens;
import static org.attune.attention.core.Float64Reference.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.attune.api.attention.AttentionCall;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Npy;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * CoulGAT against a float64 transcription of the reference's {@code single_attn_mod} and {@code single_hidden_out}
 * in its own features × nodes layout, the unit power against the unpowered matrix, node relabelling, seeded
 * parameters, and one-line errors.
 */
class CoulGatTest {
    private static final org.attune.attention.core.Fixtures DATA = new org.attune.attention.core.Fixtures(118);
    private static final CoulGat METHOD = new CoulGat();

    @TempDir
    Path dir;

    private static Tensor run(AttentionCall call) {
        return METHOD.attend(call, Fixtures.BACKEND);
    }

    private static void save(Path file, Tensor t) {
        try {
            Files.createDirectories(file.getParent());
            Npy.write(file, t);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Entries in [0.1, 2.1), exact in float32: inverse-distance-like, positive. */
    private static Tensor positive(int... shape) {
        Tensor t = DATA.uniform(DType.FLOAT64, 1, shape);
        for (int i = 0; i < t.size(); i++) {
            t.setFlat(i, 1.1 + t.getFlat(i));
        }
        return t;
    }

    /** w, b, a, p of the given sizes in {@code at}, uniform in ±0.5 (p in ±1). */
    private static Tensor[] weights(Path at, int heads, int features, int width, int n) {
        try {
            Files.createDirectories(at);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Tensor[] {DATA.write(at, "w", 0.5, heads, features, width), DATA.write(at, "b", 0.5, heads, features, n),
            DATA.write(at, "a", 0.5, heads, n, features), DATA.write(at, "p", 1, heads, n, n)};
    }

    private static AttentionCall call(Tensor v, Path matrix, Path weights, int heads, int features) {
        return AttentionCall.of(v, v, v).withParam("matrix", matrix.toString()).withParam("weights", weights.toString())
            .withParam("heads", String.valueOf(heads)).withParam("features", String.valueOf(features));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesTheReferenceTranscriptionWithTwoHeadsAndAMatrixPerGraph(DType dtype) {
        int n = 7, heads = 2, features = 4;
        Tensor v = DATA.uniform(dtype, 1, 2, 3, n, 2);
        Tensor a = positive(2, n, n);
        save(dir.resolve("a.npy"), a);
        Tensor[] w = weights(dir.resolve("w"), heads, features, 6, n);
        assertClose("coulgat batch matrix, 2 heads, learned powers", reference(v, a, w, heads, true),
            run(call(v, dir.resolve("a.npy"), dir.resolve("w"), heads, features)));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesTheReferenceTranscriptionWithASharedMatrixUnpowered(DType dtype) {
        int n = 5, heads = 1, features = 3;
        Tensor v = DATA.uniform(dtype, 1, 2, 1, n, 4);
        Tensor a = DATA.uniform(DType.FLOAT64, 1, n, n);
        save(dir.resolve("a.npy"), a);
        Tensor[] w = weights(dir.resolve("w"), heads, features, 4, n);
        Tensor batched = Tensor.zeros(DType.FLOAT64, 2, n, n);
        batched.select(0).copyFrom(a);
        batched.select(1).copyFrom(a);
        assertClose("coulgat shared matrix, power=false", reference(v, batched, w, heads, false),
            run(call(v, dir.resolve("a.npy"), dir.resolve("w"), heads, features).withParam("power", "false")));
    }

    @Test
    void unitPowersLeaveTheMatrixAsItIs() {
        int n = 6;
        Tensor v = DATA.uniform(DType.FLOAT64, 1, 1, 2, n, 3);
        save(dir.resolve("a.npy"), positive(n, n));
        Tensor[] w = weights(dir.resolve("w"), 2, 3, 6, n);
        Tensor ones = Tensor.zeros(DType.FLOAT64, 2, n, n);
        for (int i = 0; i < ones.size(); i++) {
            ones.setFlat(i, 1);
        }
        save(dir.resolve("w/p.npy"), ones);
        AttentionCall c = call(v, dir.resolve("a.npy"), dir.resolve("w"), 2, 3);
        assertTrue(run(c).contentEquals(run(c.withParam("power", "false"))), "A^1 = A");
        save(dir.resolve("w/p.npy"), w[3]);
        assertFalse(run(c).contentEquals(run(c.withParam("power", "false"))), "learned powers change the coefficients");
    }

    @Test
    void relabellingTheNodesRelabelsTheOutput() {
        int n = 6, heads = 2, features = 3;
        int[] perm = {4, 0, 5, 2, 1, 3};
        Tensor v = DATA.uniform(DType.FLOAT64, 1, 2, 2, n, 3);
        Tensor a = positive(n, n);
        save(dir.resolve("a.npy"), a);
        Tensor[] w = weights(dir.resolve("w"), heads, features, 6, n);
        Tensor expected = permuteTokens(run(call(v, dir.resolve("a.npy"), dir.resolve("w"), heads, features)), perm);

        Tensor pa = Tensor.zeros(DType.FLOAT64, n, n), pb = Tensor.zeros(DType.FLOAT64, heads, features, n);
        Tensor paa = Tensor.zeros(DType.FLOAT64, heads, n, features), pp = Tensor.zeros(DType.FLOAT64, heads, n, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                pa.set(a.get(perm[i], perm[j]), i, j);
                for (int h = 0; h < heads; h++) {
                    pp.set(w[3].get(h, perm[i], perm[j]), h, i, j);
                }
            }
            for (int h = 0; h < heads; h++) {
                for (int f = 0; f < features; f++) {
                    pb.set(w[1].get(h, f, perm[i]), h, f, i);
                    paa.set(w[2].get(h, perm[i], f), h, i, f);
                }
            }
        }
        save(dir.resolve("pa.npy"), pa);
        save(dir.resolve("pw/w.npy"), w[0]);
        save(dir.resolve("pw/b.npy"), pb);
        save(dir.resolve("pw/a.npy"), paa);
        save(dir.resolve("pw/p.npy"), pp);
        assertMaxDiff(expected, run(call(permuteTokens(v, perm), dir.resolve("pa.npy"), dir.resolve("pw"), heads,
            features)), 1e-12);
    }

    @Test
    void seededParametersAreRepeatableAndTheSeedMatters() {
        int n = 5;
        Tensor v = DATA.uniform(DType.FLOAT32, 1, 1, 2, n, 4);
        save(dir.resolve("a.npy"), positive(n, n));
        AttentionCall c = AttentionCall.of(v, v, v).withParam("matrix", dir.resolve("a.npy").toString())
            .withParam("heads", "3");
        Tensor out = run(c);
        assertArrayEquals(new int[] {1, 3, n, 4}, out.shape());
        assertTrue(out.contentEquals(run(c)));
        assertFalse(out.contentEquals(run(c.withParam("seed", "1"))));
        for (int i = 0; i < out.size(); i++) {
            assertTrue(Double.isFinite(out.getFlat(i)));
        }
    }

    @Test
    void badInputsAreNamed() {
        int n = 4;
        Tensor v = DATA.uniform(DType.FLOAT32, 1, 1, 1, n, 2);
        save(dir.resolve("a.npy"), positive(n, n));
        Tensor zeroEntry = positive(n, n);
        zeroEntry.set(0, 1, 2);
        save(dir.resolve("zero.npy"), zeroEntry);
        save(dir.resolve("wide.npy"), positive(n, n + 1));
        String a = dir.resolve("a.npy").toString();
        AttentionCall ok = AttentionCall.of(v, v, v).withParam("matrix", a);
        assertArgument("--opt matrix", () -> run(AttentionCall.of(v, v, v)));
        assertArgument("--opt matrix", () -> run(ok.withParam("matrix", dir.resolve("wide.npy").toString())));
        assertArgument("--opt matrix", () -> run(ok.withParam("matrix", dir.resolve("none.npy").toString())));
        assertArgument("--opt matrix", () -> run(ok.withParam("matrix", dir.resolve("zero.npy").toString())));
        run(ok.withParam("matrix", dir.resolve("zero.npy").toString()).withParam("power", "false"));
        assertArgument("--opt power", () -> run(ok.withParam("power", "maybe")));
        assertArgument("--opt heads", () -> run(ok.withParam("heads", "0")));
        assertArgument("--opt features", () -> run(ok.withParam("features", "-2")));
        weights(dir.resolve("w"), 1, 2, 3, n);
        assertArgument("--opt weights", () -> run(ok.withParam("weights", dir.resolve("w").toString())));
        Tensor shorter = DATA.uniform(DType.FLOAT32, 1, 1, 1, n - 1, 2);
        assertArgument("q", () -> run(new AttentionCall(shorter, v, v, null, ok.params())));
        assertArgument("mask", () -> run(ok.withOptions(AttentionOptions.builder()
            .mask(Tensor.zeros(DType.BOOL, n, n)).build())));
        assertArgument("causal", () -> run(ok.withOptions(AttentionOptions.builder().causal(true).build())));
        assertArgument("scale", () -> run(ok.withOptions(AttentionOptions.builder().scale(0.5).build())));
    }

    // ------------------------------------------------------------------------------- float64 reference

    /**
     * The reference per graph and head, in its features × nodes layout: WH = W H + b; Adj = softmax(Adj^P) over the
     * last axis; E = leaky_relu(a (WH Adjᵀ)); En = softmax(E) over the last axis; H' = WH Enᵀ (the layer's output
     * activation left out). Returns [B, heads, N, F'].
     */
    private static double[][][][] reference(Tensor vt, Tensor adjacency, Tensor[] weights, int heads, boolean power) {
        int batch = vt.dim(0), n = vt.dim(2), d = vt.dim(3), width = vt.dim(1) * d;
        int features = weights[0].dim(1);
        double[][][][] out = new double[batch][heads][n][features];
        for (int b = 0; b < batch; b++) {
            double[][] h = new double[width][n];
            for (int m = 0; m < n; m++) {
                for (int f = 0; f < width; f++) {
                    h[f][m] = vt.get(b, f / d, m, f % d);
                }
            }
            for (int k = 0; k < heads; k++) {
                double[][] wh = new double[features][n];
                for (int f = 0; f < features; f++) {
                    for (int m = 0; m < n; m++) {
                        double s = weights[1].get(k, f, m);
                        for (int g = 0; g < width; g++) {
                            s += weights[0].get(k, f, g) * h[g][m];
                        }
                        wh[f][m] = s;
                    }
                }
                double[][] adj = new double[n][n];
                for (int j = 0; j < n; j++) {
                    for (int m = 0; m < n; m++) {
                        double x = adjacency.get(b, j, m);
                        adj[j][m] = power ? Math.pow(x, weights[3].get(k, j, m)) : x;
                    }
                    softmax(adj[j]);
                }
                double[][] whAdj = new double[features][n];
                for (int f = 0; f < features; f++) {
                    for (int j = 0; j < n; j++) {
                        for (int m = 0; m < n; m++) {
                            whAdj[f][j] += wh[f][m] * adj[j][m];
                        }
                    }
                }
                double[][] e = new double[n][n];
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        double s = 0;
                        for (int f = 0; f < features; f++) {
                            s += weights[2].get(k, i, f) * whAdj[f][j];
                        }
                        e[i][j] = s >= 0 ? s : 0.2 * s;
                    }
                    softmax(e[i]);
                }
                for (int f = 0; f < features; f++) {
                    for (int i = 0; i < n; i++) {
                        for (int j = 0; j < n; j++) {
                            out[b][k][i][f] += wh[f][j] * e[i][j];
                        }
                    }
                }
            }
        }
        return out;
    }

    private static void softmax(double[] row) {
        double max = Double.NEGATIVE_INFINITY, z = 0;
        for (double x : row) {
            max = Math.max(max, x);
        }
        for (int i = 0; i < row.length; i++) {
            row[i] = Math.exp(row[i] - max);
            z += row[i];
        }
        for (int i = 0; i < row.length; i++) {
            row[i] /= z;
        }
    }
}

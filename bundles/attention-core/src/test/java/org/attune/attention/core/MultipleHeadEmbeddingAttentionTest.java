package org.attune.attention.core;

import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;
import static org.attune.attention.core.Float64Reference.matrix;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

import org.attune.api.attention.AttentionMechanism;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Npy;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MultipleHeadEmbeddingAttentionTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new MultipleHeadEmbeddingAttention();
    }

    /** Xue and Aletras §3, transcribed: Q_h = x W_Q ⊕ e_h (⊕ = + or ⊙), SDPA per head, concat, W_O. */
    static double[][][][] mhe(double[][][][] q, double[][][][] k, double[][][][] v, double[][][] w, boolean mul,
                              int heads, Double scale, boolean causal, Tensor mask, Tensor bias) {
        double[][][][] qh = headed(Float64Reference.linear(Float64Reference.embed(q), w[0], null), w[4], mul);
        double[][][][] kh = headed(Float64Reference.linear(Float64Reference.embed(k), w[1], null), w[5], mul);
        double[][][][] vh = headed(Float64Reference.linear(Float64Reference.embed(v), w[2], null), w[6], mul);
        double sc = scale != null ? scale : 1 / Math.sqrt(qh[0][0][0].length);
        double[][][] o = Float64Reference.embed(Float64Reference.sdpa(qh, kh, vh, sc, causal, mask, bias));
        return Float64Reference.heads(Float64Reference.linear(o, w[3], null), q[0].length);
    }

    private static double[][][][] headed(double[][][] x, double[][] e, boolean mul) {
        double[][][][] t = new double[x.length][e.length][x[0].length][e[0].length];
        for (int b = 0; b < x.length; b++) {
            for (int h = 0; h < e.length; h++) {
                for (int s = 0; s < x[b].length; s++) {
                    for (int c = 0; c < e[h].length; c++) {
                        t[b][h][s][c] = mul ? x[b][s][c] * e[h][c] : x[b][s][c] + e[h][c];
                    }
                }
            }
        }
        return t;
    }

    /** Writes wq, wk, wv [e, e/heads], wo [e, e], eq, ek, ev [heads, e/heads] and returns them in that order. */
    static double[][][] writeWeights(Fixtures f, Path dir, int e, int heads) {
        int dh = e / heads;
        return new double[][][] {matrix(f.write(dir, "wq", 0.4, e, dh)), matrix(f.write(dir, "wk", 0.4, e, dh)),
            matrix(f.write(dir, "wv", 0.4, e, dh)), matrix(f.write(dir, "wo", 0.4, e, e)),
            matrix(f.write(dir, "eq", 0.8, heads, dh)), matrix(f.write(dir, "ek", 0.8, heads, dh)),
            matrix(f.write(dir, "ev", 0.8, heads, dh))};
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void bothModesWithWeightFilesMatchFloat64Reference(DType dtype, @TempDir Path dir) {
        Fixtures f = new Fixtures(310);
        double[][][] w = writeWeights(f, dir, 12, 4);
        Tensor q = f.uniform(dtype, 1, 2, 2, 15, 6);
        Tensor k = f.uniform(dtype, 1, 2, 3, 11, 4);
        Tensor v = f.uniform(dtype, 1, 2, 1, 11, 12);
        Tensor mask = f.mask(0.8, 2, 1, 15, 11);
        Tensor bias = f.uniform(DType.FLOAT64, 0.5, 4, 15, 11);
        AttentionOptions o = AttentionOptions.builder().mask(mask).bias(bias).build();
        for (String mode : new String[] {"add", "mul"}) {
            Tensor out = run(call(q, k, v).withParam("weights", dir.toString()).withParam("heads", "4")
                .withParam("mode", mode).withOptions(o));
            assertClose("mhe " + mode + " files heads=4 mask+bias", mhe(array(q), array(k), array(v), w,
                mode.equals("mul"), 4, null, false, mask, bias), out);
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void seededWeightsFollowTheDocumentedInitialiser(DType dtype) {
        Fixtures f = new Fixtures(311);
        Tensor q = f.uniform(dtype, 1, 1, 3, 9, 4);
        Tensor k = f.uniform(dtype, 1, 1, 3, 9, 4);
        Tensor v = f.uniform(dtype, 1, 1, 3, 9, 4);
        SplittableRandom r = new SplittableRandom(8);
        double[][][] w = {AdditiveAttentionTest.xavier(r, 12, 6), AdditiveAttentionTest.xavier(r, 12, 6),
            AdditiveAttentionTest.xavier(r, 12, 6), AdditiveAttentionTest.xavier(r, 12, 12),
            AdditiveAttentionTest.xavier(r, 2, 6), AdditiveAttentionTest.xavier(r, 2, 6),
            AdditiveAttentionTest.xavier(r, 2, 6)};
        if (dtype == DType.FLOAT32) {
            for (int m = 0; m < w.length; m++) {
                w[m] = MultiHeadAttentionTest.rounded(w[m]);
            }
        }
        Tensor out = run(call(q, k, v).withParam("seed", "8").withParam("heads", "2").withParam("mode", "mul")
            .withOptions(AttentionOptions.builder().causal(true).build()));
        assertClose("mhe mul seed=8 heads=2 causal", mhe(array(q), array(k), array(v), w, true, 2, null, true, null,
            null), out);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void neutralHeadEmbeddingsGiveMultiHeadAttentionWithRepeatedProjections(DType dtype, @TempDir Path dir)
        throws IOException {
        Fixtures f = new Fixtures(312);
        int e = 12, heads = 3, dh = 4;
        Path mhe = Files.createDirectory(dir.resolve("mhe"));
        Path mha = Files.createDirectory(dir.resolve("mha"));
        double[][][] w = writeWeights(f, mhe, e, heads);
        String[] names = {"wq", "wk", "wv"};
        for (int m = 0; m < 3; m++) {
            double[] tiled = new double[e * e];
            for (int r = 0; r < e; r++) {
                for (int c = 0; c < e; c++) {
                    tiled[r * e + c] = w[m][r][c % dh];
                }
            }
            Npy.write(mha.resolve(names[m] + ".npy"), Tensor.of(tiled, e, e));
        }
        Files.copy(mhe.resolve("wo.npy"), mha.resolve("wo.npy"));
        Tensor q = f.uniform(dtype, 1, 1, 3, 10, 4);
        Tensor k = f.uniform(dtype, 1, 1, 3, 7, 4);
        Tensor v = f.uniform(dtype, 1, 1, 3, 7, 4);
        AttentionOptions o = AttentionOptions.builder().mask(f.mask(0.7, 10, 7)).causal(true).build();
        Tensor expected = new MultiHeadAttention().attend(call(q, k, v).withParam("weights", mha.toString())
            .withOptions(o), Fixtures.BACKEND);
        for (String mode : new String[] {"add", "mul"}) {
            double neutral = mode.equals("add") ? 0 : 1;
            for (String name : new String[] {"eq", "ek", "ev"}) {
                double[] n = new double[heads * dh];
                Arrays.fill(n, neutral);
                Npy.write(mhe.resolve(name + ".npy"), Tensor.of(n, heads, dh));
            }
            Tensor out = run(call(q, k, v).withParam("weights", mhe.toString()).withParam("mode", mode).withOptions(o));
            assertMaxDiff(expected, out, dtype == DType.FLOAT64 ? 1e-14 : 1e-6);
        }
    }

    @Test
    void rejectsUnknownModesAndMisshapenEmbeddings(@TempDir Path dir) throws IOException {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 2, 3, 4);
        assertArgument("--opt mode", () -> run(call(x, x, x).withParam("mode", "concat")));
        assertArgument("--opt heads", () -> run(call(x, x, x).withParam("heads", "5")));
        writeWeights(new Fixtures(313), dir, 8, 4);
        Npy.write(dir.resolve("ev.npy"), Tensor.zeros(DType.FLOAT64, 4, 3));
        assertArgument("--opt weights", () -> run(call(x, x, x).withParam("weights", dir.toString())
            .withParam("heads", "4")));
        assertArgument("v", () -> run(x, x, Tensor.zeros(DType.FLOAT32, 1, 2, 3, 5)));
    }
}

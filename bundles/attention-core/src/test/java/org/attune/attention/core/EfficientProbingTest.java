package org.attune.attention.core;

import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;
import static org.attune.attention.core.Float64Reference.matrix;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.SplittableRandom;

import org.attune.api.attention.AttentionMechanism;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class EfficientProbingTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new EfficientProbing();
    }

    @Override
    protected boolean acceptsMasks() {
        return false;
    }

    /** Query m is tied to value slice m, so the queries are not a set. */
    @Override
    protected boolean queriesAreASet() {
        return false;
    }

    /** [B, 1, M, (H·D) / M] (dout = 1), the documented layout. */
    @Override
    protected int[] expectedShape(Tensor q, Tensor k, Tensor v) {
        int m = q.dim(2);
        return new int[] {q.dim(0), 1, m, m == 0 ? 0 : q.dim(1) * q.dim(3) / m};
    }

    /**
     * billpsomas/efficient-probing EfficientProbing.forward, transcribed: α = softmax(scale · x_q x_kᵀ + bias),
     * V = x_v W_v, z_m = α_m · V[:, m·w … m·w + w − 1].
     */
    static double[][][][] probe(double[][][][] q, double[][][][] k, double[][][][] v, double[][] wv, Double scale,
                                Tensor bias) {
        double[][][] xq = Float64Reference.embed(q);
        double[][][] xk = Float64Reference.embed(k);
        double[][][] vals = Float64Reference.linear(Float64Reference.embed(v), wv, null);
        int m = xq[0].length;
        int w = vals[0][0].length / m;
        double sc = scale != null ? scale : 1 / Math.sqrt(xq[0][0].length);
        double[][][][] out = new double[xq.length][1][m][w];
        for (int b = 0; b < xq.length; b++) {
            double[][][][] sb = Float64Reference.dotScores(new double[][][][] {{xq[b]}}, new double[][][][] {{xk[b]}},
                sc, null);
            for (int i = 0; i < m; i++) {
                double max = Double.NEGATIVE_INFINITY;
                double[] logits = sb[0][0][i].clone();
                for (int j = 0; j < logits.length; j++) {
                    logits[j] += bias == null ? 0 : Float64Reference.broadcast(bias, b, 0, i, j);
                    max = Math.max(max, logits[j]);
                }
                double z = 0;
                for (double l : logits) {
                    z += Math.exp(l - max);
                }
                for (int j = 0; j < logits.length; j++) {
                    double alpha = Math.exp(logits[j] - max) / z;
                    for (int c = 0; c < w; c++) {
                        out[b][0][i][c] += alpha * vals[b][j][i * w + c];
                    }
                }
            }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void weightFilesMatchFloat64ReferenceWithBiasAndDout(DType dtype, @TempDir Path dir) {
        Fixtures f = new Fixtures(370);
        double[][] wv = matrix(f.write(dir, "wv", 0.3, 12, 6));
        Tensor q = f.uniform(dtype, 1, 2, 2, 3, 6);
        Tensor k = f.uniform(dtype, 1, 2, 3, 17, 4);
        Tensor v = f.uniform(dtype, 1, 2, 1, 17, 12);
        Tensor bias = f.uniform(DType.FLOAT64, 0.5, 2, 1, 3, 17);
        Tensor out = run(call(q, k, v).withParam("weights", dir.toString()).withParam("dout", "2")
            .withOptions(AttentionOptions.builder().bias(bias).build()));
        assertClose("efficient-probing files dout=2 bias", probe(array(q), array(k), array(v), wv, null, bias), out);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void seededProjectionFollowsTheDocumentedInitialiser(DType dtype) {
        Fixtures f = new Fixtures(371);
        Tensor q = f.uniform(dtype, 1, 1, 1, 4, 8);
        Tensor k = f.uniform(dtype, 1, 1, 1, 9, 8);
        Tensor v = f.uniform(dtype, 1, 1, 2, 9, 4);
        double[][] wv = AdditiveAttentionTest.xavier(new SplittableRandom(6), 8, 8);
        if (dtype == DType.FLOAT32) {
            wv = MultiHeadAttentionTest.rounded(wv);
        }
        Tensor out = run(call(q, k, v).withParam("seed", "6").withOptions(AttentionOptions.builder().scale(0.9).build()));
        assertClose("efficient-probing seed=6 scale=0.9", probe(array(q), array(k), array(v), wv, 0.9, null), out);
    }

    @Test
    void zeroQueriesGiveMeanPoolingOfTheValueSlices(@TempDir Path dir) {
        Fixtures f = new Fixtures(372);
        double[][] wv = matrix(f.write(dir, "wv", 0.3, 8, 8));
        Tensor q = Tensor.zeros(DType.FLOAT64, 2, 1, 4, 8);
        Tensor k = f.uniform(DType.FLOAT64, 1, 2, 2, 5, 4);
        Tensor v = f.uniform(DType.FLOAT64, 1, 2, 2, 5, 4);
        Tensor out = run(call(q, k, v).withParam("weights", dir.toString()));
        double[][][] vals = Float64Reference.linear(Float64Reference.embed(array(v)), wv, null);
        for (int b = 0; b < 2; b++) {
            for (int m = 0; m < 4; m++) {
                for (int c = 0; c < 2; c++) {
                    double mean = 0;
                    for (int j = 0; j < 5; j++) {
                        mean += vals[b][j][m * 2 + c] / 5;
                    }
                    assertTrue(Math.abs(out.get(b, 0, m, c) - mean) < 1e-15, "mean pooling");
                }
            }
        }
    }

    @Test
    void oneQueryIsAttentionPoolingOverTheProjectedValues(@TempDir Path dir) {
        Fixtures f = new Fixtures(373);
        double[][] wv = matrix(f.write(dir, "wv", 0.3, 6, 6));
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 1, 1, 6);
        Tensor k = f.uniform(DType.FLOAT64, 1, 1, 1, 7, 6);
        Tensor v = f.uniform(DType.FLOAT64, 1, 1, 1, 7, 6);
        double[][][][] vals = {{Float64Reference.linear(Float64Reference.embed(array(v)), wv, null)[0]}};
        double[][][][] pooled = Float64Reference.sdpa(array(q), array(k), vals, 1 / Math.sqrt(6), false, null, null);
        assertClose("efficient-probing M=1 = attention pooling", pooled, run(call(q, k, v)
            .withParam("weights", dir.toString())));
    }

    @Override
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void outputHasTheLayoutOfTheQueriesAtOddSizes(DType dtype) {
        Fixtures f = new Fixtures(374);
        Tensor k = f.uniform(dtype, 1, 2, 2, 63, 60);
        Tensor q = f.uniform(dtype, 1, 2, 1, 5, 120);
        Tensor out = run(q, k, k);
        assertArrayEquals(new int[] {2, 1, 5, 24}, out.shape());
        for (int i = 0; i < out.size(); i++) {
            assertTrue(Double.isFinite(out.getFlat(i)));
        }
        assertArgument("q", () -> run(f.uniform(dtype, 1, 2, 2, 63, 60), k, k));
    }

    @Override
    @Test
    void keysMayBeLongerOrShorterThanQueries() {
        Fixtures f = new Fixtures(375);
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 2, 8, 4);
        for (int nk : new int[] {5, 11}) {
            Tensor kv = f.uniform(DType.FLOAT64, 1, 1, 2, nk, 4);
            assertArrayEquals(new int[] {1, 1, 8, 1}, run(q, kv, kv).shape());
        }
    }

    /** The contract's property at sizes where the queries divide the value width (M = 2, E = 8). */
    @Override
    @Test
    void inputsAreNotModified() {
        Fixtures f = new Fixtures(376);
        Tensor q = f.uniform(DType.FLOAT32, 1, 1, 1, 2, 8);
        Tensor k = f.uniform(DType.FLOAT32, 1, 1, 2, 6, 4);
        Tensor v = f.uniform(DType.FLOAT32, 1, 1, 2, 6, 4);
        Tensor q0 = q.copy(), k0 = k.copy(), v0 = v.copy();
        run(q, k, v);
        assertTrue(q.contentEquals(q0) && k.contentEquals(k0) && v.contentEquals(v0));
    }

    /** The contract's property at sizes where the queries divide the value width (M = 4, E = 12). */
    @Override
    @Test
    void permutingKeysAndValuesTogetherLeavesTheOutput() {
        Fixtures f = new Fixtures(377);
        Tensor q = f.uniform(DType.FLOAT64, 1, 2, 2, 4, 6);
        Tensor k = f.uniform(DType.FLOAT64, 1, 2, 2, 8, 6);
        Tensor v = f.uniform(DType.FLOAT64, 1, 2, 2, 8, 6);
        int[] perm = {6, 2, 7, 0, 4, 1, 5, 3};
        assertMaxDiff(run(q, k, v), run(q, permuteTokens(k, perm), permuteTokens(v, perm)), SYMMETRY_TOLERANCE);
    }

    @Test
    void rejectsBadDoutAndUndividedQueries() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 2, 3, 4);
        assertArgument("--opt dout", () -> run(call(x, x, x).withParam("dout", "3")));
        assertArgument("q", () -> run(x, x, x));
        assertArgument("v", () -> run(Tensor.zeros(DType.FLOAT32, 1, 2, 2, 4), x, Tensor.zeros(DType.FLOAT32, 1, 2, 3, 5)));
    }
}

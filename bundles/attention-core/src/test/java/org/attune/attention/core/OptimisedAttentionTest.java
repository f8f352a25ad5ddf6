package org.attune.attention.core;

import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;
import static org.attune.attention.core.Float64Reference.matrix;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

class OptimisedAttentionTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new OptimisedAttention();
    }

    /**
     * Hosseini and Hosseini §3, transcribed: Q_h = slice_h(x_q W_q), K_h = slice_h(x_k W_k) or slice_h(x_k),
     * V_h = slice_h(x_v) or slice_h(W_A x_v) (W_A lower-triangular when causal), SDPA per head, concat, W_o.
     */
    static double[][][][] sliced(double[][][][] q, double[][][][] k, double[][][][] v, double[][] wq, double[][] wk,
                                 double[][] wo, double[][] wa, int heads, Double scale, boolean causal, Tensor mask,
                                 Tensor bias) {
        double[][][] xk = Float64Reference.embed(k);
        double[][][] xv = Float64Reference.embed(v);
        if (wa != null) {
            double[][][] mixed = new double[xv.length][xv[0].length][xv[0][0].length];
            for (int b = 0; b < xv.length; b++) {
                for (int t = 0; t < xv[b].length; t++) {
                    for (int s = 0; s < xv[b].length; s++) {
                        for (int c = 0; c < xv[b][s].length; c++) {
                            mixed[b][t][c] += causal && s > t ? 0 : wa[t][s] * xv[b][s][c];
                        }
                    }
                }
            }
            xv = mixed;
        }
        double[][][][] qh = Float64Reference.heads(Float64Reference.linear(Float64Reference.embed(q), wq, null), heads);
        double[][][][] kh = Float64Reference.heads(wk == null ? xk : Float64Reference.linear(xk, wk, null), heads);
        double[][][][] vh = Float64Reference.heads(xv, heads);
        double sc = scale != null ? scale : 1 / Math.sqrt(qh[0][0][0].length);
        double[][][] o = Float64Reference.embed(Float64Reference.sdpa(qh, kh, vh, sc, causal, mask, bias));
        return Float64Reference.heads(Float64Reference.linear(o, wo, null), q[0].length);
    }

    /** Writes the identity [n, n] as {@code dir/name.npy}. */
    static void writeIdentity(Path dir, String name, int n) throws IOException {
        double[] eye = new double[n * n];
        for (int i = 0; i < n; i++) {
            eye[i * n + i] = 1;
        }
        Npy.write(dir.resolve(name + ".npy"), Tensor.of(eye, n, n));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void weightFilesMatchFloat64Reference(DType dtype, @TempDir Path dir) {
        Fixtures f = new Fixtures(330);
        double[][] wq = matrix(f.write(dir, "wq", 0.3, 12, 12));
        double[][] wk = matrix(f.write(dir, "wk", 0.3, 12, 12));
        double[][] wo = matrix(f.write(dir, "wo", 0.3, 12, 12));
        Tensor q = f.uniform(dtype, 1, 2, 2, 13, 6);
        Tensor k = f.uniform(dtype, 1, 2, 3, 9, 4);
        Tensor v = f.uniform(dtype, 1, 2, 1, 9, 12);
        Tensor mask = f.mask(0.8, 13, 9);
        Tensor bias = f.uniform(DType.FLOAT64, 0.5, 3, 13, 9);
        AttentionOptions o = AttentionOptions.builder().mask(mask).bias(bias).build();
        Tensor out = run(call(q, k, v).withParam("weights", dir.toString()).withParam("heads", "3").withOptions(o));
        assertClose("pba-optimised files heads=3 mask+bias", sliced(array(q), array(k), array(v), wq, wk, wo, null, 3,
            null, false, mask, bias), out);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void seededWeightsFollowTheDocumentedInitialiser(DType dtype) {
        Fixtures f = new Fixtures(331);
        Tensor q = f.uniform(dtype, 1, 1, 4, 10, 3);
        Tensor k = f.uniform(dtype, 1, 1, 4, 10, 3);
        Tensor v = f.uniform(dtype, 1, 1, 4, 10, 3);
        SplittableRandom r = new SplittableRandom(9);
        double[][][] w = {AdditiveAttentionTest.xavier(r, 12, 12), AdditiveAttentionTest.xavier(r, 12, 12),
            AdditiveAttentionTest.xavier(r, 12, 12)};
        if (dtype == DType.FLOAT32) {
            for (int m = 0; m < w.length; m++) {
                w[m] = MultiHeadAttentionTest.rounded(w[m]);
            }
        }
        Tensor out = run(call(q, k, v).withParam("seed", "9").withParam("heads", "2")
            .withOptions(AttentionOptions.builder().causal(true).build()));
        assertClose("pba-optimised seed=9 heads=2 causal", sliced(array(q), array(k), array(v), w[0], w[1], w[2], null,
            2, null, true, null, null), out);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void isMultiHeadAttentionWithIdentityValueProjection(DType dtype, @TempDir Path dir) throws IOException {
        Fixtures f = new Fixtures(332);
        f.write(dir, "wq", 0.3, 12, 12);
        f.write(dir, "wk", 0.3, 12, 12);
        f.write(dir, "wo", 0.3, 12, 12);
        writeIdentity(dir, "wv", 12);
        Tensor q = f.uniform(dtype, 1, 1, 3, 10, 4);
        Tensor k = f.uniform(dtype, 1, 1, 3, 7, 4);
        Tensor v = f.uniform(dtype, 1, 1, 3, 7, 4);
        AttentionOptions o = AttentionOptions.builder().mask(f.mask(0.7, 10, 7)).causal(true).build();
        Tensor mha = new MultiHeadAttention().attend(call(q, k, v).withParam("weights", dir.toString())
            .withParam("heads", "4").withOptions(o), Fixtures.BACKEND);
        Tensor out = run(call(q, k, v).withParam("weights", dir.toString()).withParam("heads", "4").withOptions(o));
        assertMaxDiff(mha, out, dtype == DType.FLOAT64 ? 1e-14 : 1e-6);
    }

    @Test
    void rejectsOtherWidthsAndMissingFiles(@TempDir Path dir) throws IOException {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 2, 3, 4);
        assertArgument("--opt heads", () -> run(call(x, x, x).withParam("heads", "3")));
        assertArgument("v", () -> run(x, x, Tensor.zeros(DType.FLOAT32, 1, 2, 3, 5)));
        Files.createDirectories(dir);
        assertArgument("--opt weights", () -> run(call(x, x, x).withParam("weights", dir.toString())));
    }
}

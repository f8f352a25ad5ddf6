package org.attune.attention.core;

import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;
import static org.attune.attention.core.Float64Reference.matrix;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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

class RelationalAttentionTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new RelationalAttention();
    }

    /**
     * Awni00/abstract_transformer RelationalAttention.forward, transcribed (identity relation activation, no
     * biases): w = {wq, wk, wqr, wkr, wr, wv, wo}.
     */
    static double[][][][] relational(double[][][][] q, double[][][][] k, double[][][][] v, double[][][] w, int heads,
                                     int relations, Double scale, boolean causal, Tensor mask, Tensor bias) {
        double[][][] x = Float64Reference.embed(q);
        double[][][] merged = relationalHeads(x, Float64Reference.embed(k), Float64Reference.embed(v), w, heads,
            x[0][0].length / heads, relations, scale, causal, mask, bias);
        return Float64Reference.heads(Float64Reference.linear(merged, w[6], null), q[0].length);
    }

    /**
     * The relational heads before W_o: A_i^h = Σ_j α_ij^h (r_ij W_r^h + (s_j W_v)_h), merged over heads
     * [B, Nq, heads·dh]; w = {wq, wk, wqr, wkr, wr, wv, ...} with wq, wk, wv, wr of width heads·dh.
     */
    static double[][][] relationalHeads(double[][][] x, double[][][] y, double[][][] symbols, double[][][] w,
                                        int heads, int dh, int relations, Double scale, boolean causal, Tensor mask,
                                        Tensor bias) {
        int e = x[0][0].length, dr = e / relations, width = heads * dh;
        double[][][][] qa = Float64Reference.heads(Float64Reference.linear(x, w[0], null), heads);
        double[][][][] ka = Float64Reference.heads(Float64Reference.linear(y, w[1], null), heads);
        double[][][] qr = Float64Reference.linear(x, w[2], null);
        double[][][] kr = Float64Reference.linear(y, w[3], null);
        double[][][] s = Float64Reference.linear(symbols, w[5], null);
        double sc = scale != null ? scale : 1 / Math.sqrt(dh);
        double[][][][] logits = Float64Reference.dotScores(qa, ka, sc, bias);
        int nq = x[0].length, nk = y[0].length;
        double[][][] out = new double[x.length][nq][width];
        for (int b = 0; b < x.length; b++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < nq; i++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < nk; j++) {
                        if (Float64Reference.allowed(mask, causal, b, h, i, j)) {
                            max = Math.max(max, logits[b][h][i][j]);
                        }
                    }
                    double z = 0;
                    for (int j = 0; j < nk; j++) {
                        z += Float64Reference.allowed(mask, causal, b, h, i, j) ? Math.exp(logits[b][h][i][j] - max) : 0;
                    }
                    for (int j = 0; j < nk; j++) {
                        if (!Float64Reference.allowed(mask, causal, b, h, i, j)) {
                            continue;
                        }
                        double alpha = Math.exp(logits[b][h][i][j] - max) / z;
                        double[] rel = new double[relations];
                        for (int l = 0; l < relations; l++) {
                            for (int c = 0; c < dr; c++) {
                                rel[l] += qr[b][i][l * dr + c] * kr[b][j][l * dr + c];
                            }
                            rel[l] /= Math.sqrt(dr);
                        }
                        for (int c = 0; c < dh; c++) {
                            double message = s[b][j][h * dh + c];
                            for (int l = 0; l < relations; l++) {
                                message += rel[l] * w[4][l][h * dh + c];
                            }
                            out[b][i][h * dh + c] += alpha * message;
                        }
                    }
                }
            }
        }
        return out;
    }

    static double[][][] writeWeights(Fixtures f, Path dir, int e, int relations) {
        return new double[][][] {matrix(f.write(dir, "wq", 0.3, e, e)), matrix(f.write(dir, "wk", 0.3, e, e)),
            matrix(f.write(dir, "wqr", 0.3, e, e)), matrix(f.write(dir, "wkr", 0.3, e, e)),
            matrix(f.write(dir, "wr", 0.3, relations, e)), matrix(f.write(dir, "wv", 0.3, e, e)),
            matrix(f.write(dir, "wo", 0.3, e, e))};
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void weightFilesMatchFloat64ReferenceUnderMaskBiasAndCausalOrder(DType dtype, @TempDir Path dir) {
        Fixtures f = new Fixtures(380);
        double[][][] w = writeWeights(f, dir, 12, 4);
        Tensor q = f.uniform(dtype, 1, 2, 2, 13, 6);
        Tensor k = f.uniform(dtype, 1, 2, 3, 11, 4);
        Tensor v = f.uniform(dtype, 1, 2, 1, 11, 12);
        Tensor mask = f.mask(0.8, 13, 11);
        Tensor bias = f.uniform(DType.FLOAT64, 0.5, 3, 13, 11);
        AttentionOptions o = AttentionOptions.builder().mask(mask).bias(bias).causal(true).build();
        Tensor out = run(call(q, k, v).withParam("weights", dir.toString()).withParam("heads", "3")
            .withParam("relations", "4").withOptions(o));
        assertClose("relational files heads=3 relations=4 mask+bias+causal", relational(array(q), array(k), array(v), w,
            3, 4, null, true, mask, bias), out);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void seededSymmetricRelationsFollowTheDocumentedInitialiser(DType dtype) {
        Fixtures f = new Fixtures(381);
        Tensor q = f.uniform(dtype, 1, 1, 2, 7, 4);
        Tensor k = f.uniform(dtype, 1, 1, 2, 9, 4);
        Tensor v = f.uniform(dtype, 1, 1, 2, 9, 4);
        SplittableRandom r = new SplittableRandom(3);
        double[][] wq = AdditiveAttentionTest.xavier(r, 8, 8);
        double[][] wk = AdditiveAttentionTest.xavier(r, 8, 8);
        double[][] wqr = AdditiveAttentionTest.xavier(r, 8, 8);
        double[][] wr = AdditiveAttentionTest.xavier(r, 2, 8);
        double[][] wv = AdditiveAttentionTest.xavier(r, 8, 8);
        double[][] wo = AdditiveAttentionTest.xavier(r, 8, 8);
        double[][][] w = {wq, wk, wqr, wqr, wr, wv, wo};
        if (dtype == DType.FLOAT32) {
            for (int m = 0; m < w.length; m++) {
                w[m] = MultiHeadAttentionTest.rounded(w[m]);
            }
        }
        Tensor out = run(call(q, k, v).withParam("seed", "3").withParam("symmetric", "true"));
        assertClose("relational seed=3 symmetric", relational(array(q), array(k), array(v), w, 2, 2, null, false, null,
            null), out);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void zeroRelationProjectionIsMultiHeadAttentionOverTheSymbols(DType dtype, @TempDir Path dir) throws IOException {
        Fixtures f = new Fixtures(382);
        writeWeights(f, dir, 12, 3);
        Npy.write(dir.resolve("wr.npy"), Tensor.zeros(DType.FLOAT64, 3, 12));
        Tensor q = f.uniform(dtype, 1, 1, 3, 10, 4);
        Tensor k = f.uniform(dtype, 1, 1, 3, 7, 4);
        Tensor v = f.uniform(dtype, 1, 1, 3, 7, 4);
        AttentionOptions o = AttentionOptions.builder().mask(f.mask(0.7, 10, 7)).causal(true).build();
        Tensor mha = new MultiHeadAttention().attend(call(q, k, v).withParam("weights", dir.toString())
            .withOptions(o), Fixtures.BACKEND);
        Tensor out = run(call(q, k, v).withParam("weights", dir.toString()).withOptions(o));
        assertMaxDiff(mha, out, dtype == DType.FLOAT64 ? 1e-14 : 1e-6);
    }

    @Test
    void symmetricRelationsReuseTheRelationQueryMap(@TempDir Path dir) throws IOException {
        Fixtures f = new Fixtures(383);
        Path shared = Files.createDirectory(dir.resolve("shared"));
        writeWeights(f, shared, 8, 2);
        Files.copy(shared.resolve("wqr.npy"), shared.resolve("wkr.npy"), StandardCopyOption.REPLACE_EXISTING);
        Tensor x = f.uniform(DType.FLOAT64, 1, 1, 2, 6, 4);
        Tensor s = f.uniform(DType.FLOAT64, 1, 1, 2, 6, 4);
        assertMaxDiff(run(call(x, x, s).withParam("weights", shared.toString())),
            run(call(x, x, s).withParam("weights", shared.toString()).withParam("symmetric", "true")), 0);
    }

    @Test
    void rejectsBadRelationsSymmetryAndUndefinedOptions() {
        Fixtures f = new Fixtures(384);
        Tensor x = f.uniform(DType.FLOAT64, 1, 1, 2, 4, 3);
        assertArgument("--opt relations", () -> run(call(x, x, x).withParam("relations", "4")));
        assertArgument("--opt symmetric", () -> run(call(x, x, x).withParam("symmetric", "yes")));
        assertArgument("window", () -> run(call(x, x, x).withOptions(AttentionOptions.builder().window(1, 0).build())));
        assertArgument("softCap", () -> run(call(x, x, x).withOptions(AttentionOptions.builder().softCap(3.0).build())));
    }
}

package org.attune.attention.core;

import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;
import static org.attune.attention.core.Float64Reference.matrix;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.attune.api.attention.AttentionMechanism;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Npy;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class KnockingHeadsAttentionTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new KnockingHeadsAttention();
    }

    /** arXiv:2510.23052 §3, transcribed: per-head projections, the shared [Dh, Dh] maps, SDPA, W_o. */
    static double[][][][] reference(double[][][][] q, double[][][][] k, double[][][][] v, Float64Reference.Weights w,
                                    double[][] tq, double[][] tk, double[][] tv, int heads, int kvHeads, boolean causal,
                                    Tensor mask, Tensor bias) {
        double[][][][] qh = shared(Float64Reference.heads(Float64Reference.linear(Float64Reference.embed(q), w.wq(),
            w.bq()), heads), tq);
        double[][][][] kh = shared(Float64Reference.heads(Float64Reference.linear(Float64Reference.embed(k), w.wk(),
            w.bk()), kvHeads), tk);
        double[][][][] vh = shared(Float64Reference.heads(Float64Reference.linear(Float64Reference.embed(v), w.wv(),
            w.bv()), kvHeads), tv);
        double[][][][] o = Float64Reference.sdpa(qh, kh, vh, 1 / Math.sqrt(qh[0][0][0].length), causal, mask, bias);
        return Float64Reference.heads(Float64Reference.linear(Float64Reference.embed(o), w.wo(), w.bo()), q[0].length);
    }

    /** x_h T for every head h; x itself when t is null. */
    private static double[][][][] shared(double[][][][] x, double[][] t) {
        if (t == null) {
            return x;
        }
        double[][][][] y = new double[x.length][x[0].length][x[0][0].length][t[0].length];
        for (int b = 0; b < x.length; b++) {
            for (int h = 0; h < x[b].length; h++) {
                for (int s = 0; s < x[b][h].length; s++) {
                    for (int c = 0; c < t[0].length; c++) {
                        double sum = 0;
                        for (int r = 0; r < t.length; r++) {
                            sum += x[b][h][s][r] * t[r][c];
                        }
                        y[b][h][s][c] = sum;
                    }
                }
            }
        }
        return y;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesFloat64ReferenceOnAllThreeStreamsWithGroupedHeads(DType dtype, @TempDir Path dir) {
        Fixtures f = new Fixtures(60);
        Float64Reference.Weights w = MultiHeadAttentionTest.writeWeights(f, dir, 24, 24, 24, 24, 12, true);
        double[][] tq = matrix(f.write(dir, "tq", 0.5, 6, 6));
        double[][] tk = matrix(f.write(dir, "tk", 0.5, 6, 6));
        double[][] tv = matrix(f.write(dir, "tv", 0.5, 6, 6));
        Tensor q = f.uniform(dtype, 1, 2, 4, 19, 6);
        Tensor k = f.uniform(dtype, 1, 2, 4, 23, 6);
        Tensor v = f.uniform(dtype, 1, 2, 4, 23, 6);
        Tensor mask = f.mask(0.8, 19, 23);
        Tensor bias = f.uniform(DType.FLOAT64, 0.5, 4, 19, 23);
        AttentionOptions o = AttentionOptions.builder().mask(mask).bias(bias).causal(true).build();
        Tensor out = run(call(q, k, v).withParam("weights", dir.toString()).withParam("transform", "files")
            .withParam("knock", "qkv").withParam("kv-heads", "2").withOptions(o));
        assertClose("kha qkv files gqa mask+bias+causal", reference(array(q), array(k), array(v), w, tq, tk, tv, 4, 2,
            true, mask, bias), out);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void valueOnlyKnockAppliesOnlyTheValueTransform(DType dtype, @TempDir Path dir) {
        Fixtures f = new Fixtures(61);
        Float64Reference.Weights w = MultiHeadAttentionTest.writeWeights(f, dir, 20, 20, 20, 20, 20, false);
        f.write(dir, "tq", 0.5, 5, 5);
        f.write(dir, "tk", 0.5, 5, 5);
        double[][] tv = matrix(f.write(dir, "tv", 0.5, 5, 5));
        Tensor q = f.uniform(dtype, 1, 2, 4, 13, 5);
        Tensor k = f.uniform(dtype, 1, 2, 4, 13, 5);
        Tensor v = f.uniform(dtype, 1, 2, 4, 13, 5);
        Tensor out = run(call(q, k, v).withParam("weights", dir.toString()).withParam("transform", "files"));
        assertClose("kha v files", reference(array(q), array(k), array(v), w, null, null, tv, 4, 4, false, null, null),
            out);
    }

    @Test
    void identityTransformsAreMultiHeadAndGroupedQueryAttention() {
        Fixtures f = new Fixtures(62);
        Tensor q = f.uniform(DType.FLOAT64, 1, 2, 4, 11, 6);
        Tensor k = f.uniform(DType.FLOAT64, 1, 2, 4, 14, 6);
        Tensor v = f.uniform(DType.FLOAT64, 1, 2, 4, 14, 6);
        assertMaxDiff(run(new MultiHeadAttention(), call(q, k, v).withParam("seed", "3")),
            run(call(q, k, v).withParam("seed", "3").withParam("transform", "identity").withParam("knock", "qkv")), 1e-15);
        assertMaxDiff(run(new GroupedQueryAttention(), call(q, k, v).withParam("seed", "3").withParam("kv-heads", "2")),
            run(call(q, k, v).withParam("seed", "3").withParam("transform", "identity").withParam("kv-heads", "2")), 1e-15);
    }

    @Test
    void valueTransformFoldsIntoTheValueProjection(@TempDir Path plain, @TempDir Path folded) throws IOException {
        Fixtures f = new Fixtures(63);
        Float64Reference.Weights w = MultiHeadAttentionTest.writeWeights(f, plain, 12, 12, 12, 12, 12, false);
        double[][] tv = matrix(f.write(plain, "tv", 0.5, 4, 4));
        double[][] wv = new double[12][12];
        for (int r = 0; r < 12; r++) {
            for (int h = 0; h < 3; h++) {
                for (int c = 0; c < 4; c++) {
                    for (int m = 0; m < 4; m++) {
                        wv[r][h * 4 + c] += w.wv()[r][h * 4 + m] * tv[m][c];
                    }
                }
            }
        }
        for (String name : new String[] {"wq", "wk", "wo"}) {
            Files.copy(plain.resolve(name + ".npy"), folded.resolve(name + ".npy"));
        }
        Npy.write(folded.resolve("wv.npy"), Tensor.of(flat(wv), 12, 12));
        Tensor x = f.uniform(DType.FLOAT64, 1, 1, 3, 9, 4);
        assertMaxDiff(run(new MultiHeadAttention(), call(x, x, x).withParam("weights", folded.toString())),
            run(call(x, x, x).withParam("weights", plain.toString()).withParam("transform", "files")), 1e-13);
    }

    @Test
    void badOptionsAreNamed() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 2, 3, 4);
        assertArgument("--opt knock", () -> run(call(x, x, x).withParam("knock", "k")));
        assertArgument("--opt transform", () -> run(call(x, x, x).withParam("transform", "diagonal")));
        assertArgument("--opt transform", () -> run(call(x, x, x).withParam("transform", "files")));
        assertArgument("--opt kv-heads", () -> run(call(x, x, x).withParam("kv-heads", "3")));
        assertArgument("k", () -> run(x, Tensor.zeros(DType.FLOAT32, 1, 2, 3, 5), x));
    }

    private Tensor run(AttentionMechanism m, org.attune.api.attention.AttentionCall c) {
        return m.attend(c, Fixtures.BACKEND);
    }

    private static double[] flat(double[][] m) {
        double[] d = new double[m.length * m[0].length];
        for (int i = 0; i < m.length; i++) {
            System.arraycopy(m[i], 0, d, i * m[0].length, m[0].length);
        }
        return d;
    }
}

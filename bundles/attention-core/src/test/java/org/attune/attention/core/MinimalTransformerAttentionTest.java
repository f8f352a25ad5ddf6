package org.attune.attention.core;

import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;
import static org.attune.attention.core.Float64Reference.matrix;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

class MinimalTransformerAttentionTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new MinimalTransformerAttention();
    }

    /**
     * The Javadoc formula, transcribed: S_h = scale · x_q W_QK^h x_kᵀ + bias, W_QK^h = A_h or ½(A_h + A_hᵀ),
     * α_h = softmax(S_h | mask, causal), out = merge_h(α_h split_h(x_v W_v)) W_o, or without W_v and W_o.
     */
    static double[][][][] minimal(double[][][][] q, double[][][][] k, double[][][][] v, double[][] a, double[][] wv,
                                  double[][] wo, int heads, boolean symmetric, Double scale, boolean causal,
                                  Tensor mask, Tensor bias) {
        double[][][] xq = Float64Reference.embed(q);
        double[][][] xk = Float64Reference.embed(k);
        double[][][] xv = Float64Reference.embed(v);
        int e = xq[0][0].length;
        double sc = scale != null ? scale : 1 / Math.sqrt(e / heads);
        double[][][][] s = new double[xq.length][heads][xq[0].length][xk[0].length];
        for (int b = 0; b < xq.length; b++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < xq[b].length; i++) {
                    for (int j = 0; j < xk[b].length; j++) {
                        double sum = 0;
                        for (int r = 0; r < e; r++) {
                            for (int c = 0; c < e; c++) {
                                double w = symmetric ? 0.5 * (a[r][h * e + c] + a[c][h * e + r]) : a[r][h * e + c];
                                sum += xq[b][i][r] * w * xk[b][j][c];
                            }
                        }
                        s[b][h][i][j] = sc * sum + (bias == null ? 0 : Float64Reference.broadcast(bias, b, h, i, j));
                    }
                }
            }
        }
        double[][][][] vh = Float64Reference.heads(wv == null ? xv : Float64Reference.linear(xv, wv, null), heads);
        double[][][] o = Float64Reference.embed(Float64Reference.attend(s, vh, mask, causal));
        return Float64Reference.heads(wo == null ? o : Float64Reference.linear(o, wo, null), q[0].length);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void collapsedWithWeightFilesMatchesFloat64Reference(DType dtype, @TempDir Path dir) {
        Fixtures f = new Fixtures(300);
        double[][] a = matrix(f.write(dir, "wqk", 0.3, 12, 36));
        double[][] wv = matrix(f.write(dir, "wv", 0.3, 12, 12));
        double[][] wo = matrix(f.write(dir, "wo", 0.3, 12, 12));
        Tensor q = f.uniform(dtype, 1, 2, 2, 13, 6);
        Tensor k = f.uniform(dtype, 1, 2, 3, 9, 4);
        Tensor v = f.uniform(dtype, 1, 2, 1, 9, 12);
        Tensor mask = f.mask(0.8, 13, 9);
        Tensor bias = f.uniform(DType.FLOAT64, 0.5, 3, 13, 9);
        AttentionOptions o = AttentionOptions.builder().mask(mask).bias(bias).build();
        Tensor out = run(call(q, k, v).withParam("weights", dir.toString()).withParam("heads", "3").withOptions(o));
        assertClose("minimal collapsed files heads=3 mask+bias", minimal(array(q), array(k), array(v), a, wv, wo, 3,
            false, null, false, mask, bias), out);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void seededSymmetricWithoutValueMatricesFollowsTheDocumentedInitialiser(DType dtype) {
        Fixtures f = new Fixtures(301);
        Tensor q = f.uniform(dtype, 1, 1, 4, 11, 3);
        Tensor k = f.uniform(dtype, 1, 1, 4, 11, 3);
        Tensor v = f.uniform(dtype, 1, 1, 4, 11, 3);
        double[][] a = AdditiveAttentionTest.xavier(new SplittableRandom(5), 12, 24);
        if (dtype == DType.FLOAT32) {
            a = MultiHeadAttentionTest.rounded(a);
        }
        Tensor out = run(call(q, k, v).withParam("seed", "5").withParam("heads", "2").withParam("variant", "symmetric")
            .withParam("values", "drop").withOptions(AttentionOptions.builder().causal(true).scale(0.7).build()));
        assertClose("minimal symmetric drop seed=5 causal", minimal(array(q), array(k), array(v), a, null, null, 2, true,
            0.7, true, null, null), out);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void collapsingTheMultiHeadQueryAndKeyMatricesGivesMultiHeadAttention(DType dtype, @TempDir Path dir)
        throws IOException {
        Fixtures f = new Fixtures(302);
        int e = 12, heads = 3, dh = e / heads;
        Float64Reference.Weights w = MultiHeadAttentionTest.writeWeights(f, dir, e, e, e, e, e, false);
        double[] a = new double[e * heads * e];
        for (int h = 0; h < heads; h++) {
            for (int r = 0; r < e; r++) {
                for (int c = 0; c < e; c++) {
                    double sum = 0;
                    for (int t = 0; t < dh; t++) {
                        sum += w.wq()[r][h * dh + t] * w.wk()[c][h * dh + t];
                    }
                    a[r * heads * e + h * e + c] = sum;
                }
            }
        }
        Npy.write(dir.resolve("wqk.npy"), Tensor.of(a, e, heads * e));
        Tensor q = f.uniform(dtype, 1, 2, 2, 10, 6);
        Tensor k = f.uniform(dtype, 1, 2, 2, 8, 6);
        Tensor v = f.uniform(dtype, 1, 2, 2, 8, 6);
        AttentionOptions o = AttentionOptions.builder().mask(f.mask(0.7, 10, 8)).causal(true).build();
        Tensor minimal = run(call(q, k, v).withParam("weights", dir.toString()).withParam("heads", "3").withOptions(o));
        Tensor mha = new MultiHeadAttention().attend(call(q, k, v).withParam("weights", dir.toString())
            .withParam("heads", "3").withOptions(o), Fixtures.BACKEND);
        assertMaxDiff(mha, minimal, dtype == DType.FLOAT64 ? 1e-13 : 1e-5);
    }

    @Test
    void symmetricVariantIsTheCollapsedVariantOfTheSymmetrisedMatrix(@TempDir Path dir) throws IOException {
        Fixtures f = new Fixtures(303);
        Path raw = Files.createDirectory(dir.resolve("raw"));
        Path sym = Files.createDirectory(dir.resolve("sym"));
        Tensor a = f.write(raw, "wqk", 0.4, 8, 16);
        Npy.write(sym.resolve("wqk.npy"), MinimalTransformerAttention.symmetrised(a, 2));
        Tensor x = f.uniform(DType.FLOAT64, 1, 1, 2, 7, 4);
        Tensor y = f.uniform(DType.FLOAT64, 1, 1, 2, 7, 4);
        Tensor symmetric = run(call(x, x, y).withParam("weights", raw.toString()).withParam("variant", "symmetric")
            .withParam("values", "drop"));
        Tensor collapsed = run(call(x, x, y).withParam("weights", sym.toString()).withParam("values", "drop"));
        assertMaxDiff(collapsed, symmetric, 1e-15);
        double[][] m = matrix(MinimalTransformerAttention.symmetrised(a, 2));
        for (int h = 0; h < 2; h++) {
            for (int r = 0; r < 8; r++) {
                for (int c = 0; c < 8; c++) {
                    assertTrue(m[r][h * 8 + c] == m[c][h * 8 + r], "W_QK^h symmetric");
                }
            }
        }
    }

    @Test
    void droppedValueMatricesGiveConvexCombinationsOfTheValueSlices() {
        Fixtures f = new Fixtures(304);
        Tensor q = f.uniform(DType.FLOAT64, 2, 1, 2, 9, 4);
        Tensor v = f.uniform(DType.FLOAT64, 1, 1, 2, 6, 4);
        Tensor out = run(call(q, f.uniform(DType.FLOAT64, 2, 1, 2, 6, 4), v).withParam("values", "drop"));
        for (int h = 0; h < 2; h++) {
            for (int e = 0; e < 4; e++) {
                double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < 6; j++) {
                    lo = Math.min(lo, v.get(0, h, j, e));
                    hi = Math.max(hi, v.get(0, h, j, e));
                }
                for (int i = 0; i < 9; i++) {
                    double o = out.get(0, h, i, e);
                    assertTrue(o >= lo - 1e-15 && o <= hi + 1e-15, "in the hull of the value slice");
                }
            }
        }
    }

    @Test
    void rejectsUnknownVariantsAndMissingFiles(@TempDir Path dir) {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 2, 3, 4);
        assertArgument("--opt variant", () -> run(call(x, x, x).withParam("variant", "skew")));
        assertArgument("--opt values", () -> run(call(x, x, x).withParam("values", "merge")));
        assertArgument("--opt heads", () -> run(call(x, x, x).withParam("heads", "3")));
        assertArgument("--opt weights", () -> run(call(x, x, x).withParam("weights", dir.toString())));
        assertArgument("k", () -> run(x, Tensor.zeros(DType.FLOAT32, 1, 2, 3, 5), x));
    }
}

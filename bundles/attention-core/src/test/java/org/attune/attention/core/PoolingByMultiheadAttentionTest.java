package org.attune.attention.core;

import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;
import static org.attune.attention.core.Float64Reference.embed;
import static org.attune.attention.core.Float64Reference.heads;
import static org.attune.attention.core.Float64Reference.linear;

import java.nio.file.Path;

import org.attune.api.attention.AttentionMechanism;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PoolingByMultiheadAttentionTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new PoolingByMultiheadAttention();
    }

    @Override
    protected boolean acceptsMasks() {
        return false;
    }

    /** juho-lee/set_transformer MAB.forward transcribed: seeds S = q, set Z = k = v. */
    static double[][][][] mab(double[][][][] s, double[][][][] z, Float64Reference.Weights w, int heads, boolean ln) {
        double[][][] q = linear(embed(s), w.wq(), w.bq());
        double[][][] k = linear(embed(z), w.wk(), w.bk());
        double[][][] v = linear(embed(z), w.wv(), w.bv());
        int e = q[0][0].length;
        double[][][][] a = Float64Reference.sdpa(heads(q, heads), heads(k, heads), heads(v, heads), 1 / Math.sqrt(e), false,
            null, null);
        double[][][] o = embed(a);
        for (int b = 0; b < o.length; b++) {
            for (int i = 0; i < o[b].length; i++) {
                for (int c = 0; c < e; c++) {
                    o[b][i][c] += q[b][i][c];
                }
                if (ln) {
                    o[b][i] = layerNorm(o[b][i]);
                }
            }
        }
        double[][][] f = linear(o, w.wo(), w.bo());
        for (int b = 0; b < o.length; b++) {
            for (int i = 0; i < o[b].length; i++) {
                for (int c = 0; c < e; c++) {
                    o[b][i][c] += Math.max(0, f[b][i][c]);
                }
                if (ln) {
                    o[b][i] = layerNorm(o[b][i]);
                }
            }
        }
        return heads(o, s[0].length);
    }

    private static double[] layerNorm(double[] x) {
        double mean = 0, var = 0;
        for (double e : x) {
            mean += e / x.length;
        }
        for (double e : x) {
            var += (e - mean) * (e - mean) / x.length;
        }
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = (x[i] - mean) / Math.sqrt(var + 1e-5);
        }
        return y;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesTheAuthorsMabWithWeightFilesBiasesLayerNormsAndOtherHeadCount(DType dtype, @TempDir Path dir) {
        Fixtures f = new Fixtures(60);
        Float64Reference.Weights w = MultiHeadAttentionTest.writeWeights(f, dir, 24, 24, 24, 24, 24, true);
        Tensor seeds = f.uniform(dtype, 1, 2, 4, 3, 6);
        Tensor set = f.uniform(dtype, 1, 2, 2, 29, 12);
        assertClose("pma files heads=3 ln", mab(array(seeds), array(set), w, 3, true),
            run(call(seeds, set, set).withParam("weights", dir.toString()).withParam("heads", "3").withParam("ln", "true")));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void seededWeightsFollowTheDocumentedInitialiser(DType dtype) {
        Fixtures f = new Fixtures(61);
        Tensor seeds = f.uniform(dtype, 1, 1, 4, 2, 5);
        Tensor set = f.uniform(dtype, 1, 1, 4, 17, 5);
        Float64Reference.Weights w = MultiHeadAttentionTest.documentedSeeded(9, 20, 20);
        if (dtype == DType.FLOAT32) {
            w = MultiHeadAttentionTest.rounded(w);
        }
        assertClose("pma seed=9", mab(array(seeds), array(set), w, 4, false),
            run(call(seeds, set, set).withParam("seed", "9")));
    }

    @Test
    void badLayerNormFlagIsNamed() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 2, 3, 4);
        assertArgument("--opt ln", () -> run(call(x, x, x).withParam("ln", "yes")));
    }
}

package org.attune.attention.core;

import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;
import static org.attune.attention.core.Float64Reference.matrix;

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

class MultiHeadAttentionTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new MultiHeadAttention();
    }

    /** Writes wq, wk, wv, wo (and biases when asked) of the given widths and returns them. */
    static Float64Reference.Weights writeWeights(Fixtures f, Path dir, int eq, int ek, int ev, int e, int kvWidth,
                                                 boolean biases) {
        double s = 0.3;
        double[][] wq = matrix(f.write(dir, "wq", s, eq, e));
        double[][] wk = matrix(f.write(dir, "wk", s, ek, kvWidth));
        double[][] wv = matrix(f.write(dir, "wv", s, ev, kvWidth));
        double[][] wo = matrix(f.write(dir, "wo", s, e, e));
        if (!biases) {
            return new Float64Reference.Weights(wq, wk, wv, wo, null, null, null, null);
        }
        return new Float64Reference.Weights(wq, wk, wv, wo, f.write(dir, "bq", s, e).toDoubleArray(),
            f.write(dir, "bk", s, kvWidth).toDoubleArray(), f.write(dir, "bv", s, kvWidth).toDoubleArray(),
            f.write(dir, "bo", s, e).toDoubleArray());
    }

    /** The documented initialiser, transcribed: SplittableRandom(seed), Xavier uniform, order wq, wk, wv, wo. */
    static Float64Reference.Weights documentedSeeded(long seed, int e, int kvWidth) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][][] w = new double[4][][];
        int[][] shapes = {{e, e}, {e, kvWidth}, {e, kvWidth}, {e, e}};
        for (int m = 0; m < 4; m++) {
            int rows = shapes[m][0], cols = shapes[m][1];
            w[m] = new double[rows][cols];
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    w[m][i][j] = (2 * r.nextDouble() - 1) * Math.sqrt(6.0 / (rows + cols));
                }
            }
        }
        return new Float64Reference.Weights(w[0], w[1], w[2], w[3], null, null, null, null);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesFloat64ReferenceWithWeightFilesBiasesAndOtherHeadCount(DType dtype, @TempDir Path dir) {
        Fixtures f = new Fixtures(10);
        Float64Reference.Weights w = writeWeights(f, dir, 60, 60, 60, 60, 60, true);
        Tensor q = f.uniform(dtype, 1, 2, 2, 63, 30);
        Tensor k = f.uniform(dtype, 1, 2, 2, 40, 30);
        Tensor v = f.uniform(dtype, 1, 2, 2, 40, 30);
        Tensor mask = f.mask(0.8, 63, 40);
        Tensor bias = f.uniform(DType.FLOAT64, 0.5, 3, 63, 40);
        AttentionOptions o = AttentionOptions.builder().mask(mask).bias(bias).build();
        Tensor out = run(call(q, k, v).withParam("weights", dir.toString()).withParam("heads", "3").withOptions(o));
        assertClose("mha files heads=3 mask+bias", Float64Reference.multiHead(array(q), array(k), array(v), w, 3, 3, null,
            false, mask, bias, null, null), out);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void seededWeightsFollowTheDocumentedInitialiser(DType dtype) {
        Fixtures f = new Fixtures(11);
        Tensor q = f.uniform(dtype, 1, 1, 4, 17, 5);
        Tensor k = f.uniform(dtype, 1, 1, 4, 17, 5);
        Tensor v = f.uniform(dtype, 1, 1, 4, 17, 5);
        Float64Reference.Weights w = documentedSeeded(7, 20, 20);
        if (dtype == DType.FLOAT32) {
            w = rounded(w);
        }
        Tensor out = run(call(q, k, v).withParam("seed", "7").withOptions(AttentionOptions.builder().causal(true).build()));
        assertClose("mha seed=7 causal", Float64Reference.multiHead(array(q), array(k), array(v), w, 4, 4, null, true,
            null, null, null, null), out);
    }

    @Test
    void headsMustDivideTheEmbedding() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 2, 3, 4);
        assertArgument("--opt heads", () -> run(call(x, x, x).withParam("heads", "3")));
        assertArgument("--opt heads", () -> run(call(x, x, x).withParam("heads", "x")));
    }

    @Test
    void keysAndValuesMustHaveTheQueryEmbeddingWidth() {
        Tensor q = Tensor.zeros(DType.FLOAT32, 1, 2, 3, 4);
        assertArgument("k", () -> run(q, Tensor.zeros(DType.FLOAT32, 1, 2, 3, 5), q));
        assertArgument("v", () -> run(q, q, Tensor.zeros(DType.FLOAT32, 1, 1, 3, 4)));
    }

    @Test
    void missingOrMisshapenWeightFilesAreNamed(@TempDir Path dir) {
        Tensor q = Tensor.zeros(DType.FLOAT32, 1, 2, 3, 4);
        assertArgument("--opt weights", () -> run(call(q, q, q).withParam("weights", dir.toString())));
        writeWeights(new Fixtures(12), dir, 8, 8, 8, 8, 7, false);
        assertArgument("--opt weights", () -> run(call(q, q, q).withParam("weights", dir.toString())));
    }

    static Float64Reference.Weights rounded(Float64Reference.Weights w) {
        return new Float64Reference.Weights(rounded(w.wq()), rounded(w.wk()), rounded(w.wv()), rounded(w.wo()), null,
            null, null, null);
    }

    static double[][] rounded(double[][] m) {
        double[][] r = new double[m.length][];
        for (int i = 0; i < m.length; i++) {
            r[i] = new double[m[i].length];
            for (int j = 0; j < m[i].length; j++) {
                r[i][j] = (float) m[i][j];
            }
        }
        return r;
    }
}

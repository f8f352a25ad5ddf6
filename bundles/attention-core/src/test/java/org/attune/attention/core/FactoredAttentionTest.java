package org.attune.attention.core;

import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;
import static org.attune.attention.core.Float64Reference.matrix;

import java.nio.file.Path;
import java.util.SplittableRandom;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FactoredAttentionTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new FactoredAttention();
    }

    /** Query rows sit at lattice sites: permuting the queries does not permute the output. */
    @Override
    protected boolean queriesAreASet() {
        return false;
    }

    /** Keys sit at lattice sites too. */
    @Override
    protected boolean keysAreASet() {
        return false;
    }

    /**
     * Rende and Viteritti's factored attention, transcribed: out_i = Concat_h(Σ_j α_h[i,j] [allowed] (x_v W_v)_h[j]) W_o
     * with α_h[i,j] = a[h][offset(i, j)] (side 0: (j − i) mod Nk; side L: the torus offset) or a[h][i·Nk + j] (free).
     */
    static double[][][][] factored(double[][][][] q, double[][][][] v, double[][] wv, double[][] wo, double[][] a,
                                   int heads, int side, boolean free, boolean causal, Tensor mask) {
        int nq = q[0][0].length;
        double[][][][] vh = Float64Reference.heads(Float64Reference.linear(Float64Reference.embed(v), wv, null), heads);
        int nk = vh[0][0].length;
        double[][][][] o = new double[q.length][heads][nq][vh[0][0][0].length];
        for (int b = 0; b < q.length; b++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < nq; i++) {
                    for (int j = 0; j < nk; j++) {
                        if (!Float64Reference.allowed(mask, causal, b, h, i, j)) {
                            continue;
                        }
                        double alpha;
                        if (free) {
                            alpha = a[h][i * nk + j];
                        } else if (side == 0) {
                            alpha = a[h][((j - i) % nk + nk) % nk];
                        } else {
                            int dr = ((j / side - i / side) % side + side) % side;
                            int dc = ((j % side - i % side) % side + side) % side;
                            alpha = a[h][dr * side + dc];
                        }
                        for (int e = 0; e < o[b][h][i].length; e++) {
                            o[b][h][i][e] += alpha * vh[b][h][j][e];
                        }
                    }
                }
            }
        }
        return Float64Reference.heads(Float64Reference.linear(Float64Reference.embed(o), wo, null), q[0].length);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void ringWeightsMatchFloat64ReferenceUnderMaskAndCausalOrder(DType dtype, @TempDir Path dir) {
        Fixtures f = new Fixtures(360);
        double[][] wv = matrix(f.write(dir, "wv", 0.3, 12, 12));
        double[][] wo = matrix(f.write(dir, "wo", 0.3, 12, 12));
        double[][] a = matrix(f.write(dir, "alpha", 0.5, 3, 9));
        Tensor q = f.uniform(dtype, 1, 2, 2, 13, 6);
        Tensor k = f.uniform(dtype, 1, 2, 3, 9, 4);
        Tensor v = f.uniform(dtype, 1, 2, 1, 9, 12);
        Tensor mask = f.mask(0.8, 2, 1, 13, 9);
        AttentionOptions o = AttentionOptions.builder().mask(mask).causal(true).build();
        Tensor out = run(call(q, k, v).withParam("weights", dir.toString()).withParam("heads", "3").withOptions(o));
        assertClose("factored ring files heads=3 mask+causal", factored(array(q), array(v), wv, wo, a, 3, 0, false, true,
            mask), out);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void seededFreeAndTorusWeightsMatchFloat64Reference(DType dtype) {
        Fixtures f = new Fixtures(361);
        Tensor q = f.uniform(dtype, 1, 1, 2, 9, 3);
        Tensor v = f.uniform(dtype, 1, 1, 2, 9, 3);
        for (String mode : new String[] {"free", "torus"}) {
            boolean free = mode.equals("free");
            SplittableRandom r = new SplittableRandom(2);
            double[][][] w = {AdditiveAttentionTest.xavier(r, 6, 6), AdditiveAttentionTest.xavier(r, 6, 6),
                AdditiveAttentionTest.xavier(r, 2, free ? 81 : 9)};
            if (dtype == DType.FLOAT32) {
                for (int m = 0; m < w.length; m++) {
                    w[m] = MultiHeadAttentionTest.rounded(w[m]);
                }
            }
            AttentionCall c = call(q, q, v).withParam("seed", "2");
            Tensor out = run(free ? c.withParam("translation", "free") : c.withParam("lattice", "2d"));
            assertClose("factored seed=2 " + mode, factored(array(q), array(v), w[0], w[1], w[2], 2, free ? 0 : 3, free,
                false, null), out);
        }
    }

    @Test
    void rollingKeysAndValuesOnTheLatticeRollsTheOutput() {
        Fixtures f = new Fixtures(362);
        Tensor x = f.uniform(DType.FLOAT64, 1, 1, 2, 16, 4);
        Tensor v = f.uniform(DType.FLOAT64, 1, 1, 2, 16, 4);
        int[] ring = new int[16];
        int[] torus = new int[16];
        for (int s = 0; s < 16; s++) {
            ring[s] = (s + 5) % 16;
            torus[s] = ((s / 4 + 1) % 4) * 4 + (s % 4 + 3) % 4;
        }
        Tensor out = run(call(x, x, v));
        assertMaxDiff(permuteTokens(out, ring), run(call(x, permuteTokens(x, ring), permuteTokens(v, ring))), 1e-14);
        Tensor out2d = run(call(x, x, v).withParam("lattice", "2d"));
        assertMaxDiff(permuteTokens(out2d, torus), run(call(x, permuteTokens(x, torus), permuteTokens(v, torus))
            .withParam("lattice", "2d")), 1e-14);
    }

    @Test
    void weightsDoNotDependOnQueryOrKeyContent() {
        Fixtures f = new Fixtures(363);
        Tensor v = f.uniform(DType.FLOAT64, 1, 1, 2, 7, 4);
        Tensor a = run(call(f.uniform(DType.FLOAT64, 1, 1, 2, 5, 4), f.uniform(DType.FLOAT64, 1, 1, 2, 7, 4), v));
        Tensor b = run(call(f.uniform(DType.FLOAT64, 9, 1, 2, 5, 4), f.uniform(DType.FLOAT64, 9, 1, 2, 7, 4), v));
        assertMaxDiff(a, b, 0);
    }

    @Test
    void rejectsLogitOptionsUnknownChoicesAndNonSquareLattices() {
        Fixtures f = new Fixtures(364);
        Tensor x = f.uniform(DType.FLOAT64, 1, 1, 2, 6, 4);
        assertArgument("bias", () -> run(call(x, x, x).withOptions(AttentionOptions.builder().bias(x).build())));
        assertArgument("scale", () -> run(call(x, x, x).withOptions(AttentionOptions.builder().scale(2.0).build())));
        assertArgument("--opt lattice", () -> run(call(x, x, x).withParam("lattice", "2d")));
        assertArgument("--opt lattice", () -> run(call(x, x, x).withParam("lattice", "3d")));
        assertArgument("--opt translation", () -> run(call(x, x, x).withParam("translation", "local")));
    }
}

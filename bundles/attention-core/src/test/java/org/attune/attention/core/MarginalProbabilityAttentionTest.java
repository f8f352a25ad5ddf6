package org.attune.attention.core;

import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;

import org.attune.api.attention.AttentionMechanism;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MarginalProbabilityAttentionTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new MarginalProbabilityAttention();
    }

    /** α_ij = π_j exp(s_ij) / Σ_j' π_j' exp(s_ij') over the allowed keys, the posterior of the paper. */
    static double[][][][] posterior(double[][][][] q, double[][][][] k, double[][][][] v, double[] prior, double scale,
                                    Tensor mask, boolean causal) {
        double[][][][] s = Float64Reference.dotScores(q, k, scale, null);
        int g = q[0].length / k[0].length;
        double[][][][] out = new double[q.length][q[0].length][q[0][0].length][v[0][0][0].length];
        for (int b = 0; b < s.length; b++) {
            for (int h = 0; h < s[b].length; h++) {
                for (int i = 0; i < s[b][h].length; i++) {
                    double z = 0;
                    for (int j = 0; j < prior.length; j++) {
                        z += Float64Reference.allowed(mask, causal, b, h, i, j) ? prior[j] * Math.exp(s[b][h][i][j]) : 0;
                    }
                    for (int j = 0; j < prior.length; j++) {
                        double a = Float64Reference.allowed(mask, causal, b, h, i, j) ? prior[j] * Math.exp(s[b][h][i][j]) / z : 0;
                        for (int e = 0; e < out[b][h][i].length; e++) {
                            out[b][h][i][e] += a * v[b][h / g][j][e];
                        }
                    }
                }
            }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesThePosteriorWithAPriorMaskAndGroupedHeads(DType dtype) {
        Fixtures f = new Fixtures(90);
        Tensor q = f.uniform(dtype, 1, 2, 4, 9, 6);
        Tensor k = f.uniform(dtype, 1, 2, 2, 6, 6);
        Tensor v = f.uniform(dtype, 1, 2, 2, 6, 5);
        Tensor mask = f.mask(0.8, 9, 6);
        double[] prior = {0.5, 2, 1, 0.25, 3, 1};
        assertClose("marginal prior mask+causal gqa", posterior(array(q), array(k), array(v), prior, 1 / Math.sqrt(6), mask,
            true), run(call(q, k, v).withParam("prior", "0.5, 2, 1, 0.25, 3, 1")
            .withOptions(AttentionOptions.builder().mask(mask).causal(true).build())));
    }

    @Test
    void aUniformPriorIsSoftmaxAttention() {
        Fixtures f = new Fixtures(91);
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 2, 7, 4);
        Tensor k = f.uniform(DType.FLOAT64, 1, 1, 2, 5, 4);
        Tensor v = f.uniform(DType.FLOAT64, 1, 1, 2, 5, 3);
        double[][][][] sdpa = Float64Reference.sdpa(array(q), array(k), array(v), 0.5, false, null, null);
        assertClose("marginal default = sdpa", sdpa, run(q, k, v));
        assertClose("marginal prior 3,3,3,3,3 = sdpa", sdpa, run(call(q, k, v).withParam("prior", "3,3,3,3,3")));
    }

    @Test
    void badPriorsAreNamed() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 2, 3, 4);
        assertArgument("--opt prior", () -> run(call(x, x, x).withParam("prior", "1,2")));
        assertArgument("--opt prior", () -> run(call(x, x, x).withParam("prior", "1,0,2")));
        assertArgument("--opt prior", () -> run(call(x, x, x).withParam("prior", "1,a,2")));
    }
}

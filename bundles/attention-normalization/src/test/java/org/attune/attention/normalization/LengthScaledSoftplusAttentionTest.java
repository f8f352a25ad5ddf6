package org.attune.attention.normalization;

import static org.attune.attention.core.Float64Reference.allowed;
import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;
import static org.attune.attention.core.Float64Reference.dotScores;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.attune.api.attention.AttentionMechanism;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.attune.attention.core.AttentionContract;
import org.attune.attention.core.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LengthScaledSoftplusAttentionTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new LengthScaledSoftplusAttention();
    }

    /**
     * arXiv:2501.13428, transcribed: softplus(λ_i s_ij) / Σ_j' softplus(λ_i s_ij'), λ_i = ln n_i (or 1), then, when
     * p is given, max(0, n_i w_ij − θ)^p renormalised.
     */
    static double[][][][] reference(double[][][][] q, double[][][][] k, double[][][][] v, double scale, Tensor mask,
                                    boolean causal, Tensor bias, boolean lengthScaled, Double p, double threshold) {
        double[][][][] s = dotScores(q, k, scale, bias);
        for (int b = 0; b < s.length; b++) {
            for (int h = 0; h < s[b].length; h++) {
                for (int i = 0; i < s[b][h].length; i++) {
                    double[] row = s[b][h][i];
                    int n = 0;
                    for (int j = 0; j < row.length; j++) {
                        n += allowed(mask, causal, b, h, i, j) ? 1 : 0;
                    }
                    double lambda = lengthScaled ? Math.log(n) : 1;
                    double sum = 0;
                    for (int j = 0; j < row.length; j++) {
                        row[j] = allowed(mask, causal, b, h, i, j) ? Math.log(1 + Math.exp(lambda * row[j])) : 0;
                        sum += row[j];
                    }
                    for (int j = 0; j < row.length; j++) {
                        row[j] = sum == 0 ? 0 : row[j] / sum;
                    }
                    if (p == null) {
                        continue;
                    }
                    sum = 0;
                    for (int j = 0; j < row.length; j++) {
                        row[j] = allowed(mask, causal, b, h, i, j) ? Math.pow(Math.max(0, n * row[j] - threshold), p) : 0;
                        sum += row[j];
                    }
                    for (int j = 0; j < row.length; j++) {
                        row[j] = sum == 0 ? 0 : row[j] / sum;
                    }
                }
            }
        }
        return NormalizationReference.values(s, v);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesFloat64ReferenceWithMaskBiasCausalAndGroupedHeads(DType dtype) {
        Fixtures f = new Fixtures(70);
        Tensor q = f.uniform(dtype, 2, 2, 4, 19, 6);
        Tensor k = f.uniform(dtype, 2, 2, 2, 23, 6);
        Tensor v = f.uniform(dtype, 1, 2, 2, 23, 5);
        Tensor mask = f.mask(0.8, 19, 23);
        Tensor bias = f.uniform(DType.FLOAT64, 0.5, 4, 19, 23);
        AttentionOptions o = AttentionOptions.builder().mask(mask).bias(bias).causal(true).build();
        assertClose("lssa mask+bias+causal gqa", reference(array(q), array(k), array(v), 1 / Math.sqrt(6), mask, true,
            bias, true, null, 0), run(call(q, k, v).withOptions(o)));
        assertClose("lssa length-scale=none", reference(array(q), array(k), array(v), 1 / Math.sqrt(6), null, false,
            null, false, null, 0), run(call(q, k, v).withParam("length-scale", "none")));
    }

    @Test
    void causalRowsAreScaledByTheirOwnVisibleLength() {
        Fixtures f = new Fixtures(71);
        Tensor q = f.uniform(DType.FLOAT64, 2, 1, 1, 9, 4);
        Tensor k = f.uniform(DType.FLOAT64, 2, 1, 1, 9, 4);
        Tensor v = f.uniform(DType.FLOAT64, 1, 1, 1, 9, 3);
        Tensor causal = run(call(q, k, v).withOptions(AttentionOptions.builder().causal(true).build()));
        for (int i = 0; i < 9; i++) {
            Tensor prefix = run(rows(q, i, i + 1), rows(k, 0, i + 1), rows(v, 0, i + 1));
            for (int e = 0; e < 3; e++) {
                assertEquals(prefix.get(0, 0, 0, e), causal.get(0, 0, i, e), 1e-15);
            }
        }
    }

    @Test
    void weightsAreNonNegativeAndRowsSumToOne() {
        Fixtures f = new Fixtures(72);
        Tensor q = f.uniform(DType.FLOAT64, 3, 1, 2, 6, 4);
        Tensor k = f.uniform(DType.FLOAT64, 3, 1, 2, 8, 4);
        Tensor w = run(q, k, NormalizationReference.oneHotValues(DType.FLOAT64, 1, 2, 8));
        for (int h = 0; h < 2; h++) {
            for (int i = 0; i < 6; i++) {
                double sum = 0;
                for (int j = 0; j < 8; j++) {
                    assertTrue(w.get(0, h, i, j) >= 0);
                    sum += w.get(0, h, i, j);
                }
                assertEquals(1, sum, 1e-14);
            }
        }
    }

    @Test
    void badLengthScaleIsNamed() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 2, 3, 4);
        assertArgument("--opt length-scale", () -> run(call(x, x, x).withParam("length-scale", "sqrt")));
    }

    /** Tokens [from, to) of t [B, H, N, D]. */
    static Tensor rows(Tensor t, int from, int to) {
        Tensor r = Tensor.zeros(t.dtype(), t.dim(0), t.dim(1), to - from, t.dim(3));
        for (int b = 0; b < t.dim(0); b++) {
            for (int h = 0; h < t.dim(1); h++) {
                for (int i = from; i < to; i++) {
                    for (int e = 0; e < t.dim(3); e++) {
                        r.set(t.get(b, h, i, e), b, h, i - from, e);
                    }
                }
            }
        }
        return r;
    }
}

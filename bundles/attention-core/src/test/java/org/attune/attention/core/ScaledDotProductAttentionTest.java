package org.attune.attention.core;

import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ScaledDotProductAttentionTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new ScaledDotProductAttention();
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesFloat64ReferenceWithMaskBiasAndGroupedHeads(DType dtype) {
        Fixtures f = new Fixtures(1);
        Tensor q = f.uniform(dtype, 1, 2, 4, 63, 60);
        Tensor k = f.uniform(dtype, 1, 2, 2, 100, 60);
        Tensor v = f.uniform(dtype, 1, 2, 2, 100, 60);
        Tensor mask = f.mask(0.8, 2, 1, 63, 100);
        Tensor bias = f.uniform(DType.FLOAT64, 0.5, 4, 63, 100);
        AttentionOptions o = AttentionOptions.builder().mask(mask).bias(bias).build();
        Tensor out = run(call(q, k, v).withOptions(o));
        assertClose("sdpa mask+bias+gqa", Float64Reference.sdpa(array(q), array(k), array(v), 1 / Math.sqrt(60), false,
            mask, bias), out);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesFloat64ReferenceCausalWithScale(DType dtype) {
        Fixtures f = new Fixtures(2);
        Tensor q = f.uniform(dtype, 1, 1, 3, 63, 20);
        Tensor k = f.uniform(dtype, 1, 1, 3, 63, 20);
        Tensor v = f.uniform(dtype, 1, 1, 3, 63, 12);
        Tensor out = run(call(q, k, v).withOptions(AttentionOptions.builder().causal(true).scale(0.7).build()));
        assertClose("sdpa causal scale=0.7", Float64Reference.sdpa(array(q), array(k), array(v), 0.7, true, null, null),
            out);
    }

    @Test
    void allTrueMaskEqualsNoMask() {
        Fixtures f = new Fixtures(3);
        Tensor q = f.uniform(DType.FLOAT64, 1, 2, 2, 9, 8);
        Tensor k = f.uniform(DType.FLOAT64, 1, 2, 2, 11, 8);
        Tensor v = f.uniform(DType.FLOAT64, 1, 2, 2, 11, 8);
        Tensor all = f.mask(1.1, 2, 2, 9, 11);
        Tensor masked = run(call(q, k, v).withOptions(AttentionOptions.builder().mask(all).build()));
        assertTrue(masked.contentEquals(run(q, k, v)));
    }

    @Test
    void causalEqualsExplicitLowerTriangularMask() {
        Fixtures f = new Fixtures(4);
        Tensor q = f.uniform(DType.FLOAT64, 1, 2, 2, 9, 8);
        Tensor k = f.uniform(DType.FLOAT64, 1, 2, 2, 12, 8);
        Tensor v = f.uniform(DType.FLOAT64, 1, 2, 2, 12, 8);
        Tensor tril = Tensor.zeros(DType.BOOL, 9, 12);
        for (int i = 0; i < 9; i++) {
            for (int j = 0; j <= i; j++) {
                tril.set(1, i, j);
            }
        }
        AttentionCall c = call(q, k, v);
        assertTrue(run(c.withOptions(AttentionOptions.builder().causal(true).build()))
            .contentEquals(run(c.withOptions(AttentionOptions.builder().mask(tril).build()))));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void largeLogitsStayFiniteAndMatchTheReference(DType dtype) {
        Fixtures f = new Fixtures(5);
        Tensor q = f.uniform(dtype, 30, 1, 2, 15, 16);
        Tensor k = f.uniform(dtype, 30, 1, 2, 15, 16);
        Tensor v = f.uniform(dtype, 1, 1, 2, 15, 16);
        double[][][][] ref = Float64Reference.sdpa(array(q), array(k), array(v), 0.25, false, null, null);
        double largest = 0;
        for (double[][] head : Float64Reference.dotScores(array(q), array(k), 0.25, null)[0]) {
            for (double[] row : head) {
                for (double s : row) {
                    largest = Math.max(largest, Math.abs(s));
                }
            }
        }
        assertTrue(largest > 400, "largest |logit| " + largest);
        assertClose("sdpa |logits| > 400", ref, run(call(q, k, v).withOptions(AttentionOptions.builder().scale(0.25).build())));
    }
}

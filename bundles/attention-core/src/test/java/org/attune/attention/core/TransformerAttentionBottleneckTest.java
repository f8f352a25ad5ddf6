package org.attune.attention.core;

import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
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

class TransformerAttentionBottleneckTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new TransformerAttentionBottleneck();
    }

    /** Query 0 is the [CLS] row the gate scales. */
    @Override
    protected boolean queriesAreASet() {
        return false;
    }

    /** Key 0 is the [CLS] key whose weight is the gate. */
    @Override
    protected boolean keysAreASet() {
        return false;
    }

    /** anguyen8/TAB gated_coattention, transcribed: softmax, row 0 times (1 − α_00), α V, W_o. */
    static double[][][][] reference(double[][][][] q, double[][][][] k, double[][][][] v, Float64Reference.Weights w,
                                    int heads, Tensor mask, Tensor bias) {
        double[][][][] qh = Float64Reference.heads(Float64Reference.linear(Float64Reference.embed(q), w.wq(), w.bq()),
            heads);
        double[][][][] kh = Float64Reference.heads(Float64Reference.linear(Float64Reference.embed(k), w.wk(), w.bk()),
            heads);
        double[][][][] vh = Float64Reference.heads(Float64Reference.linear(Float64Reference.embed(v), w.wv(), w.bv()),
            heads);
        int nk = kh[0][0].length;
        double[][][][] eye = new double[qh.length][heads][nk][nk];
        for (double[][][] b : eye) {
            for (double[][] h : b) {
                for (int j = 0; j < nk; j++) {
                    h[j][j] = 1;
                }
            }
        }
        double[][][][] alpha = Float64Reference.attend(Float64Reference.dotScores(qh, kh,
            1 / Math.sqrt(qh[0][0][0].length), bias), eye, mask, false);
        double[][][][] o = new double[qh.length][heads][qh[0][0].length][vh[0][0][0].length];
        for (int b = 0; b < o.length; b++) {
            for (int h = 0; h < heads; h++) {
                double forget = 1 - alpha[b][h][0][0];
                for (int i = 0; i < o[b][h].length; i++) {
                    for (int j = 0; j < nk; j++) {
                        double a = i == 0 ? forget * alpha[b][h][i][j] : alpha[b][h][i][j];
                        for (int e = 0; e < o[b][h][i].length; e++) {
                            o[b][h][i][e] += a * vh[b][h][j][e];
                        }
                    }
                }
            }
        }
        return Float64Reference.heads(Float64Reference.linear(Float64Reference.embed(o), w.wo(), w.bo()), q[0].length);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesFloat64ReferenceWithTwoHeadsMaskBiasAndOtherWidths(DType dtype, @TempDir Path dir) {
        Fixtures f = new Fixtures(110);
        Float64Reference.Weights w = MultiHeadAttentionTest.writeWeights(f, dir, 12, 10, 8, 12, 12, true);
        Tensor q = f.uniform(dtype, 1, 2, 2, 15, 6);
        Tensor k = f.uniform(dtype, 1, 2, 2, 21, 5);
        Tensor v = f.uniform(dtype, 1, 2, 1, 21, 8);
        Tensor mask = f.mask(0.8, 15, 21);
        Tensor bias = f.uniform(DType.FLOAT64, 0.5, 2, 15, 21);
        AttentionOptions o = AttentionOptions.builder().mask(mask).bias(bias).build();
        assertClose("tab heads=2 files mask+bias", reference(array(q), array(k), array(v), w, 2, mask, bias),
            run(call(q, k, v).withParam("weights", dir.toString()).withParam("heads", "2").withOptions(o)));
    }

    @Test
    void withoutTheGateItIsOneHeadCrossAttention() {
        Fixtures f = new Fixtures(111);
        Tensor q = f.uniform(DType.FLOAT64, 1, 2, 2, 9, 4);
        Tensor k = f.uniform(DType.FLOAT64, 1, 2, 1, 12, 6);
        Tensor v = f.uniform(DType.FLOAT64, 1, 2, 2, 12, 5);
        assertMaxDiff(new CrossAttention().attend(call(q, k, v).withParam("heads", "1").withParam("seed", "4"),
            Fixtures.BACKEND), run(call(q, k, v).withParam("gate", "none").withParam("seed", "4")), 1e-15);
    }

    @Test
    void onlyTheClsRowIsGatedAndItsMassIsOneMinusItsSelfWeight(@TempDir Path dir) throws IOException {
        Fixtures f = new Fixtures(112);
        Tensor eye = Tensor.zeros(DType.FLOAT64, 1, 1, 9, 9);
        for (int j = 0; j < 9; j++) {
            eye.set(1, 0, 0, j, j);
        }
        for (String name : new String[] {"wq", "wk", "wv", "wo"}) {
            Npy.write(dir.resolve(name + ".npy"), eye.reshape(9, 9));
        }
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 1, 6, 9);
        Tensor k = f.uniform(DType.FLOAT64, 1, 1, 1, 9, 9);
        Tensor plain = Fixtures.BACKEND.attention(q, k, eye, AttentionOptions.builder().build(), null);
        Tensor gated = run(call(q, k, eye).withParam("weights", dir.toString()));
        double a00 = plain.get(0, 0, 0, 0);
        double mass = 0;
        for (int j = 0; j < 9; j++) {
            assertEquals((1 - a00) * plain.get(0, 0, 0, j), gated.get(0, 0, 0, j), 1e-15);
            mass += gated.get(0, 0, 0, j);
            for (int i = 1; i < 6; i++) {
                assertEquals(plain.get(0, 0, i, j), gated.get(0, 0, i, j), 1e-15);
            }
        }
        assertEquals(1 - a00, mass, 1e-15);
    }

    @Test
    void aClsThatAttendsOnlyToItselfPassesNoPatchInformation() {
        Fixtures f = new Fixtures(113);
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 2, 5, 4);
        Tensor k = f.uniform(DType.FLOAT64, 1, 1, 2, 7, 4);
        Tensor v = f.uniform(DType.FLOAT64, 1, 1, 2, 7, 4);
        Tensor other = f.uniform(DType.FLOAT64, 1, 1, 2, 7, 4);
        Tensor mask = Tensor.zeros(DType.BOOL, 5, 7);
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 7; j++) {
                mask.setFlat(i * 7 + j, i > 0 || j == 0 ? 1 : 0);
            }
        }
        AttentionOptions o = AttentionOptions.builder().mask(mask).build();
        Tensor a = run(call(q, k, v).withOptions(o));
        Tensor b = run(call(q, other, other).withOptions(o));
        for (int h = 0; h < 2; h++) {
            for (int e = 0; e < 4; e++) {
                assertEquals(0, a.get(0, h, 0, e), 0);
                assertEquals(0, b.get(0, h, 0, e), 0);
            }
        }
    }

    @Test
    void tokensAfterTheClsTokensAreSets() {
        Fixtures f = new Fixtures(114);
        Tensor q = f.uniform(DType.FLOAT64, 1, 2, 2, 6, 4);
        Tensor k = f.uniform(DType.FLOAT64, 1, 2, 2, 8, 4);
        Tensor v = f.uniform(DType.FLOAT64, 1, 2, 2, 8, 4);
        int[] pq = {0, 4, 2, 5, 1, 3};
        int[] pk = {0, 6, 3, 7, 1, 5, 2, 4};
        Tensor out = run(q, k, v);
        assertMaxDiff(permuteTokens(out, pq), run(permuteTokens(q, pq), k, v), SYMMETRY_TOLERANCE);
        assertMaxDiff(out, run(q, permuteTokens(k, pk), permuteTokens(v, pk)), SYMMETRY_TOLERANCE);
    }

    @Test
    void badGateIsNamed() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 2, 3, 4);
        assertArgument("--opt gate", () -> run(call(x, x, x).withParam("gate", "forget")));
        assertArgument("--opt heads", () -> run(call(x, x, x).withParam("heads", "3")));
    }
}

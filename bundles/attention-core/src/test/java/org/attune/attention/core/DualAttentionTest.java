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
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DualAttentionTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new DualAttention();
    }

    /**
     * Awni00/abstract_transformer DualAttention.forward, transcribed: Concat(SA(x, y, y) W_o, RA(x, y, s) W_o^ra);
     * sa = {wq, wk, wv, wo}, ra = {ra_wq, ra_wk, wqr, wkr, wr, ra_wv, ra_wo}.
     */
    static double[][][][] dual(double[][][][] q, double[][][][] k, double[][][][] v, double[][][] sa, double[][][] ra,
                               int nsa, int nra, int relations, boolean causal, Tensor mask, Tensor bias) {
        double[][][] x = Float64Reference.embed(q);
        double[][][] y = Float64Reference.embed(k);
        int e = x[0][0].length, dh = e / (nsa + nra);
        double[][][] out = new double[x.length][x[0].length][e];
        if (nsa > 0) {
            double[][][][] qh = Float64Reference.heads(Float64Reference.linear(x, sa[0], null), nsa);
            double[][][][] kh = Float64Reference.heads(Float64Reference.linear(y, sa[1], null), nsa);
            double[][][][] vh = Float64Reference.heads(Float64Reference.linear(y, sa[2], null), nsa);
            double[][][] o = Float64Reference.linear(Float64Reference.embed(Float64Reference.sdpa(qh, kh, vh,
                1 / Math.sqrt(dh), causal, mask, bias)), sa[3], null);
            copy(o, out, 0);
        }
        if (nra > 0) {
            double[][][] a = RelationalAttentionTest.relationalHeads(x, y, Float64Reference.embed(v), ra, nra, dh,
                relations, null, causal, mask, bias);
            copy(Float64Reference.linear(a, ra[6], null), out, nsa * dh);
        }
        return Float64Reference.heads(out, q[0].length);
    }

    private static void copy(double[][][] part, double[][][] out, int from) {
        for (int b = 0; b < part.length; b++) {
            for (int i = 0; i < part[b].length; i++) {
                System.arraycopy(part[b][i], 0, out[b][i], from, part[b][i].length);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void weightFilesMatchFloat64ReferenceUnderMaskBiasAndCausalOrder(DType dtype, @TempDir Path dir) {
        Fixtures f = new Fixtures(390);
        int e = 12, nsa = 2, nra = 1, dh = 4, rel = 3;
        double[][][] sa = {matrix(f.write(dir, "wq", 0.3, e, nsa * dh)), matrix(f.write(dir, "wk", 0.3, e, nsa * dh)),
            matrix(f.write(dir, "wv", 0.3, e, nsa * dh)), matrix(f.write(dir, "wo", 0.3, nsa * dh, nsa * dh))};
        double[][][] ra = {matrix(f.write(dir, "ra_wq", 0.3, e, nra * dh)), matrix(f.write(dir, "ra_wk", 0.3, e, nra * dh)),
            matrix(f.write(dir, "wqr", 0.3, e, e)), matrix(f.write(dir, "wkr", 0.3, e, e)),
            matrix(f.write(dir, "wr", 0.3, rel, nra * dh)), matrix(f.write(dir, "ra_wv", 0.3, e, nra * dh)),
            matrix(f.write(dir, "ra_wo", 0.3, nra * dh, nra * dh))};
        Tensor q = f.uniform(dtype, 1, 2, 2, 11, 6);
        Tensor k = f.uniform(dtype, 1, 2, 3, 9, 4);
        Tensor v = f.uniform(dtype, 1, 2, 1, 9, 12);
        Tensor mask = f.mask(0.8, 11, 9);
        Tensor bias = f.uniform(DType.FLOAT64, 0.5, 11, 9);
        AttentionOptions o = AttentionOptions.builder().mask(mask).bias(bias).causal(true).build();
        Tensor out = run(call(q, k, v).withParam("weights", dir.toString()).withParam("sensory", "2")
            .withParam("relational", "1").withParam("relations", "3").withOptions(o));
        assertClose("dual sa=2 ra=1 relations=3 mask+bias+causal", dual(array(q), array(k), array(v), sa, ra, nsa, nra,
            rel, true, mask, bias), out);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void withoutRelationalHeadsItIsMultiHeadAttentionWithValuesFromTheKeys(DType dtype, @TempDir Path dir) {
        Fixtures f = new Fixtures(391);
        MultiHeadAttentionTest.writeWeights(f, dir, 12, 12, 12, 12, 12, false);
        Tensor q = f.uniform(dtype, 1, 1, 3, 10, 4);
        Tensor k = f.uniform(dtype, 1, 1, 3, 7, 4);
        Tensor v = f.uniform(dtype, 1, 1, 3, 7, 4);
        AttentionOptions o = AttentionOptions.builder().mask(f.mask(0.7, 10, 7)).causal(true).build();
        Tensor mha = new MultiHeadAttention().attend(call(q, k, k).withParam("weights", dir.toString())
            .withOptions(o), Fixtures.BACKEND);
        Tensor out = run(call(q, k, v).withParam("weights", dir.toString()).withParam("sensory", "3")
            .withParam("relational", "0").withOptions(o));
        assertMaxDiff(mha, out, dtype == DType.FLOAT64 ? 1e-14 : 1e-6);
    }

    @Test
    void withoutSensoryHeadsItIsRelationalAttention(@TempDir Path dir) throws IOException {
        Fixtures f = new Fixtures(392);
        Path ra = Files.createDirectory(dir.resolve("ra"));
        Path plain = Files.createDirectory(dir.resolve("plain"));
        RelationalAttentionTest.writeWeights(f, plain, 8, 2);
        for (String name : new String[] {"wq", "wk", "wv", "wo"}) {
            Files.copy(plain.resolve(name + ".npy"), ra.resolve("ra_" + name + ".npy"));
        }
        for (String name : new String[] {"wqr", "wkr", "wr"}) {
            Files.copy(plain.resolve(name + ".npy"), ra.resolve(name + ".npy"));
        }
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 2, 6, 4);
        Tensor k = f.uniform(DType.FLOAT64, 1, 1, 2, 5, 4);
        Tensor v = f.uniform(DType.FLOAT64, 1, 1, 2, 5, 4);
        Tensor expected = new RelationalAttention().attend(call(q, k, v).withParam("weights", plain.toString()),
            Fixtures.BACKEND);
        assertMaxDiff(expected, run(call(q, k, v).withParam("weights", ra.toString()).withParam("sensory", "0")
            .withParam("relational", "2")), 0);
    }

    @Test
    void rejectsHeadCountsThatDoNotDivideTheEmbedding() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 2, 3, 4);
        assertArgument("--opt relational", () -> run(call(x, x, x).withParam("sensory", "2").withParam("relational", "1")));
        assertArgument("--opt relational", () -> run(call(x, x, x).withParam("sensory", "0").withParam("relational", "0")));
        assertArgument("--opt sensory", () -> run(call(x, x, x).withParam("sensory", "-1")));
        assertArgument("--opt relations", () -> run(call(x, x, x).withParam("relations", "3")));
    }
}

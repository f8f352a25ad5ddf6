package org.attune.attention.core;

import static org.attune.attention.core.DeconstructedFixedStreamTest.maxDiff;
import static org.attune.attention.core.DeconstructedFixedStreamTest.write;
import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

import org.attune.api.attention.AttentionMechanism;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.BinaryOp;
import org.attune.api.equivariance.EquivarianceCertificate;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DeconstructedStaticMixingTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new DeconstructedStaticMixing();
    }

    /** The fixed stream is tied to positions: permuting q alone changes nothing. */
    @Override
    protected boolean queriesAreASet() {
        return false;
    }

    /** The fixed stream is tied to positions: permuting k and v permutes the values under fixed weights. */
    @Override
    protected boolean keysAreASet() {
        return false;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void fixedStreamFileMatchesFloat64Reference(DType dtype, @TempDir Path dir) {
        Fixtures f = new Fixtures(540);
        Float64Reference.Weights w = MultiHeadAttentionTest.writeWeights(f, dir, 7, 7, 24, 24, 24, true);
        Tensor x = f.write(dir, "x", 1, 50, 7);
        Tensor q = f.uniform(dtype, 1, 2, 2, 43, 12);
        Tensor k = f.uniform(dtype, 1, 2, 2, 47, 12);
        Tensor v = f.uniform(dtype, 1, 2, 4, 47, 6);
        Tensor mask = f.mask(0.8, 43, 47);
        Tensor bias = f.uniform(DType.FLOAT64, 0.5, 3, 43, 47);
        AttentionOptions o = AttentionOptions.builder().mask(mask).bias(bias).causal(true).build();
        Tensor out = run(call(q, k, v).withParam("stream", dir.resolve("x.npy").toString())
            .withParam("weights", dir.toString()).withParam("heads", "3").withOptions(o));
        assertClose("static-mixing FixedSeqQK files heads=3 mask+bias+causal", DeconstructedFixedStreamTest.reference(
            new double[][][] {Float64Reference.matrix(x)}, 43, 47, array(v), w, 3, 2, true, mask, bias), out);
    }

    /** RndEmbQK: X[i, e] = σ · SplittableRandom(seed + 1).nextGaussian() row-major, weights from seed (wq, wk, wv, wo). */
    @Test
    void randomStreamFollowsTheDocumentedDraw() {
        Fixtures f = new Fixtures(541);
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 2, 9, 4);
        Tensor v = f.uniform(DType.FLOAT64, 1, 1, 2, 11, 4);
        SplittableRandom r = new SplittableRandom(6 + 1);
        double[][][] x = new double[1][11][8];
        for (double[] row : x[0]) {
            for (int e = 0; e < 8; e++) {
                row[e] = 0.5 * r.nextGaussian();
            }
        }
        Tensor out = run(call(q, v, v).withParam("seed", "6").withParam("sigma", "0.5"));
        assertClose("static-mixing RndEmbQK seed=6 sigma=0.5", DeconstructedFixedStreamTest.reference(x, 9, 11, array(v),
            MultiHeadAttentionTest.documentedSeeded(6, 8, 8), 2, 2, false, null, null), out);
    }

    @Test
    void theMixingIsIndependentOfTheContent() {
        Fixtures f = new Fixtures(542);
        Tensor v = f.uniform(DType.FLOAT64, 1, 1, 2, 12, 4);
        Tensor batch = Tensor.zeros(DType.FLOAT64, 2, 2, 12, 4);
        batch.select(0).copyFrom(v.select(0));
        batch.select(1).copyFrom(v.select(0));
        Tensor q1 = f.uniform(DType.FLOAT64, 1, 2, 2, 12, 4);
        Tensor q2 = f.uniform(DType.FLOAT64, 4, 2, 2, 12, 4);
        Tensor a = run(q1, q1, batch);
        Tensor b = run(q2, f.uniform(DType.FLOAT64, 1, 2, 2, 12, 4), batch);
        assertEquals(0, maxDiff(a, b), "other queries and keys, same values");
        assertEquals(0, maxDiff(a.select(0), a.select(1)), "every sequence is mixed alike");
        Tensor v2 = f.uniform(DType.FLOAT64, 1, 2, 2, 12, 4);
        Tensor sum = Fixtures.BACKEND.binary(BinaryOp.ADD, batch, v2, null);
        Tensor linear = Fixtures.BACKEND.binary(BinaryOp.ADD, run(q1, q1, batch), run(q1, q1, v2), null);
        assertMaxDiff(linear, run(q1, q1, sum), 1e-13);
    }

    @Test
    void theHiddenStateAsFixedStreamGivesMultiHeadAttention(@TempDir Path dir) {
        Fixtures f = new Fixtures(543);
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 2, 15, 6);
        Tensor v = f.uniform(DType.FLOAT64, 1, 1, 2, 15, 6);
        Path x = write(HeadLayout.merge(q).select(0), dir.resolve("x.npy"));
        Tensor mha = new MultiHeadAttention().attend(call(q, q, v).withParam("seed", "2"), Fixtures.BACKEND);
        assertMaxDiff(mha, run(call(v, v, v).withParam("stream", x.toString()).withParam("seed", "2")), 1e-14);
    }

    @Test
    void causalOutputIgnoresLaterValues() {
        Fixtures f = new Fixtures(544);
        Tensor v = f.uniform(DType.FLOAT64, 1, 1, 2, 10, 4);
        Tensor later = v.copy();
        for (int h = 0; h < 2; h++) {
            for (int e = 0; e < 4; e++) {
                later.set(-3.0, 0, h, 9, e);
                later.set(4.0, 0, h, 7, e);
            }
        }
        AttentionOptions causal = AttentionOptions.builder().causal(true).build();
        Tensor a = run(call(v, v, v).withOptions(causal));
        Tensor b = run(call(v, v, later).withOptions(causal));
        assertLeadingRowsEqual(a, b, 7);
        assertTrue(Math.abs(a.get(0, 0, 7, 0) - b.get(0, 0, 7, 0)) > 1e-6, "row 7 sees value 7");
    }

    @Test
    void badStreamAndSigmaAreNamed(@TempDir Path dir) {
        Tensor x = Tensor.zeros(DType.FLOAT32, 2, 2, 5, 4);
        assertArgument("--opt sigma", () -> run(call(x, x, x).withParam("sigma", "0")));
        assertArgument("--opt sigma", () -> run(call(x, x, x).withParam("sigma", "wide")));
        assertArgument("--opt stream", () -> run(call(x, x, x).withParam("stream", dir.resolve("none.npy").toString())));
        Path perSequence = write(Tensor.zeros(DType.FLOAT64, 2, 5, 3), dir.resolve("per-sequence.npy"));
        assertArgument("--opt stream", () -> run(call(x, x, x).withParam("stream", perSequence.toString())));
        Path shortStream = write(Tensor.zeros(DType.FLOAT64, 4, 3), dir.resolve("short.npy"));
        assertArgument("--opt stream", () -> run(call(x, x, x).withParam("stream", shortStream.toString())));
        Path ints = write(Tensor.zeros(DType.INT64, 5, 3), dir.resolve("ints.npy"));
        assertArgument("--opt stream", () -> run(call(x, x, x).withParam("stream", ints.toString())));
    }

    /** Why the method claims no symmetry: the certifier refutes token permutations (the mixing is tied to positions). */
    @Test
    void certifierRefutesTokenPermutations() {
        assertFalse(TokenPermutations.certify(method(), EquivarianceCertificate.PERMUTATION_TOKENS, Map.of(),
            DType.FLOAT64).holds());
    }
}

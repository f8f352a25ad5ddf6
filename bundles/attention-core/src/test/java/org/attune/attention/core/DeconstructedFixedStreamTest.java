package org.attune.attention.core;

import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Npy;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DeconstructedFixedStreamTest extends AttentionContract {
    @TempDir
    static Path shared;

    /** The embeddings the contract's calls use: one sequence of 64 positions, width 6. */
    private static Path contractStream;

    @BeforeAll
    static void writeContractStream() {
        contractStream = write(new Fixtures(530).uniform(DType.FLOAT64, 1, 1, 64, 6), shared.resolve("e.npy"));
    }

    @Override
    protected AttentionMechanism method() {
        return new DeconstructedFixedStream();
    }

    @Override
    protected AttentionCall call(Tensor q, Tensor k, Tensor v) {
        return super.call(q, k, v).withParam("stream", contractStream.toString());
    }

    /** The stream is tied to positions: permuting q alone changes nothing, so it does not permute the output. */
    @Override
    protected boolean queriesAreASet() {
        return false;
    }

    /** The stream is tied to positions: permuting k and v permutes the values under fixed weights. */
    @Override
    protected boolean keysAreASet() {
        return false;
    }

    static Path write(Tensor t, Path file) {
        try {
            Npy.write(file, t);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /**
     * arXiv:2510.11602 eq. (13) (and eqs. 10, 12): multi-head attention whose queries and keys are the rows 0 … Nq−1
     * and 0 … Nk−1 of the stream x [Bs][N][Es] (Bs = 1: the same stream for every sequence) and whose values are v;
     * the result in the head layout of v's batch with {@code outHeads} heads.
     */
    static double[][][][] reference(double[][][] x, int nq, int nk, double[][][][] v, Float64Reference.Weights w,
                                    int heads, int outHeads, boolean causal, Tensor mask, Tensor bias) {
        int b = v.length;
        double[][][][] qs = new double[b][1][nq][];
        double[][][][] ks = new double[b][1][nk][];
        for (int bi = 0; bi < b; bi++) {
            double[][] rows = x[x.length == 1 ? 0 : bi];
            for (int i = 0; i < nq; i++) {
                qs[bi][0][i] = rows[i].clone();
            }
            for (int j = 0; j < nk; j++) {
                ks[bi][0][j] = rows[j].clone();
            }
        }
        double[][][][] o = Float64Reference.multiHead(qs, ks, v, w, heads, heads, null, causal, mask, bias, null, null);
        return Float64Reference.heads(Float64Reference.embed(o), outHeads);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesFloat64ReferenceWithOneStreamPerSequence(DType dtype, @TempDir Path dir) {
        Fixtures f = new Fixtures(531);
        Float64Reference.Weights w = MultiHeadAttentionTest.writeWeights(f, dir, 10, 10, 24, 24, 24, true);
        Tensor e = f.write(dir, "e", 1, 2, 45, 10);
        Tensor q = f.uniform(dtype, 1, 2, 2, 41, 12);
        Tensor k = f.uniform(dtype, 1, 2, 2, 44, 12);
        Tensor v = f.uniform(dtype, 1, 2, 3, 44, 8);
        Tensor mask = f.mask(0.8, 2, 1, 41, 44);
        Tensor bias = f.uniform(DType.FLOAT64, 0.5, 4, 41, 44);
        AttentionOptions o = AttentionOptions.builder().mask(mask).bias(bias).causal(true).build();
        Tensor out = run(AttentionCall.of(q, k, v).withParam("stream", dir.resolve("e.npy").toString())
            .withParam("weights", dir.toString()).withParam("heads", "4").withOptions(o));
        assertClose("fixed-stream files heads=4 mask+bias+causal", reference(array3(e), 41, 44, array(v), w, 4, 2, true,
            mask, bias), out);
    }

    @Test
    void theWeightsDependOnlyOnTheEmbeddingsWhateverTheHiddenState(@TempDir Path dir) {
        Fixtures f = new Fixtures(532);
        Path e = write(f.uniform(DType.FLOAT64, 1, 2, 16, 5), dir.resolve("e.npy"));
        Tensor v = f.uniform(DType.FLOAT64, 1, 2, 2, 16, 4);
        Tensor h1 = f.uniform(DType.FLOAT64, 1, 2, 2, 16, 4);
        Tensor h2 = f.uniform(DType.FLOAT64, 3, 2, 2, 16, 4);
        Tensor a = run(AttentionCall.of(h1, h1, v).withParam("stream", e.toString()).withParam("seed", "4"));
        Tensor b = run(AttentionCall.of(h2, h2, v).withParam("stream", e.toString()).withParam("seed", "4"));
        assertEquals(0, maxDiff(a, b), "same embeddings and values, other hidden state");
    }

    @Test
    void embeddingsEqualToTheHiddenStateGiveMultiHeadAttention(@TempDir Path dir) {
        Fixtures f = new Fixtures(533);
        Tensor q = f.uniform(DType.FLOAT64, 1, 2, 3, 13, 4);
        Tensor v = f.uniform(DType.FLOAT64, 1, 2, 3, 13, 4);
        Path e = write(HeadLayout.merge(q), dir.resolve("e.npy"));
        AttentionOptions causal = AttentionOptions.builder().causal(true).build();
        Tensor mha = new MultiHeadAttention().attend(AttentionCall.of(q, q, v).withParam("seed", "9").withOptions(causal),
            Fixtures.BACKEND);
        assertMaxDiff(mha, run(AttentionCall.of(v, v, v).withParam("stream", e.toString()).withParam("seed", "9")
            .withOptions(causal)), 1e-14);
    }

    @Test
    void causalOutputIgnoresLaterValues(@TempDir Path dir) {
        Fixtures f = new Fixtures(534);
        Path e = write(f.uniform(DType.FLOAT64, 1, 1, 10, 8), dir.resolve("e.npy"));
        Tensor v = f.uniform(DType.FLOAT64, 1, 1, 2, 10, 4);
        Tensor later = v.copy();
        for (int h = 0; h < 2; h++) {
            for (int e2 = 0; e2 < 4; e2++) {
                later.set(5.0, 0, h, 8, e2);
            }
        }
        AttentionOptions causal = AttentionOptions.builder().causal(true).build();
        Tensor a = run(AttentionCall.of(v, v, v).withParam("stream", e.toString()).withOptions(causal));
        Tensor b = run(AttentionCall.of(v, v, later).withParam("stream", e.toString()).withOptions(causal));
        assertLeadingRowsEqual(a, b, 8);
    }

    @Test
    void aMissingOrMisshapenStreamIsNamed(@TempDir Path dir) {
        Tensor x = Tensor.zeros(DType.FLOAT32, 2, 2, 5, 4);
        String option = "--opt stream";
        assertArgument(option, () -> run(AttentionCall.of(x, x, x)));
        assertArgument(option, () -> run(AttentionCall.of(x, x, x).withParam("stream", dir.resolve("none.npy").toString())));
        Path flat = write(Tensor.zeros(DType.FLOAT64, 5, 3), dir.resolve("flat.npy"));
        assertArgument(option, () -> run(AttentionCall.of(x, x, x).withParam("stream", flat.toString())));
        Path batch = write(Tensor.zeros(DType.FLOAT64, 3, 5, 3), dir.resolve("batch.npy"));
        assertArgument(option, () -> run(AttentionCall.of(x, x, x).withParam("stream", batch.toString())));
        Path shortStream = write(Tensor.zeros(DType.FLOAT64, 2, 4, 3), dir.resolve("short.npy"));
        assertArgument(option, () -> run(AttentionCall.of(x, x, x).withParam("stream", shortStream.toString())));
    }

    /** t [B, N, E] as nested arrays. */
    static double[][][] array3(Tensor t) {
        double[][][] a = new double[t.dim(0)][t.dim(1)][t.dim(2)];
        for (int b = 0; b < a.length; b++) {
            for (int i = 0; i < a[b].length; i++) {
                for (int e = 0; e < a[b][i].length; e++) {
                    a[b][i][e] = t.get(b, i, e);
                }
            }
        }
        return a;
    }

    static double maxDiff(Tensor a, Tensor b) {
        double d = 0;
        for (int i = 0; i < a.size(); i++) {
            d = Math.max(d, Math.abs(a.getFlat(i) - b.getFlat(i)));
        }
        return d;
    }
}

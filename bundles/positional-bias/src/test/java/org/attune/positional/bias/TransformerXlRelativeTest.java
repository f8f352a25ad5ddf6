package org.attune.positional.bias;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.attune.api.position.EncodingForm;
import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.SymmetryCertificate;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Npy;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransformerXlRelativeTest extends EncodingContract {
    @TempDir
    Path dir;

    @Override
    PositionalEncoding method() {
        return new TransformerXlRelative();
    }

    @Override
    EncodingForm form() {
        return EncodingForm.BIAS;
    }

    @Override
    List<String> claims() {
        return List.of(SymmetryCertificate.RELATIVE);
    }

    /** Dai et al. §3.3 terms (b) + (c) + (d), with R_r = [sin(rω), cos(rω)], grouped kv heads. */
    @Test
    void matchesFloat64Reference() throws Exception {
        Fixtures f = new Fixtures(100);
        int h = 4, d = 6;
        Tensor wr = f.uniform(DType.FLOAT64, h, d, d), u = f.uniform(DType.FLOAT64, h, d), v = f.uniform(DType.FLOAT64, h, d);
        Npy.write(dir.resolve("wr.npy"), wr);
        Npy.write(dir.resolve("u.npy"), u);
        Npy.write(dir.resolve("v.npy"), v);
        Tensor q = f.uniform(DType.FLOAT64, 1, h, 9, d), k = f.uniform(DType.FLOAT64, 1, 2, 13, d);
        Tensor b = method().encode(PositionalCall.tokens(q, k).withOffsets(4, 0)
            .withParams(Map.of("weights", dir.toString())), Fixtures.BACKEND).bias();
        double scale = 1 / Math.sqrt(d);
        double[] expected = new double[b.size()];
        int flat = 0;
        for (int a = 0; a < h; a++) {
            for (int i = 0; i < 9; i++) {
                for (int j = 0; j < 13; j++) {
                    int r = 4 + i - j;
                    double[] rel = new double[d];
                    for (int c = 0; c < d / 2; c++) {
                        double w = 1 / Math.pow(10000, 2.0 * c / d);
                        rel[c] = Math.sin(r * w);
                        rel[d / 2 + c] = Math.cos(r * w);
                    }
                    double termB = 0, termC = 0, termD = 0;
                    for (int e = 0; e < d; e++) {
                        double wR = 0;
                        for (int c = 0; c < d; c++) {
                            wR += wr.get(a, e, c) * rel[c];
                        }
                        termB += q.get(0, a, i, e) * wR;
                        termC += u.get(a, e) * k.get(0, a / 2, j, e);
                        termD += v.get(a, e) * wR;
                    }
                    expected[flat++] = scale * (termB + termC + termD);
                }
            }
        }
        Fixtures.assertClose("xl", expected, b, 1e-12);
    }

    @Test
    void zeroWeightsGiveNoBias() throws Exception {
        Npy.write(dir.resolve("wr.npy"), Tensor.zeros(DType.FLOAT64, 2, 4, 4));
        Npy.write(dir.resolve("u.npy"), Tensor.zeros(DType.FLOAT64, 2, 4));
        Npy.write(dir.resolve("v.npy"), Tensor.zeros(DType.FLOAT64, 2, 4));
        Tensor q = new Fixtures(101).uniform(DType.FLOAT32, 1, 2, 5, 4);
        Tensor b = method().encode(PositionalCall.tokens(q, q).withParams(Map.of("weights", dir.toString())),
            Fixtures.BACKEND).bias();
        Fixtures.assertClose("zero", new double[b.size()], b, 0);
    }
}

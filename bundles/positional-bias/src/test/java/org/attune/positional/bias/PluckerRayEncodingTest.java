package org.attune.positional.bias;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.attune.api.position.EncodingForm;
import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Npy;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluckerRayEncodingTest extends EncodingContract {
    private static final int POSITIONS = 24;

    @TempDir
    Path dir;

    private final SplittableRandom random = new SplittableRandom(5);

    @Override
    PositionalEncoding method() {
        return new PluckerRayEncoding();
    }

    @Override
    EncodingForm form() {
        return EncodingForm.ABSOLUTE;
    }

    @Override
    List<String> claims() {
        return List.of();
    }

    @Override
    Map<String, String> params() {
        return Map.of("rays", write("rays", rays(POSITIONS), POSITIONS, 6), "frequencies", "2");
    }

    private double[] rays(int n) {
        double[] r = new double[n * 6];
        for (int i = 0; i < r.length; i++) {
            r[i] = 2 * random.nextDouble() - 1;
        }
        return r;
    }

    private String write(String name, double[] data, int... shape) {
        Path p = dir.resolve(name + ".npy");
        try {
            Npy.write(p, Tensor.of(data, shape));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return p.toString();
    }

    private Tensor[] encode(Tensor q, Tensor k, int offQ, int offK, Map<String, String> params) {
        var r = method().encode(PositionalCall.tokens(q, k).withOffsets(offQ, offK).withParams(params), Fixtures.BACKEND);
        return new Tensor[] {r.q(), r.k()};
    }

    /** q' = q + π·P with π = (d̂, o × d̂) and its octaves, given rays and projections, keys at another offset. */
    @Test
    void matchesTheProjectedPluckerCoordinates() {
        int n = 4, heads = 2, dim = 3, e = heads * dim, octaves = 1, c = 18;
        double[] rays = rays(10), pq = rays(c * e / 6), pk = rays(c * e / 6);
        Map<String, String> params = Map.of("rays", write("r", rays, 10, 6), "frequencies", "1",
            "projection", write("pq", pq, c, e), "projection-k", write("pk", pk, c, e));
        Fixtures f = new Fixtures(3);
        Tensor q = f.uniform(DType.FLOAT64, 1, heads, n, dim), k = f.uniform(DType.FLOAT64, 1, heads, n, dim);
        Tensor[] out = encode(q, k, 2, 5, params);
        for (int which = 0; which < 2; which++) {
            Tensor x = which == 0 ? q : k;
            double[] proj = which == 0 ? pq : pk;
            int offset = which == 0 ? 2 : 5;
            double[] expected = x.toDoubleArray();
            for (int t = 0; t < n; t++) {
                double[] o = {rays[(offset + t) * 6], rays[(offset + t) * 6 + 1], rays[(offset + t) * 6 + 2]};
                double[] d = {rays[(offset + t) * 6 + 3], rays[(offset + t) * 6 + 4], rays[(offset + t) * 6 + 5]};
                double len = Math.sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
                for (int a = 0; a < 3; a++) {
                    d[a] /= len;
                }
                double[] pi = {d[0], d[1], d[2], o[1] * d[2] - o[2] * d[1], o[2] * d[0] - o[0] * d[2],
                    o[0] * d[1] - o[1] * d[0]};
                double[] feat = new double[c];
                for (int a = 0; a < 6; a++) {
                    feat[a] = pi[a];
                    feat[6 + a] = Math.sin(pi[a]);
                    feat[12 + a] = Math.cos(pi[a]);
                }
                for (int ch = 0; ch < e; ch++) {
                    double s = 0;
                    for (int a = 0; a < c; a++) {
                        s += feat[a] * proj[a * e + ch];
                    }
                    expected[((ch / dim) * n + t) * dim + ch % dim] += s;
                }
            }
            Fixtures.assertClose(which == 0 ? "q" : "k", expected, out[which], 1e-13);
        }
    }

    /** Moving each ray's origin along its direction (o + s·d) and rescaling d leave the encoding unchanged. */
    @Test
    void isInvariantToTheChoiceOfPointAndLengthAlongEachRay() {
        double[] rays = rays(8), moved = rays.clone();
        for (int p = 0; p < 8; p++) {
            double s = 3 * random.nextDouble() - 1.5, len = 0.5 + random.nextDouble();
            for (int a = 0; a < 3; a++) {
                moved[p * 6 + a] += s * rays[p * 6 + 3 + a];
                moved[p * 6 + 3 + a] *= len;
            }
        }
        Fixtures f = new Fixtures(4);
        Tensor q = f.uniform(DType.FLOAT64, 2, 2, 8, 4), k = f.uniform(DType.FLOAT64, 2, 2, 8, 4);
        Tensor[] a = encode(q, k, 0, 0, Map.of("rays", write("a", rays, 8, 6), "frequencies", "3"));
        Tensor[] b = encode(q, k, 0, 0, Map.of("rays", write("b", moved, 8, 6), "frequencies", "3"));
        Fixtures.assertSame("q", a[0], b[0], 1e-12);
        Fixtures.assertSame("k", a[1], b[1], 1e-12);
    }

    /** SPAD's zero-initialised projection leaves queries and keys as they are. */
    @Test
    void zeroProjectionIsTheIdentity() {
        Fixtures f = new Fixtures(6);
        Tensor q = f.uniform(DType.FLOAT32, 1, 2, 5, 4), k = f.uniform(DType.FLOAT32, 1, 2, 5, 4);
        Tensor[] out = encode(q, k, 0, 0, Map.of("rays", write("r", rays(5), 5, 6), "projection",
            write("z", new double[6 * 8], 6, 8)));
        Fixtures.assertSame("q", q, out[0], 0);
        Fixtures.assertSame("k", k, out[1], 0);
    }

    @Test
    void rejectsMissingRaysShortRaysAndZeroDirections() {
        Tensor q = Tensor.zeros(DType.FLOAT64, 1, 2, 5, 4);
        Fixtures.assertArgument("--pe-option rays", () -> encode(q, q, 0, 0, Map.of()));
        String four = write("four", rays(4), 4, 6);
        Fixtures.assertArgument("--pe-option rays", () -> encode(q, q, 0, 0, Map.of("rays", four)));
        Fixtures.assertArgument("--pe-option rays", () -> encode(q, q, 0, 0, Map.of("rays",
            write("zero", new double[30], 5, 6))));
        String bad = write("bad", rays(5), 5, 6);
        Fixtures.assertArgument("--pe-option projection", () -> encode(q, q, 0, 0, Map.of("rays", bad,
            "projection", write("p", new double[12], 2, 6))));
    }
}

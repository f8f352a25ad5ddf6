package org.attune.attention.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;

import org.attune.api.attention.AttentionMechanism;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.diagnostics.DiagnosticCall;
import org.attune.api.diagnostics.DiagnosticReport;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;

class PammAttentionTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new PammAttention();
    }

    @Test
    void forwardPassIsExactlyMultiHeadAttention() {
        Fixtures f = new Fixtures(140);
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor q = f.uniform(dtype, 1, 2, 3, 11, 4);
            Tensor k = f.uniform(dtype, 1, 2, 3, 13, 4);
            Tensor v = f.uniform(dtype, 1, 2, 3, 13, 4);
            AttentionOptions o = AttentionOptions.builder().causal(true).build();
            Tensor mha = new MultiHeadAttention().attend(call(q, k, v).withParam("seed", "9").withOptions(o),
                Fixtures.BACKEND);
            Tensor pamm = run(call(q, k, v).withParam("seed", "9").withOptions(o));
            assertArrayEquals(mha.toDoubleArray(), pamm.toDoubleArray(), 0);
        }
    }

    /** arXiv:2506.02939 §3 Designs 1–2, transcribed with the same draw of points. */
    static double[][] referenceGradient(double[][] x, double[][] g, int k, double epsilon, long seed) {
        int b = x.length;
        int[] order = new int[b];
        for (int i = 0; i < b; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int t = 0; t < k; t++) {
            int j = t + random.nextInt(b - t);
            int s = order[t];
            order[t] = order[j];
            order[j] = s;
        }
        double[][] out = new double[x[0].length][g[0].length];
        int dropped = 0;
        double[][] contributions = new double[b][];
        for (int i = 0; i < b; i++) {
            int best = 0;
            double bestCos = -1;
            for (int t = 0; t < k; t++) {
                double[] c = x[order[t]];
                double cos = Math.abs(dot(x[i], c)) / Math.sqrt(dot(x[i], x[i]) * dot(c, c));
                if (cos > bestCos) {
                    bestCos = cos;
                    best = t;
                }
            }
            double[] c = x[order[best]];
            double alpha = dot(x[i], c) / dot(c, c);
            double residual = 0;
            for (int r = 0; r < c.length; r++) {
                residual += Math.pow(x[i][r] - alpha * c[r], 2);
            }
            if (Math.sqrt(residual) > epsilon * Math.sqrt(dot(x[i], x[i]))) {
                dropped++;
                continue;
            }
            contributions[i] = new double[] {best, alpha};
        }
        double beta = (double) b / (b - dropped);
        for (int i = 0; i < b; i++) {
            if (contributions[i] == null) {
                continue;
            }
            double[] c = x[order[(int) contributions[i][0]]];
            for (int r = 0; r < c.length; r++) {
                for (int m = 0; m < g[i].length; m++) {
                    out[r][m] += beta * contributions[i][1] * c[r] * g[i][m];
                }
            }
        }
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static double[][] random(SplittableRandom r, int rows, int cols) {
        double[][] m = new double[rows][cols];
        for (double[] row : m) {
            for (int c = 0; c < cols; c++) {
                row[c] = 2 * r.nextDouble() - 1;
            }
        }
        return m;
    }

    @Test
    void approximateGradientMatchesTheTranscriptionWithTheGate() {
        SplittableRandom r = new SplittableRandom(141);
        double[][] x = random(r, 40, 6);
        double[][] g = random(r, 40, 5);
        PointApproximation.Compressed c = PointApproximation.compress(x, 0.2, 0.8, 7);
        assertTrue(c.dropped() > 0 && c.dropped() < 40, "the gate drops some tokens: " + c.dropped());
        double[][] expected = referenceGradient(x, g, 8, 0.8, 7);
        double[][] actual = c.weightGradient(g);
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], actual[i], 1e-12);
        }
    }

    @Test
    void allTokensAsPointsGiveTheExactGradient() {
        SplittableRandom r = new SplittableRandom(142);
        double[][] x = random(r, 17, 5);
        double[][] g = random(r, 17, 3);
        double[][] exact = new double[5][3];
        for (int i = 0; i < 17; i++) {
            for (int a = 0; a < 5; a++) {
                for (int m = 0; m < 3; m++) {
                    exact[a][m] += x[i][a] * g[i][m];
                }
            }
        }
        double[][] approx = PointApproximation.compress(x, 1, Double.POSITIVE_INFINITY, 3).weightGradient(g);
        for (int a = 0; a < 5; a++) {
            assertArrayEquals(exact[a], approx[a], 1e-12);
        }
    }

    @Test
    void activationErrorDoesNotGrowWithMorePoints() {
        SplittableRandom r = new SplittableRandom(143);
        double[][] x = random(r, 64, 8);
        double previous = Double.POSITIVE_INFINITY;
        for (double ratio : new double[] {1.0 / 64, 4.0 / 64, 16.0 / 64, 1}) {
            double[][] approx = PointApproximation.compress(x, ratio, Double.POSITIVE_INFINITY, 5).reconstruction();
            double err = 0;
            for (int i = 0; i < 64; i++) {
                for (int c = 0; c < 8; c++) {
                    err += Math.pow(x[i][c] - approx[i][c], 2);
                }
            }
            assertTrue(err <= previous + 1e-12, ratio + ": " + err + " > " + previous);
            previous = err;
        }
        assertEquals(0, previous, 1e-20);
    }

    @Test
    void theDiagnosticReportsCompressionAndErrorsPerProjection() {
        Fixtures f = new Fixtures(144);
        Tensor q = f.uniform(DType.FLOAT64, 1, 2, 2, 32, 4);
        Tensor k = f.uniform(DType.FLOAT64, 1, 2, 2, 32, 4);
        Tensor v = f.uniform(DType.FLOAT64, 1, 2, 2, 32, 4);
        DiagnosticReport coarse = new PammError().run(new DiagnosticCall(Map.of("q", q, "k", k, "v", v),
            Map.of("ratio", "0.125")), Fixtures.BACKEND);
        DiagnosticReport exact = new PammError().run(new DiagnosticCall(Map.of("q", q, "k", k, "v", v),
            Map.of("ratio", "1")), Fixtures.BACKEND);
        for (String p : new String[] {"q", "k", "v"}) {
            assertEquals(8, coarse.values().get(p + ".compression"), 0);
            assertEquals(0, coarse.values().get(p + ".dropped"), 0);
            assertTrue(coarse.values().get(p + ".activation-error") > 0.1);
            assertTrue(coarse.values().get(p + ".gradient-error") > 0.01);
            assertEquals(1, exact.values().get(p + ".compression"), 0);
            assertEquals(0, exact.values().get(p + ".activation-error"), 1e-12);
            assertEquals(0, exact.values().get(p + ".gradient-error"), 1e-12);
        }
        assertTrue(coarse.summary().contains("64 tokens -> 8 points"), coarse.summary());
        assertArgument("--opt ratio", () -> new PammError().run(new DiagnosticCall(Map.of("q", q, "k", k, "v", v),
            Map.of("ratio", "0")), Fixtures.BACKEND));
        assertArgument("v", () -> new PammError().run(new DiagnosticCall(Map.of("q", q, "k", k), Map.of()),
            Fixtures.BACKEND));
    }
}

package org.attune.equivariance.canonicalization;

import static org.attune.equivariance.canonicalization.FrameAveragingTest.BACKEND;
import static org.attune.equivariance.canonicalization.FrameAveragingTest.GROUPS;
import static org.attune.equivariance.canonicalization.FrameAveragingTest.maxRelative;
import static org.attune.equivariance.canonicalization.FrameAveragingTest.principalAxes;
import static org.attune.equivariance.canonicalization.FrameAveragingTest.rows;
import static org.attune.equivariance.canonicalization.FrameAveragingTest.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import org.attune.api.equivariance.EquivarianceCertificate;
import org.attune.api.equivariance.GeometricInput;
import org.attune.api.equivariance.GeometricOutput;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Invariant Slot Attention against a float64 transcription (d = 2 with closed-form 2×2 eigenvectors, d = 3 with
 * the closed-form 3×3 ones), its reduction to plain Slot Attention (Locatello et al., Algorithm 1, transcribed
 * separately) with frames off, its E(2), E(3) and scaling certificates in float64 and float32, invariance on a
 * rotated, scaled and shifted pixel grid, and its input checks.
 */
class InvariantSlotAttentionTest {
    static final double EPS = 1e-8;
    final InvariantSlotAttention isa = new InvariantSlotAttention();

    static double[][] layerNorm(double[][] x) {
        double[][] y = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            double mean = 0;
            for (double v : x[i]) {
                mean += v / x[i].length;
            }
            double var = 0;
            for (double v : x[i]) {
                var += (v - mean) * (v - mean) / x[i].length;
            }
            y[i] = new double[x[i].length];
            for (int j = 0; j < x[i].length; j++) {
                y[i][j] = (x[i][j] - mean) / Math.sqrt(var + 1e-5);
            }
        }
        return y;
    }

    /** x·W + b (b may be null), W [in, out] a tensor. */
    static double[][] affine(double[][] x, Tensor w, Tensor b) {
        double[][] y = new double[x.length][w.dim(1)];
        for (int i = 0; i < x.length; i++) {
            for (int o = 0; o < w.dim(1); o++) {
                double s = b == null ? 0 : b.get(o);
                for (int j = 0; j < w.dim(0); j++) {
                    s += x[i][j] * w.get(j, o);
                }
                y[i][o] = s;
            }
        }
        return y;
    }

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /** PyTorch GRUCell: r, z gates, candidate n, h' = (1 − z)·n + z·h. */
    static double[][] gru(Tensor[] p, double[][] u, double[][] h) {
        double[][] ir = affine(u, p[0], p[6]);
        double[][] iz = affine(u, p[1], p[7]);
        double[][] in = affine(u, p[2], p[8]);
        double[][] hr = affine(h, p[3], p[9]);
        double[][] hz = affine(h, p[4], p[10]);
        double[][] hn = affine(h, p[5], p[11]);
        double[][] out = new double[h.length][h[0].length];
        for (int i = 0; i < h.length; i++) {
            for (int j = 0; j < h[0].length; j++) {
                double r = sigmoid(ir[i][j] + hr[i][j]);
                double z = sigmoid(iz[i][j] + hz[i][j]);
                double n = Math.tanh(in[i][j] + r * hn[i][j]);
                out[i][j] = (1 - z) * n + z * h[i][j];
            }
        }
        return out;
    }

    static double[][] relu(double[][] x) {
        double[][] y = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i].clone();
            for (int j = 0; j < y[i].length; j++) {
                y[i][j] = Math.max(0, y[i][j]);
            }
        }
        return y;
    }

    /** slots + MLP(LN(slots)). */
    static double[][] residualMlp(Tensor[] m, double[][] s) {
        double[][] y = affine(relu(affine(layerNorm(s), m[0], m[1])), m[2], m[3]);
        for (int i = 0; i < s.length; i++) {
            for (int j = 0; j < s[i].length; j++) {
                y[i][j] += s[i][j];
            }
        }
        return y;
    }

    /** Softmax over the slots (axis 0 of [K][N]), then each slot's weights renormalised over the inputs with ε. */
    static double[][] attention(double[][] logits) {
        int k = logits.length;
        int n = logits[0].length;
        double[][] w = new double[k][n];
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (double[] row : logits) {
                max = Math.max(max, row[i]);
            }
            double sum = 0;
            for (int j = 0; j < k; j++) {
                sum += Math.exp(logits[j][i] - max);
            }
            for (int j = 0; j < k; j++) {
                w[j][i] = Math.exp(logits[j][i] - max) / sum + EPS;
            }
        }
        for (double[] row : w) {
            double sum = 0;
            for (double v : row) {
                sum += v;
            }
            for (int i = 0; i < n; i++) {
                row[i] /= sum;
            }
        }
        return w;
    }

    /** Plain Slot Attention, Locatello et al. Algorithm 1 (no positions), in float64: the slots after T iterations. */
    static double[][] plainSlotAttention(double[][] x, SlotWeights w, int iterations) {
        double[][] inputs = layerNorm(x);
        double[][] k = affine(inputs, w.wk(), null);
        double[][] v = affine(inputs, w.wv(), null);
        double[][] slots = rows(w.slots());
        int width = slots[0].length;
        for (int t = 0; t < iterations; t++) {
            double[][] q = affine(layerNorm(slots), w.wq(), null);
            double[][] logits = new double[slots.length][x.length];
            for (int j = 0; j < slots.length; j++) {
                for (int i = 0; i < x.length; i++) {
                    for (int e = 0; e < width; e++) {
                        logits[j][i] += q[j][e] * k[i][e] / Math.sqrt(width);
                    }
                }
            }
            double[][] attn = attention(logits);
            double[][] updates = new double[slots.length][width];
            for (int j = 0; j < slots.length; j++) {
                for (int i = 0; i < x.length; i++) {
                    for (int e = 0; e < width; e++) {
                        updates[j][e] += attn[j][i] * v[i][e];
                    }
                }
            }
            slots = residualMlp(w.mlp(), gru(w.gru(), updates, slots));
        }
        return slots;
    }

    /** A slot's frame by the definition: {p, axes (columns), σ}, eigenvectors in closed form (d = 2 or 3). */
    static double[][][] frame(double[] w, double[][] g) {
        int d = g[0].length;
        double[] p = new double[d];
        for (int i = 0; i < g.length; i++) {
            for (int a = 0; a < d; a++) {
                p[a] += w[i] * g[i][a];
            }
        }
        double[][] c = new double[d][d];
        for (int i = 0; i < g.length; i++) {
            for (int a = 0; a < d; a++) {
                for (int b = 0; b < d; b++) {
                    c[a][b] += w[i] * (g[i][a] - p[a]) * (g[i][b] - p[b]);
                }
            }
        }
        double[][] u;
        if (d == 2) {
            double l1 = (c[0][0] + c[1][1]) / 2 + Math.hypot((c[0][0] - c[1][1]) / 2, c[0][1]);
            double[] e = c[0][0] >= c[1][1] ? new double[] {l1 - c[1][1], c[0][1]} : new double[] {c[0][1], l1 - c[0][0]};
            double norm = Math.hypot(e[0], e[1]);
            u = new double[][] {{e[0] / norm, -e[1] / norm}, {e[1] / norm, e[0] / norm}};
        } else {
            u = principalAxes(c);
        }
        double[] sigma = new double[d];
        for (int j = 0; j < d; j++) {
            double third = 0;
            for (int i = 0; i < g.length; i++) {
                double proj = 0;
                for (int a = 0; a < d; a++) {
                    proj += u[a][j] * (g[i][a] - p[a]);
                }
                third += w[i] * proj * proj * proj;
            }
            double lambda = 0;
            for (int a = 0; a < d; a++) {
                for (int b = 0; b < d; b++) {
                    lambda += u[a][j] * c[a][b] * u[b][j];
                }
            }
            for (int a = 0; a < d; a++) {
                u[a][j] = third < 0 ? -u[a][j] : u[a][j];
            }
            sigma[j] = Math.sqrt(lambda);
        }
        return new double[][][] {{p}, u, {sigma}};
    }

    /** Invariant Slot Attention by the class formula, in float64: {positions [K][d], slots [K][D]}. */
    static double[][][] reference(double[][] g, double[][] x, SlotWeights w, int iterations) {
        double[][] inputs = layerNorm(x);
        double[][] k = affine(inputs, w.wk(), null);
        double[][] v = affine(inputs, w.wv(), null);
        double[][] slots = rows(w.slots());
        int width = slots[0].length;
        int d = g[0].length;
        double[][][][] frames = null;
        double[][] attn = null;
        for (int t = 0; t <= iterations; t++) {
            double[][] q = affine(layerNorm(slots), w.wq(), null);
            double[][] logits = new double[slots.length][x.length];
            for (int j = 0; j < slots.length; j++) {
                double[][] h = new double[x.length][width];
                if (t > 0) {
                    double[][][] f = frames[j];
                    double[][] rel = new double[x.length][d];
                    for (int i = 0; i < x.length; i++) {
                        for (int b = 0; b < d; b++) {
                            for (int a = 0; a < d; a++) {
                                rel[i][b] += f[1][a][b] * (g[i][a] - f[0][0][a]) / f[2][0][b];
                            }
                        }
                    }
                    h = affine(relu(affine(rel, w.grid()[0], w.grid()[1])), w.grid()[2], w.grid()[3]);
                }
                for (int i = 0; i < x.length; i++) {
                    for (int e = 0; e < width; e++) {
                        logits[j][i] += q[j][e] * (k[i][e] + h[i][e]) / Math.sqrt(width);
                    }
                }
            }
            attn = attention(logits);
            frames = new double[slots.length][][][];
            for (int j = 0; j < slots.length; j++) {
                frames[j] = frame(attn[j], g);
            }
            if (t < iterations) {
                double[][] updates = new double[slots.length][width];
                for (int j = 0; j < slots.length; j++) {
                    for (int i = 0; i < x.length; i++) {
                        for (int e = 0; e < width; e++) {
                            updates[j][e] += attn[j][i] * v[i][e];
                        }
                    }
                }
                slots = residualMlp(w.mlp(), gru(w.gru(), updates, slots));
            }
        }
        double[][] positions = new double[slots.length][];
        for (int j = 0; j < slots.length; j++) {
            positions[j] = frames[j][0][0];
        }
        return new double[][][] {positions, slots};
    }

    GeometricOutput run(Tensor g, Tensor x, long seed, Map<String, String> p) {
        return isa.apply(new GeometricInput(g, x, null, seed, p), BACKEND);
    }

    @Test
    void matchesTheFloat64Transcription() {
        SplittableRandom r = new SplittableRandom(41);
        for (int d : new int[] {2, 3}) {
            for (int trial = 0; trial < 3; trial++) {
                Tensor g = uniform(r, DType.FLOAT64, 9, d);
                Tensor x = uniform(r, DType.FLOAT64, 9, 4);
                Map<String, String> p = Map.of("slots", "3", "iterations", "2", "width", "6");
                double[][][] ref = reference(rows(g), rows(x), SlotWeights.init(11, 3, 6, 4, d), 2);
                GeometricOutput f64 = run(g, x, 11, p);
                assertArrayEquals(new int[] {3, d}, f64.coords().shape());
                assertArrayEquals(new int[] {3, 6}, f64.feats().shape());
                assertTrue(maxRelative(ref[0], f64.coords()) < 1e-10, "d=" + d + " trial " + trial + " positions " + maxRelative(ref[0], f64.coords()) + " slots " + maxRelative(ref[1], f64.feats()));
                assertTrue(maxRelative(ref[1], f64.feats()) < 1e-10, "slots " + maxRelative(ref[1], f64.feats()));
                GeometricOutput f32 = run(g.to(DType.FLOAT32), x.to(DType.FLOAT32), 11, p);
                assertEquals(DType.FLOAT32, f32.feats().dtype());
                assertTrue(maxRelative(ref[0], f32.coords()) < 1e-4 && maxRelative(ref[1], f32.feats()) < 1e-4,
                    "f32 " + maxRelative(ref[0], f32.coords()) + " " + maxRelative(ref[1], f32.feats()));
            }
        }
    }

    @Test
    void reducesToPlainSlotAttentionWithoutFrames() {
        SplittableRandom r = new SplittableRandom(42);
        Tensor g = uniform(r, DType.FLOAT64, 12, 2);
        Tensor x = uniform(r, DType.FLOAT64, 12, 5);
        for (int iterations : new int[] {1, 3}) {
            Map<String, String> p = Map.of("frames", "false", "iterations", "" + iterations, "slots", "4", "width", "8");
            double[][] plain = plainSlotAttention(rows(x), SlotWeights.init(5, 4, 8, 5, 2), iterations);
            GeometricOutput out = run(g, x, 5, p);
            assertTrue(maxRelative(plain, out.feats()) < 1e-12, "slots " + maxRelative(plain, out.feats()));
        }
        // and the frames matter: with them the slots differ from plain Slot Attention
        double[][] plain = plainSlotAttention(rows(x), SlotWeights.init(5, 3, 16, 5, 2), 3);
        assertTrue(maxRelative(plain, run(g, x, 5, Map.of()).feats()) > 1e-3);
    }

    @Test
    void slotsAreInvariantAndPositionsEquivariantUnderItsClaims() {
        for (String claim : List.of("E(2)", "E(3)", "scaling", "O(2)", "SO(3)", "SE(3)")) {
            for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
                List<EquivarianceCertificate.Finding> f = EquivarianceCertificate.certify(isa, claim, GROUPS.get(claim),
                    Map.of(), dtype, 8, 3, BACKEND);
                assertEquals(2, f.size());
                for (EquivarianceCertificate.Finding finding : f) {
                    assertTrue(finding.holds(), claim + " " + dtype + ": " + finding);
                }
            }
        }
    }

    @Test
    void slotsAreInvariantOnARotatedScaledAndShiftedPixelGrid() {
        // an 8×6 pixel grid with random features; the grid is rotated by 0.7 rad, scaled by 2.5 and shifted
        SplittableRandom r = new SplittableRandom(43);
        Tensor g = Tensor.zeros(DType.FLOAT64, 48, 2);
        Tensor moved = Tensor.zeros(DType.FLOAT64, 48, 2);
        double c = Math.cos(0.7);
        double s = Math.sin(0.7);
        for (int i = 0; i < 48; i++) {
            double y = i / 6 / 7.0 * 2 - 1;
            double x = i % 6 / 5.0 * 2 - 1;
            g.set(y, i, 0);
            g.set(x, i, 1);
            moved.set(2.5 * (c * y - s * x) + 3, i, 0);
            moved.set(2.5 * (s * y + c * x) - 1, i, 1);
        }
        Tensor x = uniform(r, DType.FLOAT64, 48, 3);
        GeometricOutput plain = run(g, x, 8, Map.of("slots", "4"));
        GeometricOutput out = run(moved, x, 8, Map.of("slots", "4"));
        double[][] slots = rows(plain.feats());
        assertTrue(maxRelative(slots, out.feats()) < 1e-9, "slots " + maxRelative(slots, out.feats()));
        double[][] expected = rows(plain.coords());
        for (double[] p : expected) {
            double y = p[0];
            p[0] = 2.5 * (c * y - s * p[1]) + 3;
            p[1] = 2.5 * (s * y + c * p[1]) - 1;
        }
        assertTrue(maxRelative(expected, out.coords()) < 1e-9, "positions " + maxRelative(expected, out.coords()));
        // a non-rigid change of the grid (one pixel moved) does change the slots: positions do enter
        Tensor bent = g.copy();
        bent.set(0.3, 17, 0);
        assertTrue(maxRelative(slots, run(bent, x, 8, Map.of("slots", "4")).feats()) > 1e-6);
    }

    @Test
    void rejectsBadInputsNamingTheArgument() {
        SplittableRandom r = new SplittableRandom(44);
        Tensor g = uniform(r, DType.FLOAT64, 6, 2);
        Tensor x = uniform(r, DType.FLOAT64, 6, 3);
        Object[][] cases = {
            {"coords", uniform(r, DType.FLOAT64, 6, 11), x, Map.of()},
            {"coords", null, x, Map.of()},
            {"feats", g, uniform(r, DType.FLOAT64, 5, 3), Map.of()},
            {"feats", g, x.to(DType.FLOAT32), Map.of()},
            {"slots", g, x, Map.of("slots", "0")},
            {"iterations", g, x, Map.of("iterations", "x")},
            {"width", g, x, Map.of("width", "-1")},
            {"frames", g, x, Map.of("frames", "maybe")},
        };
        @SuppressWarnings("unchecked")
        Consumer<Object[]> bad = c -> run((Tensor) c[1], (Tensor) c[2], 1, (Map<String, String>) c[3]);
        Rejections.assertEachNamesItsArgument(cases, bad);
        Rejections.assertInputUnchanged(g, () -> run(g, x, 1, Map.of()));
    }
}

package org.attune.equivariance.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.attune.api.backend.ComputeBackend;
import org.attune.api.equivariance.EquivarianceCertificate;
import org.attune.api.equivariance.GeometricInput;
import org.attune.api.equivariance.GeometricOutput;
import org.attune.api.equivariance.SymmetryGroup;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.attune.backend.java.JavaBackend;
import org.attune.symmetry.GroupCatalogue;
import org.junit.jupiter.api.Test;

/**
 * EqMotion against a float64 transcription of the reference code's forward pass (agent by agent, all N×N pairs
 * with the diagonal masked as in {@code gcl_t.py}, the inverse DCT by Gauss–Jordan as {@code np.linalg.inv} does),
 * its E(n)/O(3) certificates through the shared certifier (float64 1e-9, float32 1e-3), permutation of whole
 * agent histories, and its input checks.
 */
class EqMotionTest {
    static final ComputeBackend BACKEND = new JavaBackend();
    static final Map<String, SymmetryGroup> GROUPS = GroupCatalogue.groups();
    final EqMotion eqMotion = new EqMotion();

    static double silu(double x) {
        return x / (1 + Math.exp(-x));
    }

    static double[] dense(DenseLayer layer, double[] x) {
        return EgnnTest.dense(layer, x);
    }

    /** The perceptron, its first layer applied block by block to the parts of the concatenation. */
    static double[] mlp(SiluMlp m, double[]... parts) {
        double[] z = new double[m.blocks().get(0).weight().dim(1)];
        for (int b = 0; b < parts.length; b++) {
            z = EgnnTest.sum(z, dense(m.blocks().get(b), parts[b]));
        }
        double[] y = dense(m.second(), EgnnTest.map(z, EqMotionTest::silu));
        return m.finalSilu() ? EgnnTest.map(y, EqMotionTest::silu) : y;
    }

    /** out[c][a] = Σ_k W[k][c] in[k][a]: an nn.Linear over the channel axis of [K][d] (no bias). */
    static double[][] channels(DenseLayer w, double[][] in) {
        int out = w.weight().dim(1);
        double[][] r = new double[out][in[0].length];
        for (int c = 0; c < out; c++) {
            for (int k = 0; k < in.length; k++) {
                for (int a = 0; a < in[0].length; a++) {
                    r[c][a] += w.weight().get(k, c) * in[k][a];
                }
            }
        }
        return r;
    }

    static double[][] dctMatrix(int n) {
        double[][] m = new double[n][n];
        for (int k = 0; k < n; k++) {
            for (int i = 0; i < n; i++) {
                m[k][i] = (k == 0 ? Math.sqrt(1.0 / n) : Math.sqrt(2.0 / n)) * Math.cos(Math.PI * (i + 0.5) * k / n);
            }
        }
        return m;
    }

    static double[][] inverse(double[][] a) {
        int n = a.length;
        double[][] m = new double[n][2 * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a[i], 0, m[i], 0, n);
            m[i][n + i] = 1;
        }
        for (int c = 0; c < n; c++) {
            int p = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(m[r][c]) > Math.abs(m[p][c])) {
                    p = r;
                }
            }
            double[] t = m[c];
            m[c] = m[p];
            m[p] = t;
            double pivot = m[c][c];
            for (int j = 0; j < 2 * n; j++) {
                m[c][j] /= pivot;
            }
            for (int r = 0; r < n; r++) {
                if (r != c) {
                    double f = m[r][c];
                    for (int j = 0; j < 2 * n; j++) {
                        m[r][j] -= f * m[c][j];
                    }
                }
            }
        }
        double[][] inv = new double[n][n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(m[i], n, inv[i], 0, n);
        }
        return inv;
    }

    static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** Per agent: d_ij[c] = G_i[c] − G_j[c] and its channel norms. */
    static double[] channelDistances(double[][] gi, double[][] gj) {
        double[] r = new double[gi.length];
        for (int c = 0; c < gi.length; c++) {
            double[] diff = new double[gi[c].length];
            for (int a = 0; a < diff.length; a++) {
                diff[a] = gi[c][a] - gj[c][a];
            }
            r[c] = norm(diff);
        }
        return r;
    }

    /** Mean over agents and channels of G [N][C][d]. */
    static double[] meanAgentsChannels(double[][][] g) {
        double[] m = new double[g[0][0].length];
        for (double[][] agent : g) {
            for (double[] ch : agent) {
                for (int a = 0; a < m.length; a++) {
                    m[a] += ch[a] / (g.length * agent.length);
                }
            }
        }
        return m;
    }

    /**
     * model_t.py's EqMotion.forward for one scene: x [N][P][d], vel [N][P][d], h [N][P·C₀] → y [N][F][d] and the
     * final h [N][H].
     */
    static double[][][][] reference(double[][][] x0, double[][][] vel0, double[][] feats, EqMotionWeights w, int future) {
        int n = x0.length;
        int past = x0[0].length;
        int d = x0[0][0].length;
        int channels = w.coordTrans.weight().dim(1);
        // velocity angles
        double[][] angle = new double[n][past];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < past; t++) {
                double[] pre = vel0[i][t == 0 ? 0 : t - 1];
                double cos = dot(pre, vel0[i][t]) / ((norm(pre) + 1e-6) * (norm(vel0[i][t]) + 1e-6));
                angle[i][t] = Math.acos(Math.max(-1, Math.min(1, cos)));
            }
        }
        // centre and DCT over time
        double[] centre = new double[d];
        for (double[][] agent : x0) {
            for (double[] p : agent) {
                for (int a = 0; a < d; a++) {
                    centre[a] += p[a] / (n * past);
                }
            }
        }
        double[][] dct = dctMatrix(past);
        double[][] idct = inverse(dctMatrix(future));
        double[][][] x = new double[n][past][d];
        double[][][] vel = new double[n][past][d];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < past; k++) {
                for (int t = 0; t < past; t++) {
                    for (int a = 0; a < d; a++) {
                        x[i][k][a] += dct[k][t] * (x0[i][t][a] - centre[a]);
                        vel[i][k][a] += dct[k][t] * vel0[i][t][a];
                    }
                }
            }
        }
        double[][] h = new double[n][];
        for (int i = 0; i < n; i++) {
            h[i] = EgnnTest.sum(dense(w.embedding, feats[i]), dense(w.angleEmbedding, angle[i]));
        }
        double[] xm = meanAgentsChannels(x);
        double[][][] g = new double[n][][];
        double[][][] u = new double[n][][];
        for (int i = 0; i < n; i++) {
            double[][] centred = new double[past][d];
            for (int k = 0; k < past; k++) {
                for (int a = 0; a < d; a++) {
                    centred[k][a] = x[i][k][a] - xm[a];
                }
            }
            g[i] = channels(w.coordTrans, centred);
            for (double[] ch : g[i]) {
                for (int a = 0; a < d; a++) {
                    ch[a] += xm[a];
                }
            }
            u[i] = channels(w.velTrans, vel[i]);
        }
        // calc_category on x_cat = [G; U]
        double[][][] rho = new double[n][n][];
        double[][][] edge = new double[n][n][];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                rho[i][j] = mlp(w.interactionCoord, channelDistances(g[i], g[j]), channelDistances(u[i], u[j]));
                edge[i][j] = mlp(w.interactionEdge, h[i], h[j], rho[i][j]);
            }
        }
        double[][] nodeNew = new double[n][];
        for (int i = 0; i < n; i++) {
            double[] agg = new double[h[i].length];
            for (int j = 0; j < n; j++) {
                if (j != i) {
                    agg = EgnnTest.sum(agg, edge[i][j]);
                }
            }
            nodeNew[i] = mlp(w.interactionNode, h[i], agg);
        }
        double[][][] category = new double[n][n][];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double[] logits = mlp(w.interactionCategory, nodeNew[i], nodeNew[j], rho[i][j]);
                double max = Double.NEGATIVE_INFINITY;
                for (double l : logits) {
                    max = Math.max(max, l);
                }
                double z = 0;
                double[] p = new double[logits.length];
                for (int k = 0; k < p.length; k++) {
                    p[k] = Math.exp(logits[k] - max);
                    z += p[k];
                }
                for (int k = 0; k < p.length; k++) {
                    p[k] /= z;
                }
                category[i][j] = p;
            }
        }
        for (EqMotionWeights.Layer layer : w.layers) {
            // edge_model on the layer's input G
            double[][][][] diff = new double[n][n][channels][d];
            double[][][] dist = new double[n][n][];
            double[][][] edgeFeat = new double[n][n][];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    for (int c = 0; c < channels; c++) {
                        for (int a = 0; a < d; a++) {
                            diff[i][j][c][a] = g[i][c][a] - g[j][c][a];
                        }
                    }
                    dist[i][j] = channelDistances(g[i], g[j]);
                    edgeFeat[i][j] = mlp(layer.edge(), h[i], h[j], dist[i][j]);
                }
            }
            // inner_agent_attention
            double[] gm = meanAgentsChannels(g);
            double[][][] g2 = new double[n][channels][d];
            for (int i = 0; i < n; i++) {
                double[] att = EgnnTest.map(dense(layer.attention(), h[i]), EqMotionTest::silu);
                for (int c = 0; c < channels; c++) {
                    for (int a = 0; a < d; a++) {
                        g2[i][c][a] = att[c] * (g[i][c][a] - gm[a]) + g[i][c][a];
                    }
                }
            }
            // aggregate_coord_reasoning, then coord_vel
            for (int i = 0; i < n; i++) {
                double[][] cv = channels(layer.coordVel(), u[i]);
                double[][] next = new double[channels][d];
                for (int c = 0; c < channels; c++) {
                    next[c] = g2[i][c].clone();
                }
                for (int j = 0; j < n; j++) {
                    double[] factors = new double[channels];
                    for (int k = 0; k < category[i][j].length; k++) {
                        double[] fk = mlp(layer.categories().get(k), h[i], h[j], dist[i][j]);
                        for (int c = 0; c < channels; c++) {
                            factors[c] += category[i][j][k] * fk[c];
                        }
                    }
                    factors = mlp(layer.factor(), factors);
                    for (int c = 0; c < channels; c++) {
                        for (int a = 0; a < d; a++) {
                            next[c][a] += factors[c] * diff[i][j][c][a];
                        }
                    }
                }
                for (int c = 0; c < channels; c++) {
                    for (int a = 0; a < d; a++) {
                        next[c][a] += cv[c][a];
                    }
                }
                g2[i] = next;
            }
            // non_linear
            double[] mu = meanAgentsChannels(g2);
            for (int i = 0; i < n; i++) {
                double[][] centred = new double[channels][d];
                for (int c = 0; c < channels; c++) {
                    for (int a = 0; a < d; a++) {
                        centred[c][a] = g2[i][c][a] - mu[a];
                    }
                }
                double[][] q = channels(layer.query(), centred);
                double[][] k = channels(layer.key(), centred);
                for (int c = 0; c < channels; c++) {
                    double product = dot(q[c], k[c]);
                    double mask = product >= 0 ? 1 : 0;
                    double kk = dot(k[c], k[c]);
                    for (int a = 0; a < d; a++) {
                        g2[i][c][a] = mask * q[c][a] + (1 - mask) * (q[c][a] - product / (kk + 1e-4) * k[c][a]) + mu[a];
                    }
                }
            }
            // node_model, recurrent
            double[][] h2 = new double[n][];
            for (int i = 0; i < n; i++) {
                double[] agg = new double[h[i].length];
                for (int j = 0; j < n; j++) {
                    if (j != i) {
                        agg = EgnnTest.sum(agg, edgeFeat[i][j]);
                    }
                }
                h2[i] = EgnnTest.sum(h[i], mlp(layer.node(), h[i], agg));
            }
            g = g2;
            h = h2;
        }
        double[] mu = meanAgentsChannels(g);
        double[][][] y = new double[n][future][d];
        for (int i = 0; i < n; i++) {
            double[][] centred = new double[channels][d];
            for (int c = 0; c < channels; c++) {
                for (int a = 0; a < d; a++) {
                    centred[c][a] = g[i][c][a] - mu[a];
                }
            }
            double[][] freq = channels(w.predictHead, centred);
            for (int f = 0; f < future; f++) {
                for (int k = 0; k < future; k++) {
                    for (int a = 0; a < d; a++) {
                        y[i][f][a] += idct[f][k] * (freq[k][a] + mu[a]);
                    }
                }
                for (int a = 0; a < d; a++) {
                    y[i][f][a] += centre[a];
                }
            }
        }
        return new double[][][][] {y, {h}};
    }

    static double[][][] agentMajor(Tensor t, int n) {
        int p = t.dim(0) / n;
        double[][][] r = new double[n][p][t.dim(1)];
        for (int i = 0; i < n; i++) {
            for (int s = 0; s < p; s++) {
                for (int a = 0; a < t.dim(1); a++) {
                    r[i][s][a] = t.get(i * p + s, a);
                }
            }
        }
        return r;
    }

    static double maxRelative(double[][][] expected, Tensor actual) {
        double scale = 1;
        double err = 0;
        int p = expected[0].length;
        for (int i = 0; i < expected.length; i++) {
            for (int s = 0; s < p; s++) {
                for (int a = 0; a < expected[i][s].length; a++) {
                    scale = Math.max(scale, Math.abs(expected[i][s][a]));
                    err = Math.max(err, Math.abs(expected[i][s][a] - actual.get(i * p + s, a)));
                }
            }
        }
        return err / scale;
    }

    @Test
    void matchesFloat64Reference() {
        SplittableRandom r = new SplittableRandom(3);
        int n = 4;
        int past = 3;
        int future = 2;
        Map<String, String> p = Map.of("past", "" + past, "future", "" + future, "layers", "2", "hidden", "6",
            "channels", "5", "categories", "2");
        for (boolean given : new boolean[] {true, false}) {
            for (int d : new int[] {2, 3}) {
                Tensor x = EgnnTest.uniform(r, DType.FLOAT64, n * past, d);
                Tensor v = EgnnTest.uniform(r, DType.FLOAT64, n * past, d);
                Tensor f = EgnnTest.uniform(r, DType.FLOAT64, n * past, 2);
                GeometricOutput got = eqMotion.apply(new GeometricInput(x, f, null, given ? v : null, 11, p), BACKEND);
                double[][][] xs = agentMajor(x, n);
                double[][][] vs = given ? agentMajor(v, n) : new double[n][past][d];
                if (!given) {
                    // main_eth_diverse.py: vel[:, :, 1:] = loc[:, :, 1:] − loc[:, :, :-1]; vel[:, :, 0] = vel[:, :, 1]
                    for (int i = 0; i < n; i++) {
                        for (int t = 1; t < past; t++) {
                            for (int a = 0; a < d; a++) {
                                vs[i][t][a] = xs[i][t][a] - xs[i][t - 1][a];
                            }
                        }
                        vs[i][0] = vs[i][1].clone();
                    }
                }
                double[][] feats = new double[n][past * 2];
                for (int i = 0; i < n; i++) {
                    for (int k = 0; k < past * 2; k++) {
                        feats[i][k] = f.getFlat(i * past * 2 + k);
                    }
                }
                double[][][][] ref = reference(xs, vs, feats, new EqMotionWeights(11, past, future, 2, 6, 5, 2, 2), future);
                assertArrayEquals(new int[] {n * future, d}, got.coords().shape());
                assertArrayEquals(new int[] {n, 6}, got.feats().shape());
                assertTrue(maxRelative(ref[0], got.coords()) < 1e-12, "coords given=" + given + " d=" + d
                    + ": " + maxRelative(ref[0], got.coords()));
                assertTrue(EgnnTest.maxRelative(ref[1][0], got.feats()) < 1e-12, "feats given=" + given + " d=" + d);
                GeometricOutput f32 = eqMotion.apply(new GeometricInput(x.to(DType.FLOAT32), f.to(DType.FLOAT32), null,
                    given ? v.to(DType.FLOAT32) : null, 11, p), BACKEND);
                assertEquals(DType.FLOAT32, f32.coords().dtype());
                assertTrue(maxRelative(ref[0], f32.coords()) < 1e-4 && EgnnTest.maxRelative(ref[1][0], f32.feats()) < 1e-4,
                    "float32 given=" + given + " d=" + d);
            }
        }
    }

    @Test
    void isEuclideanEquivariantReflectionsIncluded() {
        // 7 rows: seven one-frame agents (past = 1) or one agent with a seven-frame history (past = 7); the
        // certifier permutes rows, so under S_n each agent predicts one frame (then rows are agents)
        for (String id : List.of("E(2)", "E(3)", "O(3)", "SE(3)", "E(5)", "S_n")) {
            for (String past : List.of("1", "7")) {
                if (id.equals("S_n") && past.equals("7")) {
                    continue;
                }
                for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
                    List<EquivarianceCertificate.Finding> f = EquivarianceCertificate.certify(eqMotion,
                        id.equals("S_n") ? "permutation:nodes" : id, GROUPS.get(id),
                        Map.of("past", past, "future", id.equals("S_n") ? "1" : "3", "layers", "2", "hidden", "8", "channels", "4"), dtype, 5, 4,
                        BACKEND);
                    assertEquals(2, f.size());
                    for (EquivarianceCertificate.Finding x : f) {
                        assertTrue(x.holds(), id + " past=" + past + " " + dtype + ": " + x);
                    }
                }
            }
        }
    }

    @Test
    void permutingAgentsPermutesTheirPredictions() {
        SplittableRandom r = new SplittableRandom(5);
        int n = 5;
        int past = 4;
        int future = 3;
        Tensor x = EgnnTest.uniform(r, DType.FLOAT64, n * past, 3);
        Tensor f = EgnnTest.uniform(r, DType.FLOAT64, n * past, 1);
        int[] perm = {3, 0, 4, 1, 2};
        Tensor px = Tensor.zeros(DType.FLOAT64, n * past, 3);
        Tensor pf = Tensor.zeros(DType.FLOAT64, n * past, 1);
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < past; t++) {
                for (int a = 0; a < 3; a++) {
                    px.set(x.get(perm[i] * past + t, a), i * past + t, a);
                }
                pf.set(f.get(perm[i] * past + t, 0), i * past + t, 0);
            }
        }
        Map<String, String> p = Map.of("past", "" + past, "future", "" + future, "layers", "2", "hidden", "8", "channels", "6");
        GeometricOutput plain = eqMotion.apply(new GeometricInput(x, f, null, 9, p), BACKEND);
        GeometricOutput moved = eqMotion.apply(new GeometricInput(px, pf, null, 9, p), BACKEND);
        for (int i = 0; i < n; i++) {
            for (int s = 0; s < future; s++) {
                for (int a = 0; a < 3; a++) {
                    assertEquals(plain.coords().get(perm[i] * future + s, a), moved.coords().get(i * future + s, a), 1e-12);
                }
            }
            for (int c = 0; c < 8; c++) {
                assertEquals(plain.feats().get(perm[i], c), moved.feats().get(i, c), 1e-12);
            }
        }
    }

    @Test
    void sameSeedSameFunctionAndDifferencesAreTheDefaultVelocities() {
        SplittableRandom r = new SplittableRandom(6);
        Tensor x = EgnnTest.uniform(r, DType.FLOAT64, 6, 2);
        Tensor f = EgnnTest.uniform(r, DType.FLOAT64, 6, 1);
        Map<String, String> p = Map.of("past", "3", "hidden", "8", "channels", "4");
        Tensor v = Tensor.zeros(DType.FLOAT64, 6, 2);
        for (int a = 0; a < 2; a++) {
            for (int t = 0; t < 3; t++) {
                int s = Math.max(t, 1);
                for (int k = 0; k < 2; k++) {
                    v.set(x.get(a * 3 + s, k) - x.get(a * 3 + s - 1, k), a * 3 + t, k);
                }
            }
        }
        GeometricOutput derived = eqMotion.apply(new GeometricInput(x, f, null, 1, p), BACKEND);
        GeometricOutput explicit = eqMotion.apply(new GeometricInput(x, f, null, v, 1, p), BACKEND);
        GeometricOutput again = eqMotion.apply(new GeometricInput(x, f, null, 1, p), BACKEND);
        GeometricOutput other = eqMotion.apply(new GeometricInput(x, f, null, 2, p), BACKEND);
        assertTrue(derived.coords().contentEquals(again.coords()) && derived.feats().contentEquals(again.feats()));
        assertEquals(0, EgnnTest.maxRelative(EgnnTest.rows(derived.coords()), explicit.coords()), 1e-15);
        assertTrue(EgnnTest.maxRelative(EgnnTest.rows(derived.coords()), other.coords()) > 1e-6, "the seed must change the weights");
    }

    @Test
    void rejectsBadInputNamingTheArgument() {
        Tensor x = Tensor.zeros(DType.FLOAT64, 6, 3);
        Tensor h = Tensor.zeros(DType.FLOAT64, 6, 1);
        assertEquals("coords", assertThrows(InvalidInputException.class, () -> eqMotion.apply(
            new GeometricInput(x, h, null, 0, Map.of("past", "4")), BACKEND)).argument());
        assertEquals("coords", assertThrows(InvalidInputException.class, () -> eqMotion.apply(
            new GeometricInput(Tensor.zeros(DType.FLOAT64, 6), h, null, 0, Map.of()), BACKEND)).argument());
        assertEquals("feats", assertThrows(InvalidInputException.class, () -> eqMotion.apply(
            new GeometricInput(x, Tensor.zeros(DType.FLOAT64, 5, 1), null, 0, Map.of()), BACKEND)).argument());
        assertEquals("velocities", assertThrows(InvalidInputException.class, () -> eqMotion.apply(
            new GeometricInput(x, h, null, Tensor.zeros(DType.FLOAT64, 6, 2), 0, Map.of()), BACKEND)).argument());
        assertEquals("edges", assertThrows(InvalidInputException.class, () -> eqMotion.apply(
            new GeometricInput(x, h, Tensor.of(new long[] {0, 1}, 2, 1), 0, Map.of()), BACKEND)).argument());
        assertEquals("hidden", assertThrows(InvalidInputException.class, () -> eqMotion.apply(
            new GeometricInput(x, h, null, 0, Map.of("hidden", "7")), BACKEND)).argument());
        assertEquals("past", assertThrows(InvalidInputException.class, () -> eqMotion.apply(
            new GeometricInput(x, h, null, 0, Map.of("past", "0")), BACKEND)).argument());
    }
}

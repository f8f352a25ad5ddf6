package org.attune.equivariance.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
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
 * The graph planner: with hand-set message weights it is exact value iteration (Bellman backups computed here
 * from the MDP, not from the network); with seeded weights it matches a float64 transcription of the iteration;
 * its values are invariant under E(2), E(3) and node relabelling (certifier, float64 1e-9, float32 1e-3).
 */
class EquivariantGraphPlannerTest {
    static final ComputeBackend BACKEND = new JavaBackend();
    static final Map<String, SymmetryGroup> GROUPS = GroupCatalogue.groups();
    final EquivariantGraphPlanner planner = new EquivariantGraphPlanner();

    static DenseLayer layer(double[][] w, double[] b) {
        Tensor weight = Tensor.zeros(DType.FLOAT64, w.length, w[0].length);
        for (int i = 0; i < w.length; i++) {
            for (int j = 0; j < w[0].length; j++) {
                weight.set(w[i][j], i, j);
            }
        }
        return new DenseLayer(weight, b == null ? null : Tensor.of(b, b.length));
    }

    /**
     * ψ = R_j − c·d_ij + γ V_j through five ReLU units: ReLU(d), ReLU(R_j), ReLU(−R_j), ReLU(V_j), ReLU(−V_j)
     * (d ≥ 0, and x = ReLU(x) − ReLU(−x) exactly).
     */
    static PlannerWeights bellman(double cost, double gamma) {
        return new PlannerWeights(
            layer(new double[][] {{1, 0, 0, 0, 0}}, new double[5]),
            layer(new double[][] {{0, 0, 0, 0, 0}}, null),
            layer(new double[][] {{0, 1, -1, 0, 0}}, null),
            layer(new double[][] {{0, 0, 0, 1, -1}}, null),
            layer(new double[][] {{-cost}, {1}, {-1}, {gamma}, {-gamma}}, new double[1]));
    }

    /** A ring of n nodes with chords, both directions, plus a self-loop at the goal (stay there). */
    static long[][] graph(int n) {
        List<long[]> pairs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int next = (i + 1) % n;
            pairs.add(new long[] {i, next});
            pairs.add(new long[] {next, i});
            if (i % 3 == 0 && i + 3 < n) {
                pairs.add(new long[] {i, i + 3});
                pairs.add(new long[] {i + 3, i});
            }
        }
        pairs.add(new long[] {0, 0});
        long[][] e = new long[2][pairs.size()];
        for (int k = 0; k < pairs.size(); k++) {
            e[0][k] = pairs.get(k)[0];
            e[1][k] = pairs.get(k)[1];
        }
        return e;
    }

    static Tensor edgeTensor(long[][] e) {
        long[] flat = new long[2 * e[0].length];
        System.arraycopy(e[0], 0, flat, 0, e[0].length);
        System.arraycopy(e[1], 0, flat, e[0].length, e[0].length);
        return Tensor.of(flat, 2, e[0].length);
    }

    @Test
    void handSetWeightsReproduceExactValueIteration() {
        SplittableRandom r = new SplittableRandom(7);
        int n = 9;
        double cost = 0.5;
        double gamma = 0.9;
        double[][] p = new double[n][2];
        double[] reward = new double[n];
        for (int i = 0; i < n; i++) {
            p[i][0] = r.nextDouble(-3, 3);
            p[i][1] = r.nextDouble(-3, 3);
            reward[i] = i == 0 ? 1 : -0.1 * r.nextDouble();   // the goal pays 1, other cells cost a little
        }
        long[][] e = graph(n);
        // actions: from i to every j with an edge j → i (source j, target i)
        List<List<Integer>> moves = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            moves.add(new ArrayList<>());
        }
        for (int k = 0; k < e[0].length; k++) {
            moves.get((int) e[1][k]).add((int) e[0][k]);
        }
        Tensor x = Tensor.zeros(DType.FLOAT64, n, 2);
        Tensor h = Tensor.zeros(DType.FLOAT64, n, 1);
        for (int i = 0; i < n; i++) {
            x.set(p[i][0], i, 0);
            x.set(p[i][1], i, 1);
            h.set(reward[i], i, 0);
        }
        double[] v = new double[n];
        GraphEdges edges = GraphEdges.of(edgeTensor(e), n);
        for (int k = 1; k <= 40; k++) {
            double[] next = new double[n];
            for (int i = 0; i < n; i++) {
                double best = Double.NEGATIVE_INFINITY;
                for (int j : moves.get(i)) {
                    best = Math.max(best, reward[j] - cost * Math.hypot(p[j][0] - p[i][0], p[j][1] - p[i][1]) + gamma * v[j]);
                }
                next[i] = best;
            }
            v = next;
            Tensor got = EquivariantGraphPlanner.values(BACKEND, x, h, edges, bellman(cost, gamma), k);
            for (int i = 0; i < n; i++) {
                assertEquals(v[i], got.get(i, 0), 1e-12, "V^" + k + " at node " + i);
            }
        }
        // 40 backups with γ = 0.9 are near the fixed point: the goal's value is its self-loop's 1/(1 − γ)
        assertEquals(1 / (1 - gamma), v[0], 0.2);
    }

    /** The iteration with the seeded ψ, edge by edge, in float64. */
    static double[] reference(double[][] p, double[][] h, long[][] e, PlannerWeights w, int iterations) {
        int n = p.length;
        double[] v = new double[n];
        for (int k = 0; k < iterations; k++) {
            double[] next = new double[n];
            java.util.Arrays.fill(next, Double.NEGATIVE_INFINITY);
            for (int m = 0; m < e[0].length; m++) {
                int j = (int) e[0][m];
                int i = (int) e[1][m];
                double d = 0;
                for (int a = 0; a < p[i].length; a++) {
                    d += (p[j][a] - p[i][a]) * (p[j][a] - p[i][a]);
                }
                double[] z = EgnnTest.sum(EgnnTest.dense(w.distance(), new double[] {Math.sqrt(d)}),
                    EgnnTest.dense(w.target(), h[i]), EgnnTest.dense(w.source(), h[j]), EgnnTest.dense(w.value(), new double[] {v[j]}));
                double q = EgnnTest.dense(w.output(), EgnnTest.map(z, t -> Math.max(t, 0)))[0];
                next[i] = Math.max(next[i], q);
            }
            v = next;
        }
        return v;
    }

    @Test
    void matchesFloat64Reference() {
        SplittableRandom r = new SplittableRandom(8);
        int n = 8;
        Tensor x = EgnnTest.uniform(r, DType.FLOAT64, n, 2);
        Tensor h = EgnnTest.uniform(r, DType.FLOAT64, n, 3);
        long[][] e = graph(n);
        Map<String, String> params = Map.of("iterations", "6", "hidden", "12");
        GeometricOutput got = planner.apply(new GeometricInput(x, h, edgeTensor(e), 21, params), BACKEND);
        assertEquals(null, got.coords());
        assertArrayEquals(new int[] {n, 1}, got.feats().shape());
        double[] ref = reference(EgnnTest.rows(x), EgnnTest.rows(h), e, PlannerWeights.init(21, 3, 12), 6);
        GeometricOutput f32 = planner.apply(new GeometricInput(x.to(DType.FLOAT32), h.to(DType.FLOAT32), edgeTensor(e), 21,
            params), BACKEND);
        for (int i = 0; i < n; i++) {
            assertEquals(ref[i], got.feats().get(i, 0), 1e-12 * Math.max(1, Math.abs(ref[i])));
            assertEquals(ref[i], f32.feats().get(i, 0), 1e-5 * Math.max(1, Math.abs(ref[i])));
        }
        GeometricOutput none = planner.apply(new GeometricInput(x, h, edgeTensor(e), 21, Map.of("iterations", "0")), BACKEND);
        assertEquals(0, none.feats().sum(), 0, "V⁰ = 0");
    }

    @Test
    void valuesAreInvariantUnderEuclideanMotionsAndRelabelling() {
        for (String id : List.of("E(2)", "O(2)", "SE(3)", "E(3)", "S_n")) {
            for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
                List<EquivarianceCertificate.Finding> f = EquivarianceCertificate.certify(planner,
                    id.equals("S_n") ? "permutation:nodes" : id, GROUPS.get(id), Map.of("iterations", "5", "hidden", "8"),
                    dtype, 5, 4, BACKEND);
                assertEquals(1, f.size());
                assertTrue(f.get(0).holds(), id + " " + dtype + ": " + f.get(0));
            }
        }
        // relative positions enter through their norm, so scaling the graph changes the values: the certifier sees it
        List<EquivarianceCertificate.Finding> f = EquivarianceCertificate.certify(planner, "scaling", GROUPS.get("scaling"),
            Map.of("iterations", "5", "hidden", "8"), DType.FLOAT64, 5, 4, BACKEND);
        assertTrue(!f.get(0).holds(), f.toString());
    }

    @Test
    void rejectsBadInputNamingTheArgument() {
        Tensor x = Tensor.zeros(DType.FLOAT64, 3, 2);
        Tensor h = Tensor.zeros(DType.FLOAT64, 3, 1);
        assertEquals("edges", assertThrows(InvalidInputException.class, () -> planner.apply(
            new GeometricInput(x, h, Tensor.of(new long[] {0, 1, 1, 2}, 2, 2), 0, Map.of()), BACKEND)).argument());
        assertEquals("edges", assertThrows(InvalidInputException.class, () -> planner.apply(
            new GeometricInput(x, h, Tensor.of(new long[] {0, 0, 1, 2, 1, 1, 2, 0}, 2, 4), 0, Map.of()), BACKEND)).argument());
        assertEquals("feats", assertThrows(InvalidInputException.class, () -> planner.apply(
            new GeometricInput(x, Tensor.zeros(DType.FLOAT32, 3, 1), null, 0, Map.of()), BACKEND)).argument());
        assertEquals("coords", assertThrows(InvalidInputException.class, () -> planner.apply(
            new GeometricInput(null, h, null, 0, Map.of()), BACKEND)).argument());
        assertEquals("iterations", assertThrows(InvalidInputException.class, () -> planner.apply(
            new GeometricInput(x, h, null, 0, Map.of("iterations", "x")), BACKEND)).argument());
    }
}

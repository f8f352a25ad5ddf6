package org.attune.equivariance.graph;

import static org.attune.equivariance.graph.EgnnTest.dense;
import static org.attune.equivariance.graph.EgnnTest.maxRelative;
import static org.attune.equivariance.graph.EgnnTest.rows;
import static org.attune.equivariance.graph.EgnnTest.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
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
 * EGAT (the atom-graph branch of arXiv:2411.04747's code) against a float64 edge-by-edge transcription of the
 * reference layer (GATv2 attention with self-loops, x_j − x_i in the edge term, head-0 coordinate update, ReLU,
 * head transform, GraphNorm) with the same seeded weights; its declared O(3), SO(3) and node-permutation
 * certificates in float64 (1e-9) and float32 (1e-3) through the shared certifier; the symmetries it lacks
 * (translations with {@code coords=radius}, rotations with {@code coords=raw}) seen by the certifier; translation
 * equivariance of {@code coords=raw}; the radius pipeline as raw coordinates ‖p_i‖; reductions; input checks.
 */
class EgatMotifTest {
    static final ComputeBackend BACKEND = new JavaBackend();
    static final Map<String, SymmetryGroup> GROUPS = GroupCatalogue.groups();
    final EgatMotif egat = new EgatMotif();

    /** Φ(x) = (1 + erf(x/√2))/2 with erf(z) = (2/√π) e^{−z²} Σ 2ⁿ z^{2n+1}/(1·3···(2n+1)), all terms of z's sign. */
    static double gelu(double x) {
        double z = Math.abs(x) / Math.sqrt(2);
        double erf;
        if (z > 6) {
            erf = 1;
        } else {
            double term = z;
            double sum = z;
            for (int k = 1; k < 400; k++) {
                term *= 2 * z * z / (2 * k + 1);
                sum += term;
            }
            erf = 2 / Math.sqrt(Math.PI) * Math.exp(-z * z) * sum;
        }
        return x * 0.5 * (1 + Math.signum(x) * erf);
    }

    /** The stack on the edge list (j → i pairs, self-loops appended here), node by node, in float64. */
    static double[][][] reference(double[][] p, double[][] feats, List<int[]> pairs, EgatMotifWeights w, boolean raw,
                                  int heads, int hidden) {
        int n = p.length;
        List<int[]> edges = new ArrayList<>(pairs);
        for (int i = 0; i < n; i++) {
            edges.add(new int[] {i, i});
        }
        double[][] x = new double[n][];
        for (int i = 0; i < n; i++) {
            double r2 = 0;
            for (double v : p[i]) {
                r2 += v * v;
            }
            x[i] = raw ? p[i].clone() : new double[] {Math.sqrt(r2)};
        }
        int d = x[0].length;
        double[][] h = feats;
        for (EgatMotifWeights.Layer layer : w.layers) {
            double[][] z = new double[n][];
            for (int i = 0; i < n; i++) {
                z[i] = dense(layer.lin(), h[i]);
            }
            int e = edges.size();
            double[][] logit = new double[e][heads];
            double[][] diff = new double[e][d];
            for (int k = 0; k < e; k++) {
                int j = edges.get(k)[0];
                int i = edges.get(k)[1];
                for (int a = 0; a < d; a++) {
                    diff[k][a] = x[j][a] - x[i][a];
                }
                double[] we = dense(layer.linEdge(), diff[k]);
                for (int hd = 0; hd < heads; hd++) {
                    for (int c = 0; c < hidden; c++) {
                        double s = z[i][hd * hidden + c] + z[j][hd * hidden + c] + we[hd * hidden + c];
                        logit[k][hd] += layer.att().get(hd, c) * (s > 0 ? s : EgatMotif.NEGATIVE_SLOPE * s);
                    }
                }
            }
            double[][] denominator = new double[n][heads];
            for (int k = 0; k < e; k++) {
                for (int hd = 0; hd < heads; hd++) {
                    denominator[edges.get(k)[1]][hd] += Math.exp(logit[k][hd]);
                }
            }
            double[][] x2 = new double[n][];
            double[][] mi = new double[n][heads * hidden];
            for (int i = 0; i < n; i++) {
                x2[i] = x[i].clone();
            }
            for (int k = 0; k < e; k++) {
                int j = edges.get(k)[0];
                int i = edges.get(k)[1];
                double[] m = new double[heads * hidden];
                for (int hd = 0; hd < heads; hd++) {
                    double alpha = Math.exp(logit[k][hd]) / denominator[i][hd];
                    for (int c = 0; c < hidden; c++) {
                        m[hd * hidden + c] = alpha * z[j][hd * hidden + c];
                        mi[i][hd * hidden + c] += m[hd * hidden + c];
                    }
                }
                double weight = layer.coord().bias().get(0);
                for (int c = 0; c < hidden; c++) {
                    weight += layer.coord().weight().get(c, 0) * gelu(m[c]);
                }
                for (int a = 0; a < d; a++) {
                    x2[i][a] += diff[k][a] * weight;
                }
            }
            double[][] t = new double[n][];
            for (int i = 0; i < n; i++) {
                double[] relu = mi[i].clone();
                for (int c = 0; c < relu.length; c++) {
                    relu[c] = Math.max(relu[c], 0);
                }
                t[i] = dense(layer.headTransform(), relu);
            }
            double[][] h2 = new double[n][hidden];
            for (int c = 0; c < hidden; c++) {
                double mean = 0;
                for (int i = 0; i < n; i++) {
                    mean += t[i][c] / n;
                }
                double var = 0;
                for (int i = 0; i < n; i++) {
                    var += (t[i][c] - mean) * (t[i][c] - mean) / n;
                }
                for (int i = 0; i < n; i++) {
                    h2[i][c] = (t[i][c] - mean) / Math.sqrt(var + EgatMotif.GRAPH_NORM_EPS);
                }
            }
            x = x2;
            h = h2;
        }
        return new double[][][] {x, h};
    }

    static List<int[]> complete(int n) {
        List<int[]> pairs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j) {
                    pairs.add(new int[] {j, i});
                }
            }
        }
        return pairs;
    }

    /** A bonded-looking graph: a 6-ring with a pendant atom, both directions of each bond, as RDKit bonds give. */
    static List<int[]> molecule() {
        int[][] bonds = {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}, {5, 0}, {2, 6}};
        List<int[]> pairs = new ArrayList<>();
        for (int[] b : bonds) {
            pairs.add(new int[] {b[0], b[1]});
            pairs.add(new int[] {b[1], b[0]});
        }
        return pairs;
    }

    static Tensor edgeTensor(List<int[]> pairs) {
        long[] flat = new long[2 * pairs.size()];
        for (int k = 0; k < pairs.size(); k++) {
            flat[k] = pairs.get(k)[0];
            flat[pairs.size() + k] = pairs.get(k)[1];
        }
        return Tensor.of(flat, 2, pairs.size());
    }

    @Test
    void matchesFloat64Reference() {
        SplittableRandom r = new SplittableRandom(3);
        for (boolean raw : new boolean[] {false, true}) {
            for (boolean bonds : new boolean[] {false, true}) {
                Tensor p = uniform(r, DType.FLOAT64, 7, 3);
                Tensor h = uniform(r, DType.FLOAT64, 7, 4);
                List<int[]> pairs = bonds ? molecule() : complete(7);
                Map<String, String> params = Map.of("layers", "3", "heads", "3", "hidden", "5",
                    "coords", raw ? "raw" : "radius");
                Tensor edges = bonds ? edgeTensor(pairs) : null;
                GeometricOutput got = egat.apply(new GeometricInput(p, h, edges, 11, params), BACKEND);
                EgatMotifWeights w = new EgatMotifWeights(11, 4, raw ? 3 : 1, 3, 5, 3);
                double[][][] ref = reference(rows(p), rows(h), pairs, w, raw, 3, 5);
                String where = "raw=" + raw + " bonds=" + bonds;
                // GraphNorm divides by each channel's spread over the nodes, which amplifies rounding where nodes agree
                assertTrue(maxRelative(ref[1], got.feats()) < 1e-10, where + ": " + maxRelative(ref[1], got.feats()));
                assertArrayEquals(new int[] {7, 5}, got.feats().shape());
                if (raw) {
                    assertTrue(maxRelative(ref[0], got.coords()) < 1e-12, where + ": " + maxRelative(ref[0], got.coords()));
                } else {
                    assertNull(got.coords(), "coords=radius returns invariant features only");
                }
                // float32: within the certifier's float32 tolerance of the float64 reference (GraphNorm amplifies
                // rounding by up to ~1e4 on the complete graph, as the float64 comparison above shows)
                GeometricOutput f32 = egat.apply(new GeometricInput(p.to(DType.FLOAT32), h.to(DType.FLOAT32), edges, 11,
                    params), BACKEND);
                assertEquals(DType.FLOAT32, f32.feats().dtype());
                assertTrue(maxRelative(ref[1], f32.feats()) < 1e-3, where + " f32: " + maxRelative(ref[1], f32.feats()));
                if (raw) {
                    assertTrue(maxRelative(ref[0], f32.coords()) < 1e-5, where);
                }
            }
        }
    }

    @Test
    void declaredClaimsHoldInFloat64AndFloat32() {
        for (Map<String, String> params : List.of(Map.<String, String>of(),
            Map.of("layers", "2", "heads", "2", "hidden", "4"))) {
            for (String claim : List.of("O(3)", "SO(3)", "permutation:nodes")) {
                for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
                    List<EquivarianceCertificate.Finding> f = EquivarianceCertificate.certify(egat, claim,
                        GROUPS.get(EquivarianceCertificate.groupId(claim)), params, dtype, 4, 5, BACKEND);
                    assertEquals(1, f.size(), "coords=radius returns features only");
                    assertTrue(f.get(0).holds(), claim + " " + dtype + " " + params + ": " + f.get(0));
                }
            }
        }
    }

    @Test
    void permutationEquivariantOnBondedGraphsAndWithRawCoordinates() {
        SplittableRandom r = new SplittableRandom(4);
        Tensor p = uniform(r, DType.FLOAT64, 7, 3);
        Tensor h = uniform(r, DType.FLOAT64, 7, 4);
        List<int[]> pairs = molecule();
        int[] perm = {3, 6, 0, 5, 1, 4, 2};
        Tensor pp = Tensor.zeros(DType.FLOAT64, 7, 3);
        Tensor hp = Tensor.zeros(DType.FLOAT64, 7, 4);
        for (int i = 0; i < 7; i++) {
            for (int a = 0; a < 3; a++) {
                pp.set(p.get(perm[i], a), i, a);
            }
            for (int c = 0; c < 4; c++) {
                hp.set(h.get(perm[i], c), i, c);
            }
        }
        int[] inverse = new int[7];
        for (int i = 0; i < 7; i++) {
            inverse[perm[i]] = i;
        }
        List<int[]> relabelled = new ArrayList<>();
        for (int k = pairs.size() - 1; k >= 0; k--) {
            relabelled.add(new int[] {inverse[pairs.get(k)[0]], inverse[pairs.get(k)[1]]});
        }
        Map<String, String> params = Map.of("layers", "3", "heads", "2", "hidden", "4", "coords", "raw");
        GeometricOutput a = egat.apply(new GeometricInput(p, h, edgeTensor(pairs), 9, params), BACKEND);
        GeometricOutput b = egat.apply(new GeometricInput(pp, hp, edgeTensor(relabelled), 9, params), BACKEND);
        for (int i = 0; i < 7; i++) {
            for (int c = 0; c < 4; c++) {
                assertEquals(a.feats().get(perm[i], c), b.feats().get(i, c), 1e-10);
            }
            for (int c = 0; c < 3; c++) {
                assertEquals(a.coords().get(perm[i], c), b.coords().get(i, c), 1e-12);
            }
        }
    }

    @Test
    void missingSymmetriesAreSeenByTheCertifier() {
        // coords=radius reads ‖p_i‖ about the origin: translations change it
        for (String claim : List.of("E(3)", "SE(3)")) {
            List<EquivarianceCertificate.Finding> f = EquivarianceCertificate.certify(egat, claim, GROUPS.get(claim),
                Map.of("layers", "2", "heads", "2", "hidden", "4"), DType.FLOAT64, 3, 5, BACKEND);
            assertTrue(!f.get(0).holds(), claim + ": " + f);
        }
        // coords=raw feeds x_j − x_i linearly into the attention logits: rotations change the features
        for (String claim : List.of("SO(3)", "E(3)")) {
            List<EquivarianceCertificate.Finding> f = EquivarianceCertificate.certify(egat, claim, GROUPS.get(claim),
                Map.of("layers", "2", "heads", "2", "hidden", "4", "coords", "raw"), DType.FLOAT64, 3, 5, BACKEND);
            assertTrue(f.stream().anyMatch(x -> !x.holds()), claim + " raw: " + f);
        }
    }

    @Test
    void rawCoordinatesAreTranslationEquivariantAndRadiusIsRawOnTheNorms() {
        SplittableRandom r = new SplittableRandom(5);
        Tensor p = uniform(r, DType.FLOAT64, 6, 3);
        Tensor h = uniform(r, DType.FLOAT64, 6, 3);
        Tensor moved = p.copy();
        double[] t = {0.7, -1.3, 2.1};
        Tensor norms = Tensor.zeros(DType.FLOAT64, 6, 1);
        for (int i = 0; i < 6; i++) {
            double r2 = 0;
            for (int a = 0; a < 3; a++) {
                moved.set(p.get(i, a) + t[a], i, a);
                r2 += p.get(i, a) * p.get(i, a);
            }
            norms.set(Math.sqrt(r2), i, 0);
        }
        Map<String, String> raw = Map.of("layers", "3", "heads", "2", "hidden", "4", "coords", "raw");
        GeometricOutput a = egat.apply(new GeometricInput(p, h, null, 2, raw), BACKEND);
        GeometricOutput b = egat.apply(new GeometricInput(moved, h, null, 2, raw), BACKEND);
        for (int i = 0; i < 6; i++) {
            for (int a2 = 0; a2 < 3; a2++) {
                assertEquals(a.coords().get(i, a2) + t[a2], b.coords().get(i, a2), 1e-12);
            }
        }
        assertEquals(0, maxRelative(rows(a.feats()), b.feats()), 1e-12);
        Map<String, String> radius = new HashMap<>(raw);
        radius.put("coords", "radius");
        GeometricOutput fromP = egat.apply(new GeometricInput(p, h, null, 2, radius), BACKEND);
        GeometricOutput fromNorms = egat.apply(new GeometricInput(norms, h, null, 2, raw), BACKEND);
        assertEquals(0, maxRelative(rows(fromNorms.feats()), fromP.feats()), 1e-14);
    }

    @Test
    void reducesToTheInputWithNoLayersAndTheSeedFixesTheWeights() {
        SplittableRandom r = new SplittableRandom(6);
        Tensor p = uniform(r, DType.FLOAT64, 5, 2);
        Tensor h = uniform(r, DType.FLOAT64, 5, 3);
        GeometricOutput none = egat.apply(new GeometricInput(p, h, null, 1, Map.of("layers", "0", "coords", "raw")),
            BACKEND);
        assertEquals(0, maxRelative(rows(p), none.coords()), 0);
        assertEquals(0, maxRelative(rows(h), none.feats()), 0);
        assertTrue(none.coords() != p && none.feats() != h, "outputs are new tensors");
        // one node: the softmax has only the self-loop, GraphNorm of one row is 0
        GeometricOutput single = egat.apply(new GeometricInput(uniform(r, DType.FLOAT64, 1, 3),
            uniform(r, DType.FLOAT64, 1, 3), null, 1, Map.of("layers", "1", "heads", "2", "hidden", "3")), BACKEND);
        assertEquals(0, maxRelative(new double[][] {{0, 0, 0}}, single.feats()), 0);
        GeometricOutput one = egat.apply(new GeometricInput(p, h, null, 1, Map.of()), BACKEND);
        GeometricOutput other = egat.apply(new GeometricInput(p, h, null, 2, Map.of()), BACKEND);
        assertArrayEquals(new int[] {5, 32}, one.feats().shape());
        assertTrue(maxRelative(rows(one.feats()), other.feats()) > 1e-6, "the seed must change the weights");
    }

    @Test
    void rejectsBadInputNamingTheArgument() {
        Tensor p = Tensor.zeros(DType.FLOAT64, 4, 3);
        Tensor h = Tensor.zeros(DType.FLOAT64, 4, 2);
        assertEquals("coords", assertThrows(InvalidInputException.class, () -> egat.apply(
            new GeometricInput(Tensor.zeros(DType.FLOAT64, 4), h, null, 0, Map.of()), BACKEND)).argument());
        assertEquals("coords", assertThrows(InvalidInputException.class, () -> egat.apply(
            new GeometricInput(null, h, null, 0, Map.of()), BACKEND)).argument());
        assertEquals("feats", assertThrows(InvalidInputException.class, () -> egat.apply(
            new GeometricInput(p, Tensor.zeros(DType.FLOAT64, 3, 2), null, 0, Map.of()), BACKEND)).argument());
        assertEquals("feats", assertThrows(InvalidInputException.class, () -> egat.apply(
            new GeometricInput(p, h.to(DType.FLOAT32), null, 0, Map.of()), BACKEND)).argument());
        assertEquals("edges", assertThrows(InvalidInputException.class, () -> egat.apply(
            new GeometricInput(p, h, Tensor.of(new long[] {0, 1, 2}, 3), 0, Map.of()), BACKEND)).argument());
        assertEquals("edges", assertThrows(InvalidInputException.class, () -> egat.apply(
            new GeometricInput(p, h, Tensor.of(new long[] {0, 9}, 2, 1), 0, Map.of()), BACKEND)).argument());
        for (String[] bad : new String[][] {{"layers", "-1"}, {"heads", "0"}, {"hidden", "x"}, {"coords", "polar"}}) {
            assertEquals(bad[0], assertThrows(InvalidInputException.class, () -> egat.apply(
                new GeometricInput(p, h, null, 0, Map.of(bad[0], bad[1])), BACKEND)).argument());
        }
    }
}

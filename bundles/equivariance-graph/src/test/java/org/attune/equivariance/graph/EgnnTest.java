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
 * EGNN against a float64 transcription of equations (3)–(6) (and the velocity variant) with the same seeded
 * weights, its E(n) and permutation certificates in float64 (tolerance 1e-9) and float32 (1e-3) through the
 * shared certifier, its reductions, and its input checks.
 */
class EgnnTest {
    static final ComputeBackend BACKEND = new JavaBackend();
    static final Map<String, SymmetryGroup> GROUPS = GroupCatalogue.groups();
    final Egnn egnn = new Egnn();

    static Tensor uniform(SplittableRandom r, DType dtype, int... shape) {
        Tensor t = Tensor.zeros(DType.FLOAT64, shape);
        for (int i = 0; i < t.size(); i++) {
            t.setFlat(i, r.nextDouble(-1, 1));
        }
        return t.to(dtype);
    }

    static double silu(double x) {
        return x / (1 + Math.exp(-x));
    }

    /** y = W·x + b for one row, reading W [in, out] and b from a DenseLayer. */
    static double[] dense(DenseLayer layer, double[] x) {
        int out = layer.weight().dim(1);
        double[] y = new double[out];
        for (int o = 0; o < out; o++) {
            double s = layer.bias() == null ? 0 : layer.bias().get(o);
            for (int i = 0; i < x.length; i++) {
                s += layer.weight().get(i, o) * x[i];
            }
            y[o] = s;
        }
        return y;
    }

    static double[] sum(double[]... parts) {
        double[] s = new double[parts[0].length];
        for (double[] p : parts) {
            for (int i = 0; i < s.length; i++) {
                s[i] += p[i];
            }
        }
        return s;
    }

    static double[] map(double[] x, java.util.function.DoubleUnaryOperator f) {
        double[] y = x.clone();
        for (int i = 0; i < y.length; i++) {
            y[i] = f.applyAsDouble(y[i]);
        }
        return y;
    }

    /** Equations (3)–(6) on the complete graph, node by node, in float64. */
    static double[][][] reference(double[][] x0, double[][] feats, double[][] v0, EgnnWeights w, boolean attention) {
        int n = x0.length;
        int d = x0[0].length;
        double[][] x = new double[n][];
        double[][] h = new double[n][];
        for (int i = 0; i < n; i++) {
            x[i] = x0[i].clone();
            h[i] = dense(w.embeddingIn, feats[i]);
        }
        for (EgnnWeights.Layer layer : w.layers) {
            double[][] x2 = new double[n][];
            double[][] h2 = new double[n][];
            for (int i = 0; i < n; i++) {
                double[] move = new double[d];
                double[] mi = new double[h[i].length];
                for (int j = 0; j < n; j++) {
                    if (j == i) {
                        continue;
                    }
                    double r2 = 0;
                    for (int a = 0; a < d; a++) {
                        r2 += (x[i][a] - x[j][a]) * (x[i][a] - x[j][a]);
                    }
                    double[] m = map(dense(layer.edge2(), map(sum(dense(layer.edgeHi(), h[i]), dense(layer.edgeHj(), h[j]),
                        dense(layer.edgeRadial(), new double[] {r2})), EgnnTest::silu)), EgnnTest::silu);
                    if (attention) {
                        double gate = 1 / (1 + Math.exp(-dense(layer.attention(), m)[0]));
                        m = map(m, v -> v * gate);
                    }
                    double phiX = dense(layer.coord2(), map(dense(layer.coord1(), m), EgnnTest::silu))[0];
                    for (int a = 0; a < d; a++) {
                        move[a] += (x[i][a] - x[j][a]) * phiX / (n - 1);
                    }
                    mi = sum(mi, m);
                }
                if (v0 != null) {
                    double phiV = dense(layer.velocity2(), map(dense(layer.velocity1(), h[i]), EgnnTest::silu))[0];
                    for (int a = 0; a < d; a++) {
                        move[a] += phiV * v0[i][a];
                    }
                }
                x2[i] = sum(x[i], move);
                h2[i] = sum(h[i], dense(layer.node2(), map(sum(dense(layer.nodeH(), h[i]), dense(layer.nodeM(), mi)),
                    EgnnTest::silu)));
            }
            x = x2;
            h = h2;
        }
        double[][] out = new double[n][];
        for (int i = 0; i < n; i++) {
            out[i] = dense(w.embeddingOut, h[i]);
        }
        return new double[][][] {x, out};
    }

    static double[][] rows(Tensor t) {
        double[][] r = new double[t.dim(0)][t.dim(1)];
        for (int i = 0; i < r.length; i++) {
            for (int j = 0; j < r[i].length; j++) {
                r[i][j] = t.get(i, j);
            }
        }
        return r;
    }

    static double maxRelative(double[][] expected, Tensor actual) {
        double scale = 1;
        double err = 0;
        for (int i = 0; i < expected.length; i++) {
            for (int j = 0; j < expected[i].length; j++) {
                scale = Math.max(scale, Math.abs(expected[i][j]));
                err = Math.max(err, Math.abs(expected[i][j] - actual.get(i, j)));
            }
        }
        return err / scale;
    }

    @Test
    void matchesFloat64Reference() {
        SplittableRandom r = new SplittableRandom(1);
        for (boolean attention : new boolean[] {false, true}) {
            for (boolean velocity : new boolean[] {false, true}) {
                Tensor x = uniform(r, DType.FLOAT64, 6, 3);
                Tensor h = uniform(r, DType.FLOAT64, 6, 4);
                Tensor v = uniform(r, DType.FLOAT64, 6, 3);
                Map<String, String> p = Map.of("layers", "3", "hidden", "8", "out", "5",
                    "attention", "" + attention, "velocity", "" + velocity);
                GeometricOutput got = egnn.apply(new GeometricInput(x, h, null, v, 42, p), BACKEND);
                double[][][] ref = reference(rows(x), rows(h), velocity ? rows(v) : null,
                    new EgnnWeights(42, 4, 8, 5, 3, attention, velocity), attention);
                assertTrue(maxRelative(ref[0], got.coords()) < 1e-13, "coords attention=" + attention + " velocity=" + velocity);
                assertTrue(maxRelative(ref[1], got.feats()) < 1e-13, "feats attention=" + attention + " velocity=" + velocity);
                assertArrayEquals(new int[] {6, 5}, got.feats().shape());
                // float32: within single-precision rounding of the float64 reference
                GeometricOutput f32 = egnn.apply(new GeometricInput(x.to(DType.FLOAT32), h.to(DType.FLOAT32), null,
                    v.to(DType.FLOAT32), 42, p), BACKEND);
                assertEquals(DType.FLOAT32, f32.coords().dtype());
                assertTrue(maxRelative(ref[0], f32.coords()) < 1e-5 && maxRelative(ref[1], f32.feats()) < 1e-5);
            }
        }
    }

    @Test
    void isEuclideanAndPermutationEquivariantInEveryDimension() {
        for (String id : List.of("E(2)", "E(3)", "SE(3)", "O(3)", "E(5)", "E(10)", "S_n")) {
            for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
                for (String velocity : List.of("false", "true")) {
                    List<EquivarianceCertificate.Finding> f = EquivarianceCertificate.certify(egnn,
                        id.equals("S_n") ? "permutation:nodes" : id, GROUPS.get(id),
                        Map.of("layers", "2", "hidden", "8", "velocity", velocity, "attention", velocity), dtype, 6, 3,
                        BACKEND);
                    assertEquals(2, f.size());
                    for (EquivarianceCertificate.Finding x : f) {
                        assertTrue(x.holds(), id + " " + dtype + " velocity=" + velocity + ": " + x);
                    }
                }
            }
        }
    }

    @Test
    void isNotScaleEquivariant() {
        // the messages read ‖x_i − x_j‖², so scaling the coordinates changes the function: the certifier must see it
        List<EquivarianceCertificate.Finding> f = EquivarianceCertificate.certify(egnn, "scaling", GROUPS.get("scaling"),
            Map.of("layers", "2", "hidden", "8"), DType.FLOAT64, 6, 3, BACKEND);
        assertTrue(!f.get(1).holds(), f.toString());
    }

    @Test
    void reducesToTheEmbeddingsWithNoLayersAndExplicitCompleteEdgesMatchTheDefault() {
        SplittableRandom r = new SplittableRandom(2);
        Tensor x = uniform(r, DType.FLOAT64, 4, 2);
        Tensor h = uniform(r, DType.FLOAT64, 4, 3);
        GeometricOutput none = egnn.apply(new GeometricInput(x, h, null, 7, Map.of("layers", "0", "hidden", "5")), BACKEND);
        EgnnWeights w = new EgnnWeights(7, 3, 5, 3, 0, false, false);
        assertEquals(0, maxRelative(rows(x), none.coords()), 0);
        for (int i = 0; i < 4; i++) {
            double[] expected = dense(w.embeddingOut, dense(w.embeddingIn, rows(h)[i]));
            for (int c = 0; c < 3; c++) {
                assertEquals(expected[c], none.feats().get(i, c), 1e-14);
            }
        }
        long[] pairs = new long[2 * 12];
        int k = 0;
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                if (i != j) {
                    pairs[k] = j;
                    pairs[12 + k++] = i;
                }
            }
        }
        GeometricOutput dflt = egnn.apply(new GeometricInput(x, h, null, 7, Map.of()), BACKEND);
        GeometricOutput explicit = egnn.apply(new GeometricInput(x, h, Tensor.of(pairs, 2, 12), 7, Map.of()), BACKEND);
        assertEquals(0, maxRelative(rows(dflt.coords()), explicit.coords()), 1e-15);
        assertEquals(0, maxRelative(rows(dflt.feats()), explicit.feats()), 1e-15);
        GeometricOutput other = egnn.apply(new GeometricInput(x, h, null, 8, Map.of()), BACKEND);
        assertTrue(maxRelative(rows(dflt.feats()), other.feats()) > 1e-6, "the seed must change the weights");
    }

    @Test
    void rejectsBadInputNamingTheArgument() {
        Tensor x = Tensor.zeros(DType.FLOAT64, 4, 3);
        Tensor h = Tensor.zeros(DType.FLOAT64, 4, 2);
        assertEquals("edges", assertThrows(InvalidInputException.class, () -> egnn.apply(
            new GeometricInput(x, h, Tensor.of(new long[] {0, 1, 2}, 3), 0, Map.of()), BACKEND)).argument());
        assertEquals("edges", assertThrows(InvalidInputException.class, () -> egnn.apply(
            new GeometricInput(x, h, Tensor.of(new long[] {0, 9}, 2, 1), 0, Map.of()), BACKEND)).argument());
        assertEquals("feats", assertThrows(InvalidInputException.class, () -> egnn.apply(
            new GeometricInput(x, Tensor.zeros(DType.FLOAT64, 3, 2), null, 0, Map.of()), BACKEND)).argument());
        assertEquals("coords", assertThrows(InvalidInputException.class, () -> egnn.apply(
            new GeometricInput(Tensor.zeros(DType.FLOAT64, 4), h, null, 0, Map.of()), BACKEND)).argument());
        assertEquals("layers", assertThrows(InvalidInputException.class, () -> egnn.apply(
            new GeometricInput(x, h, null, 0, Map.of("layers", "-1")), BACKEND)).argument());
        assertEquals("velocity", assertThrows(InvalidInputException.class, () -> egnn.apply(
            new GeometricInput(x, h, null, 0, Map.of("velocity", "yes")), BACKEND)).argument());
    }
}

package org.attune.equivariance.graph;

import static org.attune.equivariance.graph.SteerableFixtures.ALGEBRA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
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
 * The iterative SE(3)-Transformer: coordinates map to R·x + t and features by D(R) after 1, 2 and 3
 * re-graphings (certifier, float64 1e-9 and float32 1e-3), on inputs whose kNN graph does change between
 * iterations; one iteration is one SE(3)-Transformer stack plus x + Δ; iterations are transcribed as
 * stack, coordinate update, kNN rebuild; edges are refused.
 */
class IterativeSe3TransformerTest {
    static final ComputeBackend BACKEND = new JavaBackend();
    static final Map<String, SymmetryGroup> GROUPS = GroupCatalogue.groups();
    final IterativeSe3Transformer method = new IterativeSe3Transformer(ALGEBRA);

    static Map<String, String> params(int iterations) {
        return Map.of("iterations", "" + iterations, "hidden", "2", "neighbours", "3", "basis", "4");
    }

    @Test
    void staysEquivariantAfterEveryRegraphing() {
        for (int iterations = 1; iterations <= 3; iterations++) {
            for (String claim : List.of("SO(3)", "SE(3)", "permutation:nodes")) {
                List<DType> types = iterations == 2 ? List.of(DType.FLOAT64, DType.FLOAT32) : List.of(DType.FLOAT64);
                for (DType dtype : types) {
                    List<EquivarianceCertificate.Finding> f = EquivarianceCertificate.certify(method, claim,
                        GROUPS.get(EquivarianceCertificate.groupId(claim)), params(iterations), dtype, 3, 17, BACKEND);
                    assertEquals(2, f.size(), "coords and feats");
                    for (EquivarianceCertificate.Finding x : f) {
                        assertTrue(x.holds(), "iterations=" + iterations + ": " + x);
                    }
                }
            }
        }
        Map<String, String> vectors = new java.util.HashMap<>(params(2));
        vectors.putAll(Map.of("in", "1x1", "out", "1x1"));
        for (EquivarianceCertificate.Finding x : EquivarianceCertificate.certify(method, "SE(3)(feats=irrep:1)",
            GROUPS.get("SE(3)"), vectors, DType.FLOAT64, 3, 18, BACKEND)) {
            assertTrue(x.holds(), x.toString());
        }
    }

    @Test
    void iterationsRegraphAndTranscribeAsStackUpdateRebuild() {
        SplittableRandom r = new SplittableRandom(2);
        Tensor x = nearTies(r);
        Tensor h = SteerableFixtures.uniform(r, 12, 3);
        GeometricOutput got = method.apply(new GeometricInput(x, h, null, 4, params(3)), BACKEND);
        // transcription: the same draws, stack by stack, Δ = (v2, v0, v1) of the extra type-1 channel
        SplittableRandom w = new SplittableRandom(4);
        IrrepLayout scalars = new IrrepLayout(new int[] {3});
        IrrepLayout hidden = IrrepLayout.uniform(2, 1);
        double[][] pos = Se3TransformerTest.rows(x);
        double[][][][] f = scalars.unpack(h);
        boolean changed = false;
        for (int t = 0; t < 3; t++) {
            IrrepLayout target = (t == 2 ? scalars : hidden).plus(1, 1);
            Se3TransformerStack stack = new Se3TransformerStack(w, t == 0 ? scalars : hidden, hidden, target, 1, 1, 4, 3.0);
            Neighbours g = Neighbours.nearest(pos, 3);
            double[][][][] out = Se3TransformerTest.reference(pos, f, stack, 3, 4, 3.0);
            int last = target.mul(1) - 1;
            for (int i = 0; i < 12; i++) {
                double[] v = out[i][1][last];
                pos[i] = new double[] {pos[i][0] + v[2], pos[i][1] + v[0], pos[i][2] + v[1]};
                out[i][1] = Arrays.copyOf(out[i][1], last);
            }
            changed |= !Arrays.equals(g.source(), Neighbours.nearest(pos, 3).source());
            f = out;
        }
        assertTrue(changed, "the updates must change the kNN graph, or the test does not exercise re-graphing");
        assertTrue(SteerableFixtures.error(got.coords(), Tensor.of(Se3TransformerTest.flat(pos), 12, 3)) < 1e-13);
        assertTrue(SteerableFixtures.error(got.feats(), scalars.pack(f, DType.FLOAT64)) < 1e-13);
        assertFalse(SteerableFixtures.error(got.coords(), x) < 1e-3, "coordinates move");
    }

    @Test
    void staysEquivariantWhenTheGraphChanges() {
        SplittableRandom r = new SplittableRandom(2);
        Tensor x = nearTies(r);
        Tensor h = SteerableFixtures.uniform(r, 12, 3);
        for (int trial = 0; trial < 3; trial++) {
            double[] rot = SteerableFixtures.rotation(r);
            double[] t = {r.nextDouble(-3, 3), r.nextDouble(-3, 3), r.nextDouble(-3, 3)};
            GeometricOutput plain = method.apply(new GeometricInput(x, h, null, 4, params(3)), BACKEND);
            GeometricOutput moved = method.apply(new GeometricInput(SteerableFixtures.move(x, rot, t), h, null, 4,
                params(3)), BACKEND);
            assertTrue(SteerableFixtures.error(moved.coords(), SteerableFixtures.move(plain.coords(), rot, t)) < 1e-9);
            assertTrue(SteerableFixtures.error(moved.feats(), plain.feats()) < 1e-9);
        }
    }

    /**
     * 12 points where node 0's third and fourth nearest neighbours are 5e-4 apart in distance (0.32 and 0.3205),
     * the rest farther, so updates of a few hundredths change its kNN(3) set: the re-graphing is exercised.
     */
    static Tensor nearTies(SplittableRandom r) {
        Tensor x = Tensor.zeros(DType.FLOAT64, 12, 3);
        double[] d = {0, 0.3, 0.31, 0.32, 0.3205};
        for (int i = 1; i < 12; i++) {
            double[] u = {r.nextGaussian(), r.nextGaussian(), r.nextGaussian()};
            double n = Math.sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
            double len = i < d.length ? d[i] : r.nextDouble(0.8, 1.5);
            for (int a = 0; a < 3; a++) {
                x.set(len * u[a] / n, i, a);
            }
        }
        return x;
    }

    @Test
    void rejectsEdgesAndBadInput() {
        Tensor x = SteerableFixtures.uniform(new SplittableRandom(1), 4, 3);
        Tensor h = Tensor.zeros(DType.FLOAT64, 4, 2);
        assertEquals("edges", assertThrows(InvalidInputException.class, () -> method.apply(
            new GeometricInput(x, h, Tensor.of(new long[] {0, 1}, 2, 1), 0, Map.of()), BACKEND)).argument());
        assertEquals("iterations", assertThrows(InvalidInputException.class, () -> method.apply(
            new GeometricInput(x, h, null, 0, Map.of("iterations", "0")), BACKEND)).argument());
        assertEquals("degree", assertThrows(InvalidInputException.class, () -> method.apply(
            new GeometricInput(x, h, null, 0, Map.of("degree", "0")), BACKEND)).argument());
        assertEquals("heads", assertThrows(InvalidInputException.class, () -> method.apply(
            new GeometricInput(x, h, null, 0, Map.of("heads", "2")), BACKEND)).argument());
    }
}

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
import org.attune.api.equivariance.GroupElement;
import org.attune.api.equivariance.SymmetryGroup;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.attune.backend.java.JavaBackend;
import org.attune.symmetry.GroupCatalogue;
import org.junit.jupiter.api.Test;

/**
 * The symmetric tensor network: the number of independent diagrams equals the dimension of the invariant space
 * (character formula, computed here by quadrature), every basis map is equivariant under rotations acting on every
 * index (1e-10; ε maps flip sign under reflections), the method matches a float64 contraction of the diagrams,
 * and its certificates hold.
 */
class SymmetricTensorNetworkTest {
    static final ComputeBackend BACKEND = new JavaBackend();
    static final Map<String, SymmetryGroup> GROUPS = GroupCatalogue.groups();
    final SymmetricTensorNetwork network = new SymmetricTensorNetwork();

    /**
     * dim of the invariants of (R³)^{⊗r}: the mean of χ(g)^r over the group, χ = 1 + 2cos θ on SO(3) with Haar
     * density (1 − cos θ)/π on [0, π], and χ(−R) = −χ(R) on the other component of O(3). The integrand is a
     * cosine polynomial of degree r + 1, so the trapezoid rule with 64 panels is exact up to rounding.
     */
    static double invariantDimension(int r, boolean proper) {
        int m = 64;
        double s = 0;
        for (int k = 0; k <= m; k++) {
            double theta = Math.PI * k / m;
            double w = (k == 0 || k == m) ? 0.5 : 1;
            s += w * Math.pow(1 + 2 * Math.cos(theta), r) * (1 - Math.cos(theta));
        }
        double so3 = s / m;
        return proper ? so3 : 0.5 * (so3 + Math.pow(-1, r) * so3);
    }

    /** R as a 3×3 array from the group's action on vectors (rows of the identity become rows R·e_i). */
    static double[][] matrix(SymmetryGroup group, GroupElement g) {
        Tensor eye = Tensor.zeros(DType.FLOAT64, 3, 3);
        for (int i = 0; i < 3; i++) {
            eye.set(1, i, i);
        }
        Tensor moved = group.act(g, SymmetryGroup.VECTOR, eye);
        double[][] r = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int a = 0; a < 3; a++) {
                r[a][i] = moved.get(i, a);
            }
        }
        return r;
    }

    /** (R·T)_{a₁…a_r} = Σ R_{a₁b₁}⋯R_{a_r b_r} T_{b₁…b_r}, one index at a time. */
    static double[] rotate(double[] t, int rank, double[][] r) {
        double[] cur = t.clone();
        for (int axis = 0; axis < rank; axis++) {
            int inner = IsotropicTensors.pow3(rank - axis - 1);
            double[] next = new double[cur.length];
            for (int flat = 0; flat < cur.length; flat++) {
                int a = (flat / inner) % 3;
                int base = flat - a * inner;
                double s = 0;
                for (int b = 0; b < 3; b++) {
                    s += r[a][b] * cur[base + b * inner];
                }
                next[flat] = s;
            }
            cur = next;
        }
        return cur;
    }

    static double levi(int a, int b, int c) {
        if (a == b || b == c || a == c) {
            return 0;
        }
        // even permutations of (0, 1, 2) are its cyclic shifts
        return (b == (a + 1) % 3) ? 1 : -1;
    }

    /** A diagram's entry from the definitions of δ and ε. */
    static double entry(IsotropicTensors.Diagram d, int[] index) {
        double v = d.epsilon().length == 3 ? levi(index[d.epsilon()[0]], index[d.epsilon()[1]], index[d.epsilon()[2]]) : 1;
        for (int[] p : d.pairs()) {
            v *= index[p[0]] == index[p[1]] ? 1 : 0;
        }
        return v;
    }

    static int[] digits(int flat, int rank) {
        int[] index = new int[rank];
        for (int a = rank - 1; a >= 0; a--) {
            index[a] = flat % 3;
            flat /= 3;
        }
        return index;
    }

    /** f_b(T)_o = Σ_i B_b[o, i] T_i for one diagram, from its entries. */
    static double[] applyDiagram(IsotropicTensors.Diagram d, double[] t, int rankIn, int rankOut) {
        int width = IsotropicTensors.pow3(rankIn);
        double[] out = new double[IsotropicTensors.pow3(rankOut)];
        for (int o = 0; o < out.length; o++) {
            for (int i = 0; i < width; i++) {
                out[o] += entry(d, digits(o * width + i, rankIn + rankOut)) * t[i];
            }
        }
        return out;
    }

    static double[] random(SplittableRandom r, int size) {
        double[] t = new double[size];
        for (int i = 0; i < size; i++) {
            t[i] = r.nextDouble(-1, 1);
        }
        return t;
    }

    @Test
    void independentDiagramsCountTheInvariantSpace() {
        for (int r = 0; r <= IsotropicTensors.MAX_RANK; r++) {
            for (boolean proper : new boolean[] {false, true}) {
                double dim = invariantDimension(r, proper);
                assertEquals(Math.rint(dim), dim, 1e-9, "the character integral is an integer");
                assertEquals((int) Math.rint(dim), IsotropicTensors.basis(r, proper).size(),
                    "rank " + r + (proper ? " SO(3)" : " O(3)"));
            }
        }
        // the catalogue's example and the first dependent deltas: 105 pairings of 8 indices span only 91 dimensions
        assertEquals(3, IsotropicTensors.basis(4, false).size());
        assertEquals(105, IsotropicTensors.diagrams(8, false).size());
        assertEquals(91, IsotropicTensors.basis(8, false).size());
        assertEquals(36, IsotropicTensors.basis(7, true).size());
        assertEquals(0, IsotropicTensors.basis(5, false).size());
    }

    @Test
    void everyBasisMapIsEquivariant() {
        SplittableRandom random = new SplittableRandom(12);
        SymmetryGroup o3 = GROUPS.get("O(3)");
        SymmetryGroup so3 = GROUPS.get("SO(3)");
        for (int rankIn = 0; rankIn <= 3; rankIn++) {
            for (int rankOut = 0; rankIn + rankOut <= 6; rankOut++) {
                for (boolean proper : new boolean[] {false, true}) {
                    for (IsotropicTensors.Diagram d : IsotropicTensors.basis(rankIn + rankOut, proper)) {
                        for (int trial = 0; trial < 3; trial++) {
                            double[][] rot = proper ? matrix(so3, so3.sample(random)) : matrix(o3, o3.sample(random));
                            double[] t = random(random, IsotropicTensors.pow3(rankIn));
                            double[] lhs = applyDiagram(d, rotate(t, rankIn, rot), rankIn, rankOut);
                            double[] rhs = rotate(applyDiagram(d, t, rankIn, rankOut), rankOut, rot);
                            for (int o = 0; o < lhs.length; o++) {
                                assertEquals(rhs[o], lhs[o], 1e-10, d.describe() + " " + rankIn + "→" + rankOut);
                            }
                        }
                        if (d.epsilon().length == 3) {
                            // a reflection: ε maps give pseudotensors, f(Q·T) = det(Q)·Q·f(T) = −Q·f(T)
                            double[][] q = {{1, 0, 0}, {0, 1, 0}, {0, 0, -1}};
                            double[] t = random(random, IsotropicTensors.pow3(rankIn));
                            double[] lhs = applyDiagram(d, rotate(t, rankIn, q), rankIn, rankOut);
                            double[] rhs = rotate(applyDiagram(d, t, rankIn, rankOut), rankOut, q);
                            double worst = 0;
                            for (int o = 0; o < lhs.length; o++) {
                                assertEquals(-rhs[o], lhs[o], 1e-12);
                                worst = Math.max(worst, Math.abs(lhs[o] - rhs[o]));
                            }
                            assertTrue(worst > 1e-3, d.describe() + " is not O(3)-equivariant");
                        }
                    }
                }
            }
        }
    }

    @Test
    void matchesFloat64ContractionOfTheDiagrams() {
        SplittableRandom r = new SplittableRandom(13);
        int[][] cases = {{2, 2, 0}, {1, 2, 1}, {2, 1, 1}, {0, 2, 0}, {3, 1, 0}, {3, 0, 1}};
        for (int[] c : cases) {
            int rankIn = c[0];
            int rankOut = c[1];
            boolean proper = c[2] == 1;
            int n = 4;
            Tensor t = EgnnTest.uniform(r, DType.FLOAT64, n, IsotropicTensors.pow3(rankIn));
            Map<String, String> p = Map.of("in", "" + rankIn, "out", "" + rankOut, "group", proper ? "SO(3)" : "O(3)");
            GeometricOutput got = network.apply(new GeometricInput(null, t, null, 31, p), BACKEND);
            GeometricOutput f32 = network.apply(new GeometricInput(null, t.to(DType.FLOAT32), null, 31, p), BACKEND);
            assertEquals(null, got.coords());
            assertArrayEquals(new int[] {n, IsotropicTensors.pow3(rankOut)}, got.feats().shape());
            List<IsotropicTensors.Diagram> basis = IsotropicTensors.basis(rankIn + rankOut, proper);
            SplittableRandom draws = new SplittableRandom(31);
            double[] coefficient = new double[basis.size()];
            for (int b = 0; b < coefficient.length; b++) {
                coefficient[b] = draws.nextDouble(-1, 1);
            }
            for (int node = 0; node < n; node++) {
                double[] row = EgnnTest.rows(t)[node];
                double[] expected = new double[IsotropicTensors.pow3(rankOut)];
                for (int b = 0; b < basis.size(); b++) {
                    double[] fb = applyDiagram(basis.get(b), row, rankIn, rankOut);
                    for (int o = 0; o < expected.length; o++) {
                        expected[o] += coefficient[b] * fb[o];
                    }
                }
                for (int o = 0; o < expected.length; o++) {
                    assertEquals(expected[o], got.feats().get(node, o), 1e-13, java.util.Arrays.toString(c));
                    assertEquals(expected[o], f32.feats().get(node, o), 1e-5, java.util.Arrays.toString(c));
                }
            }
        }
        // rank 2 → rank 2 under O(3): c₁ tr(T) δ + c₂ T + c₃ Tᵀ, the familiar isotropic form
        Tensor t = EgnnTest.uniform(r, DType.FLOAT64, 1, 9);
        double[] c = SymmetricTensorNetwork.coefficients(5, 3);
        Tensor y = network.apply(new GeometricInput(null, t, null, 5, Map.of("in", "2", "out", "2")), BACKEND).feats();
        double trace = t.get(0, 0) + t.get(0, 4) + t.get(0, 8);
        for (int a = 0; a < 3; a++) {
            for (int b = 0; b < 3; b++) {
                double expected = c[0] * (a == b ? trace : 0) + c[1] * t.get(0, 3 * a + b) + c[2] * t.get(0, 3 * b + a);
                assertEquals(expected, y.get(0, 3 * a + b), 1e-14);
            }
        }
    }

    @Test
    void certificatesHold() {
        for (String claim : List.of("O(3)(feats=irrep:1)", "SO(3)(feats=irrep:1)")) {
            for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
                List<EquivarianceCertificate.Finding> f = EquivarianceCertificate.certify(network, claim,
                    GROUPS.get(EquivarianceCertificate.groupId(claim)), Map.of(), dtype, 5, 6, BACKEND);
                assertEquals(1, f.size());
                assertTrue(f.get(0).holds(), claim + " " + dtype + ": " + f.get(0));
            }
        }
    }

    @Test
    void rejectsBadInputNamingTheArgument() {
        Tensor t = Tensor.zeros(DType.FLOAT64, 2, 9);
        assertEquals("feats", assertThrows(InvalidInputException.class, () -> network.apply(
            new GeometricInput(null, t, null, 0, Map.of()), BACKEND)).argument());
        assertEquals("out", assertThrows(InvalidInputException.class, () -> network.apply(
            new GeometricInput(null, t, null, 0, Map.of("in", "2", "out", "7")), BACKEND)).argument());
        assertEquals("group", assertThrows(InvalidInputException.class, () -> network.apply(
            new GeometricInput(null, t, null, 0, Map.of("in", "2", "group", "SU(2)")), BACKEND)).argument());
        assertEquals("in", assertThrows(InvalidInputException.class, () -> network.apply(
            new GeometricInput(null, t, null, 0, Map.of("in", "-1")), BACKEND)).argument());
    }
}

package org.attune.symmetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.attune.api.equivariance.GroupElement;
import org.attune.api.equivariance.SymmetryGroup;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The group laws of every registered group, checked through its actions on every data type it supports:
 * identity (g·g⁻¹ acts as the identity), the homomorphism (a·b)·x = a·(b·x), associativity, and seeded
 * determinism. Float64 tolerance 1e-12 relative to the data's magnitude (O(1)).
 */
class GroupLawsTest {
    static final double TOL = 1e-12;

    static Stream<Arguments> groups() {
        return GroupCatalogue.groups().entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    /** Representative data for every representation a group acts on. */
    static Map<String, Tensor> data(String id, SymmetryGroup g) {
        SplittableRandom r = new SplittableRandom(id.hashCode());
        int n = g.dimension();
        java.util.LinkedHashMap<String, Tensor> out = new java.util.LinkedHashMap<>();
        if (id.equals("Z") || id.equals("Z^2")) {
            int d = id.equals("Z") ? 1 : 2;
            long[] p = new long[5 * d];
            for (int i = 0; i < p.length; i++) {
                p[i] = r.nextInt(-50, 50);
            }
            out.put(SymmetryGroup.POSITIONS, Tensor.of(p, 5, d));
            return out;
        }
        if (id.equals("Z_N")) {
            out.put(SymmetryGroup.SEQUENCE, uniform(r, 9, 3));
            out.put("axis:-1", uniform(r, 2, 7));
            return out;
        }
        if (id.equals("Z_N^2")) {
            out.put(SymmetryGroup.IMAGE, uniform(r, 2, 5, 6));
            return out;
        }
        if (id.equals("S_n")) {
            out.put(SymmetryGroup.POINTS, uniform(r, 9, 3));
            out.put("axis:2", uniform(r, 1, 2, 11, 4));
            out.put(SymmetryGroup.EDGES + 6, Tensor.of(new long[] {0, 1, 2, 5, 3, 1, 4, 0, 5, 2}, 2, 5));
            return out;
        }
        if (id.equals("scaling")) {
            out.put(SymmetryGroup.POINTS, uniform(r, 4, 3));
            out.put("weight:2", uniform(r, 3));
            out.put(SymmetryGroup.SCALAR, uniform(r, 3));
            return out;
        }
        out.put(SymmetryGroup.SCALAR, uniform(r, 4, 2));
        out.put(SymmetryGroup.VECTOR, uniform(r, 3, n));
        out.put(SymmetryGroup.POINTS, uniform(r, 6, n));
        if (n == 3) {
            for (int l = 0; l <= 6; l++) {
                out.put("irrep:" + l, uniform(r, 2, 2 * l + 1));
            }
        }
        if (id.matches("[CD]_(2|4)")) {
            out.put(SymmetryGroup.IMAGE, uniform(r, 2, 5, 5));
        }
        return out;
    }

    static Tensor uniform(SplittableRandom r, int... shape) {
        Tensor t = Tensor.zeros(DType.FLOAT64, shape);
        for (int i = 0; i < t.size(); i++) {
            t.setFlat(i, r.nextDouble(-1, 1));
        }
        return t;
    }

    static double maxDiff(Tensor a, Tensor b) {
        assertEquals(List.of(a.shape().length), List.of(b.shape().length));
        double m = 0;
        for (int i = 0; i < a.size(); i++) {
            m = Math.max(m, Math.abs(a.getFlat(i) - b.getFlat(i)));
        }
        return m;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("groups")
    void inverseActsAsIdentity(String id, SymmetryGroup g) {
        SplittableRandom r = new SplittableRandom(1);
        for (Map.Entry<String, Tensor> d : data(id, g).entrySet()) {
            for (int t = 0; t < 5; t++) {
                GroupElement a = g.sample(r);
                Tensor x = d.getValue();
                assertTrue(maxDiff(g.act(g.compose(a, g.inverse(a)), d.getKey(), x), x) <= TOL, id + " " + d.getKey());
                assertTrue(maxDiff(g.act(g.inverse(a), d.getKey(), g.act(a, d.getKey(), x)), x) <= TOL, id + " " + d.getKey());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("groups")
    void actionIsAHomomorphismAndComposeIsAssociative(String id, SymmetryGroup g) {
        SplittableRandom r = new SplittableRandom(2);
        for (Map.Entry<String, Tensor> d : data(id, g).entrySet()) {
            String rep = d.getKey();
            Tensor x = d.getValue();
            for (int t = 0; t < 5; t++) {
                GroupElement a = g.sample(r);
                GroupElement b = g.sample(r);
                GroupElement c = g.sample(r);
                assertTrue(maxDiff(g.act(g.compose(a, b), rep, x), g.act(a, rep, g.act(b, rep, x))) <= TOL, id + " " + rep);
                assertTrue(maxDiff(g.act(g.compose(g.compose(a, b), c), rep, x),
                    g.act(g.compose(a, g.compose(b, c)), rep, x)) <= TOL, id + " " + rep);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("groups")
    void samplingIsSeededAndActionsMoveData(String id, SymmetryGroup g) {
        List<String> seen = new ArrayList<>();
        for (int rep = 0; rep < 2; rep++) {
            seen.add(g.sample(new SplittableRandom(99)).describe());
        }
        assertEquals(seen.get(0), seen.get(1));
        // some element acts non-trivially on the first data type that is not invariant
        SplittableRandom r = new SplittableRandom(3);
        Map.Entry<String, Tensor> d = data(id, g).entrySet().stream()
            .filter(e -> !e.getKey().equals(SymmetryGroup.SCALAR)).findFirst().orElseThrow();
        double moved = 0;
        for (int t = 0; t < 10; t++) {
            moved = Math.max(moved, maxDiff(g.act(g.sample(r), d.getKey(), d.getValue()), d.getValue()));
        }
        assertTrue(moved > 1e-3, id + " never moved " + d.getKey());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("groups")
    void rejectsUnknownRepresentationsAndForeignElements(String id, SymmetryGroup g) {
        GroupElement e = g.sample(new SplittableRandom(4));
        InvalidInputException bad = assertThrows(InvalidInputException.class,
            () -> g.act(e, "spinor", Tensor.zeros(DType.FLOAT64, 3, 3)));
        assertEquals("spinor", bad.argument());
        SymmetryGroup other = id.equals("scaling") ? GroupCatalogue.groups().get("SO(3)") : new ScalingGroup();
        assertThrows(InvalidInputException.class, () -> g.compose(e, other.sample(new SplittableRandom(5))));
    }

    @org.junit.jupiter.api.Test
    void halfTurnsAndFlipsActOnNonSquareImages() {
        for (String id : List.of("C_2", "D_2", "C_4", "D_4")) {
            SymmetryGroup g = GroupCatalogue.groups().get(id);
            Tensor x = uniform(new SplittableRandom(3), 2, 7, 5);
            SplittableRandom r = new SplittableRandom(4);
            int halfTurns = 0;
            for (int t = 0; t < 40; t++) {
                GroupElement a = g.sample(r);
                GroupElement b = g.sample(r);
                Tensor ab;
                try {
                    ab = g.act(g.compose(a, b), SymmetryGroup.IMAGE, x);
                } catch (InvalidInputException e) {
                    assertTrue(e.getMessage().contains("H = W"), e.getMessage());
                    continue; // an odd quarter turn of a 7×5 grid is refused, as documented
                }
                Tensor bx;
                try {
                    bx = g.act(b, SymmetryGroup.IMAGE, x);
                    assertTrue(maxDiff(ab, g.act(a, SymmetryGroup.IMAGE, bx)) <= TOL, id);
                } catch (InvalidInputException e) {
                    assertTrue(e.getMessage().contains("H = W"), e.getMessage());
                }
                PlanarSymmetry p = (PlanarSymmetry) a;
                int quarter = p.k() * (4 / Integer.parseInt(id.substring(2)));
                if (quarter % 4 == 2 && !p.flipped()) {
                    // the half turn reverses both axes: out[c][i][j] = x[c][H−1−i][W−1−j]
                    Tensor ax = g.act(a, SymmetryGroup.IMAGE, x);
                    for (int c = 0; c < 2; c++) {
                        for (int i = 0; i < 7; i++) {
                            for (int j = 0; j < 5; j++) {
                                assertEquals(x.get(c, 6 - i, 4 - j), ax.get(c, i, j), id);
                            }
                        }
                    }
                    halfTurns++;
                }
            }
            assertTrue(halfTurns > 0, id + ": no half turn was sampled");
        }
    }
}

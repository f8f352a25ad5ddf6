package org.attune.shell;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import org.attune.api.equivariance.EquivariantMethod;
import org.attune.api.equivariance.GeometricOutput;
import org.attune.api.equivariance.GroupElement;
import org.attune.api.equivariance.SymmetryGroup;
import org.attune.api.method.MethodDescriptor;
import org.attune.api.method.MethodKind;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Npy;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The equi: commands on a fake registry with two small groups (planar rotations, cyclic rolls standing in for
 * S_n) and two methods, one SO(2)-equivariant ({@code spread}) and one that drifts ({@code drift}).
 */
class EquivarianceCommandsTest {
    static final MethodDescriptor SPREAD = new MethodDescriptor("spread", "Spread", MethodKind.EQUIVARIANT, "test",
        "", "", 0, "O(n^2)", List.of(), List.of("SO(2)"));
    static final MethodDescriptor DRIFT = new MethodDescriptor("drift", "Drift", MethodKind.EQUIVARIANT, "test",
        "", "", 0, "O(n)", List.of(), List.of("SO(2)"));

    @TempDir
    Path dir;

    /** x'_i = x_i + (x_i − x̄)/2 (+ (0.1, 0) when drifting), h'_i = h_i + |x_i − x̄|²; with seed s, h' += s. */
    static EquivariantMethod spread(boolean drift) {
        return (in, backend) -> {
            Tensor x = in.coords();
            Tensor h = in.feats();
            int n = x.dim(0);
            int d = x.dim(1);
            if (in.edges() != null && (in.edges().rank() != 2 || in.edges().dim(0) != 2)) {
                throw InvalidInputException.shape("edges", "[2, edges]", in.edges().shape());
            }
            Tensor x2 = Tensor.zeros(x.dtype(), n, d);
            Tensor h2 = Tensor.zeros(h.dtype(), h.shape());
            for (int i = 0; i < n; i++) {
                double r2 = 0;
                for (int a = 0; a < d; a++) {
                    double mean = 0;
                    for (int j = 0; j < n; j++) {
                        mean += x.get(j, a) / n;
                    }
                    double c = x.get(i, a) - mean;
                    r2 += c * c;
                    x2.set(x.get(i, a) + c / 2 + (drift && a == 0 ? 0.1 : 0), i, a);
                }
                for (int c = 0; c < h.dim(1); c++) {
                    h2.set(h.get(i, c) + r2 + in.seed(), i, c);
                }
            }
            return new GeometricOutput(x2, h2);
        };
    }

    record Angle(double theta) implements GroupElement {
        public String group() {
            return "SO(2)";
        }

        public String describe() {
            return "θ=" + theta;
        }
    }

    record Roll(int k) implements GroupElement {
        public String group() {
            return "S_n";
        }

        public String describe() {
            return "roll " + k;
        }
    }

    static final SymmetryGroup ROTATIONS = new SymmetryGroup() {
        public int dimension() {
            return 2;
        }

        public GroupElement sample(SplittableRandom random) {
            return new Angle(random.nextDouble(0, 2 * Math.PI));
        }

        public GroupElement compose(GroupElement a, GroupElement b) {
            return new Angle(((Angle) a).theta() + ((Angle) b).theta());
        }

        public GroupElement inverse(GroupElement g) {
            return new Angle(-((Angle) g).theta());
        }

        public Tensor act(GroupElement g, String representation, Tensor x) {
            if (representation.equals(SCALAR)) {
                return x.copy();
            }
            double t = ((Angle) g).theta();
            Tensor out = Tensor.zeros(x.dtype(), x.shape());
            for (int i = 0; i < x.size(); i += 2) {
                out.setFlat(i, Math.cos(t) * x.getFlat(i) - Math.sin(t) * x.getFlat(i + 1));
                out.setFlat(i + 1, Math.sin(t) * x.getFlat(i) + Math.cos(t) * x.getFlat(i + 1));
            }
            return out;
        }
    };

    /** Rolls of the token axis: a cyclic subgroup of S_n, enough to exercise the permutation claims. */
    static final SymmetryGroup ROLLS = new SymmetryGroup() {
        public int dimension() {
            return 0;
        }

        public GroupElement sample(SplittableRandom random) {
            return new Roll(random.nextInt(1, 1000));
        }

        public GroupElement compose(GroupElement a, GroupElement b) {
            return new Roll(((Roll) a).k() + ((Roll) b).k());
        }

        public GroupElement inverse(GroupElement g) {
            return new Roll(-((Roll) g).k());
        }

        public Tensor act(GroupElement g, String representation, Tensor x) {
            int n = x.dim(2);
            int inner = x.dim(3);
            Tensor out = Tensor.zeros(x.dtype(), x.shape());
            for (int o = 0; o < x.size() / (n * inner); o++) {
                for (int i = 0; i < n; i++) {
                    int to = Math.floorMod(i + ((Roll) g).k(), n);
                    for (int e = 0; e < inner; e++) {
                        out.setFlat((o * n + to) * inner + e, x.getFlat((o * n + i) * inner + e));
                    }
                }
            }
            return out;
        }
    };

    static final MethodDescriptor SCALE = new MethodDescriptor("scale", "Scale", MethodKind.EQUIVARIANT, "test",
        "", "", 0, "O(n)", List.of("factor=multiplies the features (default 1)"), List.of());

    /** h' = factor·h; reads no coordinates (like the image methods) and returns none. */
    static EquivariantMethod scale() {
        return (in, backend) -> {
            double factor = Double.parseDouble(in.params().getOrDefault("factor", "1"));
            Tensor h = Tensor.zeros(in.feats().dtype(), in.feats().shape());
            for (int i = 0; i < h.size(); i++) {
                h.setFlat(i, factor * in.feats().getFlat(i));
            }
            return new GeometricOutput(in.coords(), h);
        };
    }

    private final FakeRegistry registry = new FakeRegistry().withEquivariant(SPREAD, spread(false))
        .withEquivariant(DRIFT, spread(true)).withEquivariant(SCALE, scale()).withGroup("SO(2)", ROTATIONS).withGroup("S_n", ROLLS);
    private final EquivarianceCommands commands = new EquivarianceCommands(registry);

    @Test
    void listShowsEquivariantMethodsAndOtherMethodsWithClaims() {
        String out = commands.list();
        assertTrue(out.contains("spread") && out.contains("drift") && out.contains("sdpa")
            && out.contains("permutation:keys") && out.contains("rope"), out);
        assertTrue(!out.contains("scaled"), out);
    }

    @Test
    void groupsListsEachInstalledGroupWithItsDimensionAndTheMethodsItChecks() {
        String[] lines = commands.groups().split("\n");
        assertTrue(lines[0].startsWith("GROUP"), lines[0]);
        String so2 = java.util.Arrays.stream(lines).filter(l -> l.startsWith("SO(2)")).findFirst().orElseThrow();
        assertTrue(so2.matches("SO\\(2\\)\\s+2\\s+2: (spread, drift|drift, spread)\\s*"), so2);
        String sn = java.util.Arrays.stream(lines).filter(l -> l.startsWith("S_n")).findFirst().orElseThrow();
        assertTrue(sn.contains("sdpa"), sn);
        assertTrue(new EquivarianceCommands(new FakeRegistry()).groups().startsWith("no symmetry groups installed"));
    }

    @Test
    void infoNamesTheGroupThatChecksEachClaim() {
        String out = commands.info("spread");
        assertTrue(out.startsWith("spread: Spread\n"), out);
        assertTrue(out.contains("SO(2)  (group SO(2), installed)"), out);
        CommandFailure f = assertThrows(CommandFailure.class, () -> commands.info("nope"));
        assertTrue(f.getMessage().startsWith("ID: no method with symmetry claims has id 'nope'"), f.getMessage());
    }

    @Test
    void checkPrintsOneLinePerOutputAndPassesAnEquivariantMethod() {
        for (String dtype : List.of("f64", "f32")) {
            String out = commands.check("5", dtype, "spread");
            String[] lines = out.split("\n");
            assertTrue(lines[1].startsWith("SO(2)") && lines[1].contains("coords") && lines[1].contains("holds"), out);
            assertTrue(lines[2].contains("feats") && lines[2].contains("holds"), out);
            assertTrue(out.endsWith("every claim holds"), out);
            assertTrue(out.contains(dtype), out);
        }
    }

    @Test
    void checkFailsOnAViolationNamingTheOutput() {
        CommandFailure f = assertThrows(CommandFailure.class, () -> commands.check("3", "f64", "drift"));
        assertTrue(f.getMessage().startsWith("equi:check drift: SO(2) violated on coords, error "), f.getMessage());
        assertTrue(f.getMessage().contains("VIOLATED"), f.getMessage());
    }

    @Test
    void checkCertifiesAttentionPermutationClaimsAndPositionalEncodings() {
        String sdpa = commands.check("4", "f32", "sdpa");
        assertTrue(sdpa.contains("permutation:keys") && sdpa.contains("holds"), sdpa);
        String rope = commands.check("20", "f64", "rope");
        assertTrue(rope.contains("shift:relative") && rope.contains("logits"), rope);
    }

    @Test
    void checkRejectsBadOptions() {
        assertEquals("--trials: expected a positive integer, got '0'",
            assertThrows(CommandFailure.class, () -> commands.check("0", "f64", "spread")).getMessage());
        assertEquals("--dtype: expected f32 or f64, got 'f16'",
            assertThrows(CommandFailure.class, () -> commands.check("2", "f16", "spread")).getMessage());
        assertEquals("equi:check: expected ID, got 0 arguments",
            assertThrows(CommandFailure.class, () -> commands.check("2", "f64")).getMessage());
    }

    @Test
    void runWritesCoordinatesAndFeaturesAndTheSeedFixesTheFunction() throws Exception {
        Npy.write(dir.resolve("x.npy"), Tensor.of(new float[] {0, 0, 2, 0, 0, 2}, 3, 2));
        Npy.write(dir.resolve("h.npy"), Tensor.of(new float[] {1, 1, 1}, 3, 1));
        Npy.write(dir.resolve("e.npy"), Tensor.of(new long[] {0, 1, 1, 2}, 2, 2));
        String x = dir.resolve("x.npy").toString();
        String h = dir.resolve("h.npy").toString();
        String out = commands.run("7", dir.resolve("x2.npy").toString(), dir.resolve("h2.npy").toString(), "", "spread", x, h,
            dir.resolve("e.npy").toString());
        assertTrue(out.startsWith("spread on [3, 2] coordinates, [3, 1] features, 2 edges (seed 7"), out);
        Tensor x2 = Npy.read(dir.resolve("x2.npy"));
        assertArrayEquals(new int[] {3, 2}, x2.shape());
        // x̄ = (2/3, 2/3): x'_0 = x_0 + (x_0 − x̄)/2
        assertEquals(-1.0 / 3, x2.get(0, 0), 1e-6);
        Tensor h2 = Npy.read(dir.resolve("h2.npy"));
        assertEquals(DType.FLOAT32, h2.dtype());
        assertEquals(1 + 8.0 / 9 + 7, h2.get(0, 0), 1e-5);
        String shown = commands.run("0", "", "", "", "spread", x, h);
        assertTrue(shown.contains("fully connected") && shown.contains("not written; --out-feats FILE"), shown);
    }

    @Test
    void runPassesDeclaredOptionsAndAcceptsNoCoordinates() throws Exception {
        Npy.write(dir.resolve("img.npy"), Tensor.of(new float[] {1, 2, 3, 4}, 1, 2, 2));
        String img = dir.resolve("img.npy").toString();
        String out = commands.run("0", "", dir.resolve("o.npy").toString(), "factor=3", "scale", "-", img);
        assertTrue(out.startsWith("scale on no coordinates, [1, 2, 2] features"), out);
        assertEquals(12, Npy.read(dir.resolve("o.npy")).get(0, 1, 1), 1e-6);
        CommandFailure undeclared = assertThrows(CommandFailure.class,
            () -> commands.run("0", "", "", "hidden=4", "scale", "-", img));
        assertEquals("--opt hidden: not an option of scale; expected one of [factor] (equi:info scale)",
            undeclared.getMessage());
    }

    @Test
    void runRejectsBadArguments() {
        assertEquals("equi:run: expected ID COORDS.npy FEATS.npy [EDGES.npy], got 1 argument",
            assertThrows(CommandFailure.class, () -> commands.run("0", "", "", "", "spread")).getMessage());
        assertEquals("--seed: expected an integer, got 'x'",
            assertThrows(CommandFailure.class, () -> commands.run("x", "", "", "", "spread", "a", "b")).getMessage());
        CommandFailure missing = assertThrows(CommandFailure.class,
            () -> commands.run("0", "", "", "", "spread", dir.resolve("none.npy").toString(), "b"));
        assertTrue(missing.getMessage().startsWith("COORDS.npy: no such file"), missing.getMessage());
    }
}

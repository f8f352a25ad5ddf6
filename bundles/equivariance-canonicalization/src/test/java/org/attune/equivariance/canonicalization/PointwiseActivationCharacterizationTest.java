package org.attune.equivariance.canonicalization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import org.attune.api.backend.ComputeBackend;
import org.attune.api.diagnostics.DiagnosticCall;
import org.attune.api.diagnostics.DiagnosticReport;
import org.attune.api.equivariance.GroupElement;
import org.attune.api.equivariance.SymmetryGroup;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.attune.backend.java.JavaBackend;
import org.attune.symmetry.GroupCatalogue;
import org.junit.jupiter.api.Test;

/**
 * The characterization check on representation matrices read off the symmetry bundle's group actions (the action
 * on basis data): permutation representations (S_n and Z_N on sequences, C_4 on images) admit every activation;
 * signed permutations (C_2, C_4, D_4 on plane vectors) admit tanh and not ReLU; positive scalings admit ReLU and
 * not tanh; rotations off the pixel grid (SO(2), C_8, Wigner-D of SO(3)) admit no non-linear activation, but the
 * identity rotation admits all; measurement and theorem agree on every case; the error against a float64
 * transcription; the input checks.
 */
class PointwiseActivationCharacterizationTest {
    static final ComputeBackend BACKEND = new JavaBackend();
    static final Map<String, SymmetryGroup> GROUPS = GroupCatalogue.groups();
    static final List<String> NONLINEAR = List.of("relu", "leaky-relu", "abs", "tanh", "sigmoid", "silu", "gelu", "elu",
        "softplus");
    final PointwiseActivationCharacterization check = new PointwiseActivationCharacterization();

    /**
     * ρ(g) [d, d] of a group action, read off the action on basis data: for {@code sequence} the action on the
     * identity [d, d] is ρ·I; for the last-axis representations ({@code vector}, {@code irrep:l}) and {@code image}
     * (basis images [d, H, W]) the rows of the result are the columns of ρ.
     */
    static double[][] matrix(SymmetryGroup group, GroupElement g, String rep, int... dataShape) {
        int d = 1;
        for (int s : dataShape) {
            d *= s;
        }
        int[] shape = new int[dataShape.length + 1];
        shape[0] = d;
        System.arraycopy(dataShape, 0, shape, 1, dataShape.length);
        Tensor basis = Tensor.zeros(DType.FLOAT64, shape);
        for (int i = 0; i < d; i++) {
            basis.setFlat(i * d + i, 1);
        }
        if (rep.equals(SymmetryGroup.SEQUENCE)) {
            basis = basis.reshape(d, d);
        }
        Tensor out = group.act(g, rep, basis).reshape(d, d);
        double[][] m = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                m[i][j] = rep.equals(SymmetryGroup.SEQUENCE) ? out.get(i, j) : out.get(j, i);
            }
        }
        return m;
    }

    /** ρ of {@code count} sampled elements, [count, d, d]. */
    static Tensor generators(String id, String rep, int count, long seed, int... dataShape) {
        SymmetryGroup group = GROUPS.get(id);
        SplittableRandom r = new SplittableRandom(seed);
        double[][][] ms = new double[count][][];
        for (int c = 0; c < count; c++) {
            ms[c] = matrix(group, group.sample(r), rep, dataShape);
        }
        return stack(ms);
    }

    static Tensor stack(double[][]... ms) {
        int d = ms[0].length;
        Tensor t = Tensor.zeros(DType.FLOAT64, ms.length, d, d);
        for (int c = 0; c < ms.length; c++) {
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    t.set(ms[c][i][j], c, i, j);
                }
            }
        }
        return t;
    }

    DiagnosticReport run(Tensor rho, String activation) {
        return check.run(new DiagnosticCall(Map.of("rho", rho), Map.of("activation", activation)), BACKEND);
    }

    void expect(Tensor rho, String activation, boolean commutes, String what) {
        DiagnosticReport r = run(rho, activation);
        assertEquals(commutes ? 1.0 : 0.0, r.values().get("commutes"), what + " " + activation + ": " + r.summary());
        assertEquals(1.0, r.values().get("agrees"), what + " " + activation + ": " + r.summary());
        if (!commutes) {
            // a failure is a real residual, far above rounding
            assertTrue(r.values().get("error") > 1e-3, what + " " + activation + ": " + r.summary());
        }
    }

    @Test
    void permutationRepresentationsAdmitEveryActivation() {
        Map<String, Tensor> reps = Map.of(
            "S_n on sequences", generators("S_n", SymmetryGroup.SEQUENCE, 4, 1, 5),
            "Z_N on sequences", generators("Z_N", SymmetryGroup.SEQUENCE, 4, 2, 6),
            "C_4 on 3x3 images", generators("C_4", SymmetryGroup.IMAGE, 4, 3, 3, 3),
            "D_4 on 4x4 images", generators("D_4", SymmetryGroup.IMAGE, 4, 4, 4, 4));
        reps.forEach((what, rho) -> {
            assertTrue(run(rho, "relu").summary().contains("permutation"), what);
            for (String a : NONLINEAR) {
                expect(rho, a, true, what);
            }
        });
    }

    @Test
    void signedPermutationsAdmitTanhButNotRelu() {
        Map<String, Tensor> reps = Map.of(
            "C_2 on vectors", generators("C_2", SymmetryGroup.VECTOR, 4, 5, 2),
            "C_4 on vectors", generators("C_4", SymmetryGroup.VECTOR, 6, 6, 2),
            "D_4 on vectors", generators("D_4", SymmetryGroup.VECTOR, 6, 7, 2));
        reps.forEach((what, rho) -> {
            assertEquals(1.0, run(rho, "tanh").values().get("monomial"), what);
            expect(rho, "tanh", true, what);
            expect(rho, "identity", true, what);
            for (String a : List.of("relu", "leaky-relu", "abs", "sigmoid", "silu", "gelu", "elu", "softplus")) {
                expect(rho, a, false, what);
            }
        });
    }

    @Test
    void positiveScalingsAdmitPositivelyHomogeneousActivationsOnly() {
        Tensor rho = generators("scaling", SymmetryGroup.VECTOR, 4, 8, 3);
        assertTrue(run(rho, "relu").summary().contains("positive monomial"));
        for (String a : List.of("relu", "leaky-relu", "abs")) {
            expect(rho, a, true, "scaling");
        }
        for (String a : List.of("tanh", "sigmoid", "silu", "gelu", "elu", "softplus")) {
            expect(rho, a, false, "scaling");
        }
    }

    @Test
    void rotationsOffTheGridAdmitNoNonlinearActivationButTheIdentityRotationAdmitsAll() {
        Map<String, Tensor> reps = Map.of(
            "SO(2) on vectors", generators("SO(2)", SymmetryGroup.VECTOR, 3, 9, 2),
            "SO(3) on vectors", generators("SO(3)", SymmetryGroup.VECTOR, 3, 10, 3),
            "SO(3) on irrep:2", generators("SO(3)", "irrep:2", 3, 11, 5),
            "C_8 by 45°", stack(matrix(GROUPS.get("C_8"), element(GROUPS.get("C_8"), 1), SymmetryGroup.VECTOR, 2)));
        reps.forEach((what, rho) -> {
            assertEquals(0.0, run(rho, "relu").values().get("monomial"), what);
            expect(rho, "identity", true, what);
            for (String a : NONLINEAR) {
                expect(rho, a, false, what);
            }
        });
        // g·g⁻¹ of SO(2): the identity up to rounding, which every activation commutes with
        SymmetryGroup so2 = GROUPS.get("SO(2)");
        GroupElement g = so2.sample(new SplittableRandom(3));
        Tensor identity = stack(matrix(so2, so2.compose(g, so2.inverse(g)), SymmetryGroup.VECTOR, 2));
        for (String a : NONLINEAR) {
            expect(identity, a, true, "identity rotation");
        }
    }

    /** r^k of C_n, found among the group's own samples. */
    static GroupElement element(SymmetryGroup cn, int k) {
        SplittableRandom r = new SplittableRandom(0);
        int n = Integer.parseInt(cn.sample(r).group().substring(2));
        Tensor probe = Tensor.of(new double[] {1, 0}, 1, 2);
        while (true) {
            GroupElement g = cn.sample(r);
            Tensor v = cn.act(g, SymmetryGroup.VECTOR, probe);
            double a = 2 * Math.PI * k / n;
            if (Math.abs(v.get(0, 0) - Math.cos(a)) < 1e-12 && Math.abs(v.get(0, 1) - Math.sin(a)) < 1e-12) {
                return g;
            }
        }
    }

    @Test
    void theErrorMatchesTheFloat64Transcription() {
        // ρ = rotation by 90°, ReLU: error = max_x max_i |relu(ρx) − ρ relu(x)| / max(1, max |ρ relu(x)|)
        double[][] rho = {{0, -1}, {1, 0}};
        SplittableRandom r = new SplittableRandom(4);
        int samples = 16;
        double expected = 0;
        for (int s = 0; s < samples; s++) {
            double[] x = {r.nextDouble(-3, 3), r.nextDouble(-3, 3)};
            double diff = 0;
            double scale = 1;
            for (int i = 0; i < 2; i++) {
                double left = Math.max(0, rho[i][0] * x[0] + rho[i][1] * x[1]);
                double right = rho[i][0] * Math.max(0, x[0]) + rho[i][1] * Math.max(0, x[1]);
                diff = Math.max(diff, Math.abs(left - right));
                scale = Math.max(scale, Math.abs(right));
            }
            expected = Math.max(expected, diff / scale);
        }
        DiagnosticReport report = check.run(new DiagnosticCall(Map.of("rho", stack(rho).reshape(2, 2)),
            Map.of("samples", "16", "seed", "4")), BACKEND);
        assertEquals(expected, report.values().get("error"), 1e-15);
        assertTrue(expected > 0.1);
        assertEquals(1.0, report.values().get("generators"));
    }

    @Test
    void rejectsBadInputsNamingTheArgument() {
        Tensor ok = stack(new double[][] {{1, 0}, {0, 1}});
        Object[][] cases = {
            {"rho", Map.of(), Map.of()},
            {"rho", Map.of("rho", Tensor.zeros(DType.FLOAT64, 2, 2, 3)), Map.of()},
            {"rho", Map.of("rho", Tensor.zeros(DType.INT64, 2, 2)), Map.of()},
            {"activation", Map.of("rho", ok), Map.of("activation", "swish")},
            {"slope", Map.of("rho", ok), Map.of("slope", "1.5")},
            {"samples", Map.of("rho", ok), Map.of("samples", "0")},
            {"seed", Map.of("rho", ok), Map.of("seed", "x")},
        };
        @SuppressWarnings("unchecked")
        Consumer<Object[]> bad =
            c -> check.run(new DiagnosticCall((Map<String, Tensor>) c[1], (Map<String, String>) c[2]), BACKEND);
        Rejections.assertEachNamesItsArgument(cases, bad);
    }
}

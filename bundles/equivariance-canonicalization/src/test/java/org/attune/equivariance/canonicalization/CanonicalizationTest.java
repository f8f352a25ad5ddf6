package org.attune.equivariance.canonicalization;

import static org.attune.equivariance.canonicalization.FrameAveragingTest.backbone;
import static org.attune.equivariance.canonicalization.FrameAveragingTest.maxRelative;
import static org.attune.equivariance.canonicalization.FrameAveragingTest.rows;
import static org.attune.equivariance.canonicalization.FrameAveragingTest.silu;
import static org.attune.equivariance.canonicalization.FrameAveragingTest.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.attune.api.tensor.Tensor;
import org.attune.backend.java.JavaBackend;
import org.attune.symmetry.GroupCatalogue;
import org.junit.jupiter.api.Test;

/**
 * Canonicalization against a float64 transcription (scores, argmax, backbone at the canonical pose), its C_n and
 * permutation certificates in float64 (1e-9) and float32 (1e-3), the cyclic shift of the scores, the tie case, the
 * prior loss over an orbit, and its input checks.
 */
class CanonicalizationTest {
    static final ComputeBackend BACKEND = new JavaBackend();
    static final Map<String, SymmetryGroup> GROUPS = GroupCatalogue.groups();
    static final long SCORER_SEED = 0x5DEECE66DL;
    final Canonicalization canon = new Canonicalization();

    /** s_k = (1/N) Σ_i w_3·SiLU(R_k⁻¹ y_i·W_1 + h_i·W_2 + b_1), y the centred points, in float64. */
    static double[] scores(RotationScorer w, double[][] x, double[][] h) {
        int n = x.length;
        double[] t = centroid(x);
        int hid = w.b1().dim(0);
        double[] s = new double[w.n()];
        for (int k = 0; k < w.n(); k++) {
            double a = 2 * Math.PI * k / w.n();
            for (int i = 0; i < n; i++) {
                double y0 = x[i][0] - t[0];
                double y1 = x[i][1] - t[1];
                double[] r = {Math.cos(a) * y0 + Math.sin(a) * y1, -Math.sin(a) * y0 + Math.cos(a) * y1}; // R_k⁻¹ y
                for (int o = 0; o < hid; o++) {
                    double pre = w.b1().get(o) + r[0] * w.w1().get(0, o) + r[1] * w.w1().get(1, o);
                    for (int c = 0; c < h[i].length; c++) {
                        pre += h[i][c] * w.w2().get(c, o);
                    }
                    s[k] += w.w3().get(o, 0) * silu(pre) / n;
                }
            }
        }
        return s;
    }

    static double[] centroid(double[][] x) {
        double[] t = new double[2];
        for (double[] xi : x) {
            t[0] += xi[0] / x.length;
            t[1] += xi[1] / x.length;
        }
        return t;
    }

    static int argmax(double[] s) {
        int best = 0;
        for (int k = 1; k < s.length; k++) {
            if (s[k] > s[best]) {
                best = k;
            }
        }
        return best;
    }

    /** Equations (1)–(2) of Kaba et al. with the argmax canonicalizer, in float64: {coords, feats}. */
    static double[][][] reference(double[][] x, double[][] h, long seed, int n, int hidden, int out) {
        double[] s = scores(RotationScorer.init(seed ^ SCORER_SEED, n, h[0].length, hidden), x, h);
        double a = 2 * Math.PI * argmax(s) / n;
        double[] t = centroid(x);
        double[][] c = new double[x.length][2];
        for (int i = 0; i < x.length; i++) {
            double y0 = x[i][0] - t[0];
            double y1 = x[i][1] - t[1];
            c[i] = new double[] {Math.cos(a) * y0 + Math.sin(a) * y1, -Math.sin(a) * y0 + Math.cos(a) * y1};
        }
        double[][][] y = backbone(PointBackbone.init(seed, 2, h[0].length, hidden, out), c, h);
        for (double[] z : y[0]) {
            double z0 = z[0];
            z[0] = Math.cos(a) * z0 - Math.sin(a) * z[1] + t[0];
            z[1] = Math.sin(a) * z0 + Math.cos(a) * z[1] + t[1];
        }
        return y;
    }

    static Tensor rotate(Tensor x, double angle) {
        Tensor y = x.copy();
        for (int i = 0; i < x.dim(0); i++) {
            y.set(Math.cos(angle) * x.get(i, 0) - Math.sin(angle) * x.get(i, 1), i, 0);
            y.set(Math.sin(angle) * x.get(i, 0) + Math.cos(angle) * x.get(i, 1), i, 1);
        }
        return y;
    }

    @Test
    void matchesTheFloat64Transcription() {
        SplittableRandom r = new SplittableRandom(21);
        for (int n : new int[] {1, 3, 4, 8}) {
            for (int trial = 0; trial < 3; trial++) {
                Tensor x = uniform(r, DType.FLOAT64, 7, 2);
                Tensor h = uniform(r, DType.FLOAT64, 7, 3);
                Map<String, String> p = Map.of("n", "" + n, "hidden", "6", "out", "2");
                double[][][] ref = reference(rows(x), rows(h), 13, n, 6, 2);
                GeometricOutput f64 = canon.apply(new GeometricInput(x, h, null, 13, p), BACKEND);
                assertTrue(maxRelative(ref[0], f64.coords()) < 1e-12, "coords " + maxRelative(ref[0], f64.coords()));
                assertTrue(maxRelative(ref[1], f64.feats()) < 1e-12, "feats " + maxRelative(ref[1], f64.feats()));
                GeometricOutput f32 = canon.apply(new GeometricInput(x.to(DType.FLOAT32), h.to(DType.FLOAT32), null, 13,
                    p), BACKEND);
                assertEquals(DType.FLOAT32, f32.coords().dtype());
                assertTrue(maxRelative(ref[0], f32.coords()) < 1e-4 && maxRelative(ref[1], f32.feats()) < 1e-4);
            }
        }
    }

    @Test
    void isRotationEquivariantForItsOrderAndItsSubgroups() {
        Map<String, Map<String, String>> claims = Map.of("C_4", Map.of(), "C_2", Map.of(),
            "C_8", Map.of("n", "8"), "C_3", Map.of("n", "3"), "C_6", Map.of("n", "6"));
        claims.forEach((id, p) -> {
            for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
                List<EquivarianceCertificate.Finding> f = EquivarianceCertificate.certify(canon,
                    id, GROUPS.get(id), p, dtype, 8, 5, BACKEND);
                assertEquals(2, f.size());
                for (EquivarianceCertificate.Finding x : f) {
                    assertTrue(x.holds(), id + " " + p + " " + dtype + ": " + x);
                }
            }
        });
    }

    @Test
    void isNodePermutationEquivariant() {
        // checked directly: the certifier's permutation:nodes check uses 3-D coordinates
        SplittableRandom r = new SplittableRandom(17);
        int[] perm = {4, 0, 5, 2, 1, 3};
        for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
            Tensor x = uniform(r, dtype, 6, 2);
            Tensor h = uniform(r, dtype, 6, 3);
            Tensor px = x.copy();
            Tensor ph = h.copy();
            for (int i = 0; i < 6; i++) {
                for (int a = 0; a < 2; a++) {
                    px.set(x.get(perm[i], a), i, a);
                }
                for (int c = 0; c < 3; c++) {
                    ph.set(h.get(perm[i], c), i, c);
                }
            }
            GeometricOutput plain = canon.apply(new GeometricInput(x, h, null, 3, Map.of()), BACKEND);
            GeometricOutput moved = canon.apply(new GeometricInput(px, ph, null, 3, Map.of()), BACKEND);
            double tol = EquivarianceCertificate.tolerance(dtype);
            for (int i = 0; i < 6; i++) {
                for (int a = 0; a < 2; a++) {
                    assertEquals(plain.coords().get(perm[i], a), moved.coords().get(i, a), tol);
                }
                for (int c = 0; c < 3; c++) {
                    assertEquals(plain.feats().get(perm[i], c), moved.feats().get(i, c), tol);
                }
            }
        }
    }

    @Test
    void isNotEquivariantBeyondItsGroup() {
        // C_4 canonicalization cannot undo a 45° turn nor a reflection: the certifier must see both
        for (String id : List.of("C_8", "D_4")) {
            List<EquivarianceCertificate.Finding> f = EquivarianceCertificate.certify(canon, id, GROUPS.get(id),
                Map.of(), DType.FLOAT64, 8, 5, BACKEND);
            assertTrue(f.stream().anyMatch(x -> !x.holds()), id + ": " + f);
        }
    }

    @Test
    void rotatingTheInputShiftsTheScoresCyclically() {
        SplittableRandom r = new SplittableRandom(3);
        Tensor x = uniform(r, DType.FLOAT64, 6, 2);
        Tensor h = uniform(r, DType.FLOAT64, 6, 2);
        RotationScorer w = RotationScorer.init(4, 5, 2, 7);
        double[] s = w.scores(BACKEND, x, h);
        for (int j = 0; j < 5; j++) {
            double[] moved = w.scores(BACKEND, rotate(x, 2 * Math.PI * j / 5), h);
            for (int k = 0; k < 5; k++) {
                assertEquals(s[Math.floorMod(k - j, 5)], moved[k], 1e-12);
            }
        }
    }

    @Test
    void breaksExactTiesByTheLowestIndex() {
        // one point, or all points equal: every centred coordinate is 0, the n scores are exactly equal, k* = 0
        Tensor h = uniform(new SplittableRandom(6), DType.FLOAT64, 3, 2);
        Tensor x = Tensor.zeros(DType.FLOAT64, 3, 2);
        for (int i = 0; i < 3; i++) {
            x.set(0.25, i, 0);
            x.set(-1.5, i, 1);
        }
        double[] s = RotationScorer.init(2 ^ SCORER_SEED, 4, 2, 5).scores(BACKEND, Tensor.zeros(DType.FLOAT64, 3, 2), h);
        assertTrue(s[0] == s[1] && s[1] == s[2] && s[2] == s[3]);
        GeometricOutput out = canon.apply(new GeometricInput(x, h, null, 2, Map.of("hidden", "5")), BACKEND);
        double[][][] phi = backbone(PointBackbone.init(2, 2, 2, 5, 2), new double[3][2], rows(h));
        for (int i = 0; i < 3; i++) {
            phi[0][i][0] += 0.25;
            phi[0][i][1] += -1.5;
        }
        assertEquals(0, maxRelative(phi[0], out.coords()), 1e-15);
        assertEquals(0, maxRelative(phi[1], out.feats()), 1e-15);
    }

    @Test
    void thePriorLossIsTheCrossEntropyToTheIdentityAndIsLeastAtTheCanonicalMemberOfAnOrbit() {
        SplittableRandom r = new SplittableRandom(9);
        Tensor x = uniform(r, DType.FLOAT64, 7, 2);
        Tensor h = uniform(r, DType.FLOAT64, 7, 3);
        double[] s = scores(RotationScorer.init(1 ^ SCORER_SEED, 4, 3, 16), rows(x), rows(h));
        double lse = Math.log(Math.exp(s[0]) + Math.exp(s[1]) + Math.exp(s[2]) + Math.exp(s[3]));
        int best = -1;
        double least = Double.POSITIVE_INFINITY;
        for (int j = 0; j < 4; j++) {
            double loss = canon.priorLoss(new GeometricInput(rotate(x, Math.PI / 2 * j), h, null, 1, Map.of()), BACKEND);
            assertEquals(lse - s[Math.floorMod(-j, 4)], loss, 1e-12);
            assertTrue(loss > 0);
            if (loss < least) {
                least = loss;
                best = j;
            }
        }
        // the orbit member whose canonicalizer predicts the identity (k* = 0) has the least prior loss
        assertEquals(Math.floorMod(-argmax(s), 4), best);
    }

    @Test
    void rejectsBadInputsNamingTheArgument() {
        SplittableRandom r = new SplittableRandom(1);
        Tensor x = uniform(r, DType.FLOAT64, 5, 2);
        Tensor h = uniform(r, DType.FLOAT64, 5, 2);
        Object[][] cases = {
            {"coords", new GeometricInput(uniform(r, DType.FLOAT64, 5, 3), h, null, 1, Map.of())},
            {"coords", new GeometricInput(Tensor.zeros(DType.INT64, 5, 2), h, null, 1, Map.of())},
            {"feats", new GeometricInput(x, uniform(r, DType.FLOAT64, 4, 2), null, 1, Map.of())},
            {"n", new GeometricInput(x, h, null, 1, Map.of("n", "0"))},
            {"hidden", new GeometricInput(x, h, null, 1, Map.of("hidden", "-2"))},
            {"out", new GeometricInput(x, h, null, 1, Map.of("out", "two"))},
        };
        Rejections.assertEachNamesItsArgument(cases, c -> canon.apply((GeometricInput) c[1], BACKEND));
        Rejections.assertInputUnchanged(x, () -> canon.apply(new GeometricInput(x, h, null, 1, Map.of()), BACKEND));
    }
}

package org.attune.equivariance.canonicalization;

import static org.attune.equivariance.canonicalization.CanonicalizationTest.centroid;
import static org.attune.equivariance.canonicalization.CanonicalizationTest.rotate;
import static org.attune.equivariance.canonicalization.FrameAveragingTest.BACKEND;
import static org.attune.equivariance.canonicalization.FrameAveragingTest.GROUPS;
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

import org.attune.api.equivariance.EquivarianceCertificate;
import org.attune.api.equivariance.EquivariantMethod;
import org.attune.api.equivariance.GeometricInput;
import org.attune.api.equivariance.GeometricOutput;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Orbit-distance symmetrization against a float64 transcription (interface matrix, backbone on Mᵀ·Y, turned back
 * by M), its E(2), SO(2), C_4 and O(2) certificates, the failure of the bare backbone, the orbit distance (zero
 * exactly on SO(2), invariant under rotations of the input) and its input checks.
 */
class OrbitDistanceSymmetrizationTest {
    final OrbitDistanceSymmetrization method = new OrbitDistanceSymmetrization();

    /** M = (1/N) Σ_i y_i φ_iᵀ, φ_i = SiLU([|y_i|², h_i]·W_1 + b_1)·W_2, in float64. */
    static double[][] matrix(FrameNetwork w, double[][] y, double[][] h) {
        int hid = w.b1().dim(0);
        double[][] m = new double[2][2];
        for (int i = 0; i < y.length; i++) {
            double[] u = new double[1 + h[i].length];
            u[0] = y[i][0] * y[i][0] + y[i][1] * y[i][1];
            System.arraycopy(h[i], 0, u, 1, h[i].length);
            for (int c = 0; c < 2; c++) {
                double phi = 0;
                for (int o = 0; o < hid; o++) {
                    double pre = w.b1().get(o);
                    for (int k = 0; k < u.length; k++) {
                        pre += u[k] * w.w1().get(k, o);
                    }
                    phi += silu(pre) * w.w2().get(o, c);
                }
                m[0][c] += y[i][0] * phi / y.length;
                m[1][c] += y[i][1] * phi / y.length;
            }
        }
        return m;
    }

    static double[][] centred(double[][] x) {
        double[] t = centroid(x);
        double[][] y = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            y[i] = new double[] {x[i][0] - t[0], x[i][1] - t[1]};
        }
        return y;
    }

    /** coords' = M·φ_coords(Mᵀ·y, h) + t, feats' = φ_feats(Mᵀ·y, h), in float64. */
    static double[][][] reference(double[][] x, double[][] h, long seed, int hidden, int out) {
        double[] t = centroid(x);
        double[][] y = centred(x);
        double[][] m = matrix(FrameNetwork.init(seed ^ OrbitDistanceSymmetrization.INTERFACE_SEED, h[0].length, hidden), y, h);
        double[][] c = new double[y.length][2];
        for (int i = 0; i < y.length; i++) {
            for (int a = 0; a < 2; a++) {
                c[i][a] = m[0][a] * y[i][0] + m[1][a] * y[i][1];
            }
        }
        double[][][] z = backbone(PointBackbone.init(seed, 2, h[0].length, hidden, out), c, h);
        for (double[] zi : z[0]) {
            double z0 = zi[0];
            zi[0] = m[0][0] * z0 + m[0][1] * zi[1] + t[0];
            zi[1] = m[1][0] * z0 + m[1][1] * zi[1] + t[1];
        }
        return z;
    }

    @Test
    void matchesTheFloat64Transcription() {
        SplittableRandom r = new SplittableRandom(61);
        for (int trial = 0; trial < 4; trial++) {
            Tensor x = uniform(r, DType.FLOAT64, 8, 2);
            Tensor h = uniform(r, DType.FLOAT64, 8, 3);
            Map<String, String> p = Map.of("hidden", "7", "out", "4");
            double[][][] ref = reference(rows(x), rows(h), 19, 7, 4);
            GeometricOutput f64 = method.apply(new GeometricInput(x, h, null, 19, p), BACKEND);
            assertTrue(maxRelative(ref[0], f64.coords()) < 1e-12, "coords " + maxRelative(ref[0], f64.coords()));
            assertTrue(maxRelative(ref[1], f64.feats()) < 1e-12, "feats " + maxRelative(ref[1], f64.feats()));
            GeometricOutput f32 = method.apply(new GeometricInput(x.to(DType.FLOAT32), h.to(DType.FLOAT32), null, 19, p),
                BACKEND);
            assertEquals(DType.FLOAT32, f32.feats().dtype());
            assertTrue(maxRelative(ref[0], f32.coords()) < 1e-4 && maxRelative(ref[1], f32.feats()) < 1e-4);
            double d = OrbitDistanceSymmetrization.orbitDistance(matrix(FrameNetwork.init(19 ^ OrbitDistanceSymmetrization.INTERFACE_SEED,
                3, 7), centred(rows(x)), rows(h)));
            assertEquals(d, method.orbitDistance(new GeometricInput(x, h, null, 19, p), BACKEND), 1e-12);
        }
    }

    @Test
    void isEquivariantUnderTheEuclideanGroupOfThePlane() {
        for (String claim : List.of("E(2)", "SO(2)", "C_4", "O(2)", "D_6")) {
            for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
                List<EquivarianceCertificate.Finding> f = EquivarianceCertificate.certify(method, claim, GROUPS.get(claim),
                    Map.of(), dtype, 8, 4, BACKEND);
                assertEquals(2, f.size());
                for (EquivarianceCertificate.Finding finding : f) {
                    assertTrue(finding.holds(), claim + " " + dtype + ": " + finding);
                }
            }
        }
    }

    @Test
    void theBareBackboneIsNotEquivariant() {
        // negative control: φ on the centred points without the interface fails the same certificate
        EquivariantMethod bare = (in, b) -> {
            Tensor[] z = PointBackbone.init(in.seed(), 2, in.feats().dim(1), 16, in.feats().dim(1)).apply(b, in.coords(), in.feats());
            return new GeometricOutput(z[0], z[1]);
        };
        List<EquivarianceCertificate.Finding> f = EquivarianceCertificate.certify(bare, "SO(2)", GROUPS.get("SO(2)"),
            Map.of(), DType.FLOAT64, 8, 4, BACKEND);
        assertTrue(f.stream().noneMatch(EquivarianceCertificate.Finding::holds), f.toString());
    }

    @Test
    void theOrbitDistanceVanishesExactlyOnRotationsAndIsRotationInvariant() {
        for (double a : new double[] {0, 0.3, 2.5, -1.1}) {
            assertEquals(0, OrbitDistanceSymmetrization.orbitDistance(new double[][] {{Math.cos(a), -Math.sin(a)},
                {Math.sin(a), Math.cos(a)}}), 1e-15);
        }
        // a reflection is orthogonal but det = −1: d = |−1 − 1|/4; a scaled identity 2I: (3 + 3 + 0 + 3)/4
        assertEquals(0.5, OrbitDistanceSymmetrization.orbitDistance(new double[][] {{1, 0}, {0, -1}}), 1e-15);
        assertEquals(2.25, OrbitDistanceSymmetrization.orbitDistance(new double[][] {{2, 0}, {0, 2}}), 1e-15);
        SplittableRandom r = new SplittableRandom(62);
        Tensor x = uniform(r, DType.FLOAT64, 9, 2);
        Tensor h = uniform(r, DType.FLOAT64, 9, 2);
        double d = method.orbitDistance(new GeometricInput(x, h, null, 5, Map.of()), BACKEND);
        assertTrue(d > 0, "an untrained interface is off the group");
        for (double a : new double[] {0.4, 1.9, Math.PI}) {
            assertEquals(d, method.orbitDistance(new GeometricInput(rotate(x, a), h, null, 5, Map.of()), BACKEND), 1e-12);
        }
    }

    @Test
    void rejectsBadInputsNamingTheArgument() {
        SplittableRandom r = new SplittableRandom(63);
        Tensor x = uniform(r, DType.FLOAT64, 5, 2);
        Tensor h = uniform(r, DType.FLOAT64, 5, 2);
        Object[][] cases = {
            {"coords", new GeometricInput(uniform(r, DType.FLOAT64, 5, 3), h, null, 1, Map.of())},
            {"coords", new GeometricInput(null, h, null, 1, Map.of())},
            {"feats", new GeometricInput(x, uniform(r, DType.FLOAT64, 4, 2), null, 1, Map.of())},
            {"hidden", new GeometricInput(x, h, null, 1, Map.of("hidden", "0"))},
            {"out", new GeometricInput(x, h, null, 1, Map.of("out", "many"))},
        };
        Rejections.assertEachNamesItsArgument(cases, c -> method.apply((GeometricInput) c[1], BACKEND));
        Rejections.assertInputUnchanged(x, () -> method.apply(new GeometricInput(x, h, null, 1, Map.of()), BACKEND));
    }
}

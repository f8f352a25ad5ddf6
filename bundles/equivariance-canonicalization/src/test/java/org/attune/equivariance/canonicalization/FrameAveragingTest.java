package org.attune.equivariance.canonicalization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.attune.api.backend.ComputeBackend;
import org.attune.api.equivariance.EquivarianceCertificate;
import org.attune.api.equivariance.EquivariantMethod;
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
 * Frame Averaging against a float64 transcription (closed-form 3×3 eigendecomposition, the backbone written out
 * node by node, the sum over the sign frames), its E(d) and permutation certificates in float64 (1e-9) and
 * float32 (1e-3), the reduction to the Reynolds average over sign flips for a cloud already in principal axes,
 * the detection of degenerate spectra, and its input checks.
 */
class FrameAveragingTest {
    static final ComputeBackend BACKEND = new JavaBackend();
    static final Map<String, SymmetryGroup> GROUPS = GroupCatalogue.groups();
    final FrameAveraging fa = new FrameAveraging();

    static Tensor uniform(SplittableRandom r, DType dtype, int... shape) {
        Tensor t = Tensor.zeros(DType.FLOAT64, shape);
        for (int i = 0; i < t.size(); i++) {
            t.setFlat(i, r.nextDouble(-1, 1));
        }
        return t.to(dtype);
    }

    static double[][] rows(Tensor t) {
        double[][] a = new double[t.dim(0)][t.dim(1)];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                a[i][j] = t.get(i, j);
            }
        }
        return a;
    }

    static double silu(double x) {
        return x / (1 + Math.exp(-x));
    }

    /** Largest |ref − actual| / max(1, max |ref|). */
    static double maxRelative(double[][] ref, Tensor actual) {
        double err = 0;
        double scale = 1;
        for (int i = 0; i < ref.length; i++) {
            for (int j = 0; j < ref[i].length; j++) {
                err = Math.max(err, Math.abs(ref[i][j] - actual.get(i, j)));
                scale = Math.max(scale, Math.abs(ref[i][j]));
            }
        }
        return err / scale;
    }

    /** φ of PointBackbone written out node by node in float64: {coords, feats}. */
    static double[][][] backbone(PointBackbone w, double[][] c, double[][] h) {
        int n = c.length;
        int d = c[0].length;
        int hid = w.b1().dim(0);
        int out = w.bf().dim(0);
        double[][] a = new double[n][hid];
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < hid; o++) {
                double s = w.b1().get(o);
                for (int k = 0; k < d; k++) {
                    s += c[i][k] * w.wc().get(k, o);
                }
                for (int k = 0; k < h[i].length; k++) {
                    s += h[i][k] * w.wh().get(k, o);
                }
                a[i][o] = silu(s);
            }
        }
        double[] pooled = new double[hid];
        for (double[] ai : a) {
            for (int o = 0; o < hid; o++) {
                pooled[o] += ai[o] / n;
            }
        }
        double[][] coords = new double[n][d];
        double[][] feats = new double[n][out];
        for (int i = 0; i < n; i++) {
            double[] z = new double[hid];
            for (int o = 0; o < hid; o++) {
                double s = w.b2().get(o);
                for (int k = 0; k < hid; k++) {
                    s += a[i][k] * w.wa().get(k, o) + pooled[k] * w.wp().get(k, o);
                }
                z[o] = silu(s);
            }
            for (int o = 0; o < out; o++) {
                double s = w.bf().get(o);
                for (int k = 0; k < hid; k++) {
                    s += z[k] * w.wf().get(k, o);
                }
                feats[i][o] = s;
            }
            for (int o = 0; o < d; o++) {
                double s = c[i][o];
                for (int k = 0; k < hid; k++) {
                    s += z[k] * w.wx().get(k, o);
                }
                coords[i][o] = s;
            }
        }
        return new double[][][] {coords, feats};
    }

    /** Eigenvectors (columns, descending eigenvalues) of a symmetric 3×3 matrix in closed form. */
    static double[][] principalAxes(double[][] m) {
        double p1 = m[0][1] * m[0][1] + m[0][2] * m[0][2] + m[1][2] * m[1][2];
        double q = (m[0][0] + m[1][1] + m[2][2]) / 3;
        double p2 = Math.pow(m[0][0] - q, 2) + Math.pow(m[1][1] - q, 2) + Math.pow(m[2][2] - q, 2) + 2 * p1;
        double p = Math.sqrt(p2 / 6);
        double[][] b = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                b[i][j] = (m[i][j] - (i == j ? q : 0)) / p;
            }
        }
        double r = Math.max(-1, Math.min(1, det(b) / 2));
        double phi = Math.acos(r) / 3;
        double l1 = q + 2 * p * Math.cos(phi);
        double l3 = q + 2 * p * Math.cos(phi + 2 * Math.PI / 3);
        double[] lambdas = {l1, 3 * q - l1 - l3, l3};
        double[][] u = new double[3][3];
        for (int k = 0; k < 3; k++) {
            double[][] a = new double[3][3];
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    a[i][j] = m[i][j] - (i == j ? lambdas[k] : 0);
                }
            }
            double[] best = null;
            double bestNorm = -1;
            for (int[] pair : new int[][] {{0, 1}, {0, 2}, {1, 2}}) {
                double[] v = cross(a[pair[0]], a[pair[1]]);
                double norm = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
                if (norm > bestNorm) {
                    bestNorm = norm;
                    best = new double[] {v[0] / norm, v[1] / norm, v[2] / norm};
                }
            }
            for (int i = 0; i < 3; i++) {
                u[i][k] = best[i];
            }
        }
        return u;
    }

    static double[] cross(double[] a, double[] b) {
        return new double[] {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
    }

    static double det(double[][] m) {
        double[] c = cross(m[1], m[2]);
        return m[0][0] * c[0] + m[0][1] * c[1] + m[0][2] * c[2];
    }

    /** Equations (3)–(4) with the PCA frames of Section 3.3, for d = 3, in float64. */
    static double[][][] reference(double[][] x, double[][] h, PointBackbone w, boolean proper) {
        int n = x.length;
        double[] t = new double[3];
        for (double[] xi : x) {
            for (int a = 0; a < 3; a++) {
                t[a] += xi[a] / n;
            }
        }
        double[][] cov = new double[3][3];
        for (double[] xi : x) {
            for (int a = 0; a < 3; a++) {
                for (int b = 0; b < 3; b++) {
                    cov[a][b] += (xi[a] - t[a]) * (xi[b] - t[b]);
                }
            }
        }
        double[][] u = principalAxes(cov);
        int out = w.bf().dim(0);
        double[][] coords = new double[n][3];
        double[][] feats = new double[n][out];
        int frames = 0;
        for (int s0 = -1; s0 <= 1; s0 += 2) {
            for (int s1 = -1; s1 <= 1; s1 += 2) {
                for (int s2 = -1; s2 <= 1; s2 += 2) {
                    int[] s = {s0, s1, s2};
                    double[][] rot = new double[3][3];
                    for (int a = 0; a < 3; a++) {
                        for (int k = 0; k < 3; k++) {
                            rot[a][k] = u[a][k] * s[k];
                        }
                    }
                    if (proper && det(rot) < 0) {
                        continue;
                    }
                    frames++;
                    double[][] c = new double[n][3];
                    for (int i = 0; i < n; i++) {
                        for (int k = 0; k < 3; k++) {
                            for (int a = 0; a < 3; a++) {
                                c[i][k] += (x[i][a] - t[a]) * rot[a][k];
                            }
                        }
                    }
                    double[][][] y = backbone(w, c, h);
                    for (int i = 0; i < n; i++) {
                        for (int a = 0; a < 3; a++) {
                            double s3 = t[a];
                            for (int k = 0; k < 3; k++) {
                                s3 += rot[a][k] * y[0][i][k];
                            }
                            coords[i][a] += s3;
                        }
                        for (int o = 0; o < out; o++) {
                            feats[i][o] += y[1][i][o];
                        }
                    }
                }
            }
        }
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < 3; a++) {
                coords[i][a] /= frames;
            }
            for (int o = 0; o < out; o++) {
                feats[i][o] /= frames;
            }
        }
        return new double[][][] {coords, feats};
    }

    @Test
    void matchesTheFloat64TranscriptionWithAllAndWithProperFrames() {
        SplittableRandom r = new SplittableRandom(11);
        for (String group : List.of("O", "SO")) {
            for (int trial = 0; trial < 3; trial++) {
                Tensor x = uniform(r, DType.FLOAT64, 9, 3);
                Tensor h = uniform(r, DType.FLOAT64, 9, 4);
                Map<String, String> p = Map.of("group", group, "hidden", "6", "out", "2");
                double[][][] ref = reference(rows(x), rows(h), PointBackbone.init(5, 3, 4, 6, 2), group.equals("SO"));
                GeometricOutput f64 = fa.apply(new GeometricInput(x, h, null, 5, p), BACKEND);
                assertTrue(maxRelative(ref[0], f64.coords()) < 1e-10, group + " coords " + maxRelative(ref[0], f64.coords()));
                assertTrue(maxRelative(ref[1], f64.feats()) < 1e-10, group + " feats " + maxRelative(ref[1], f64.feats()));
                GeometricOutput f32 = fa.apply(new GeometricInput(x.to(DType.FLOAT32), h.to(DType.FLOAT32), null, 5, p),
                    BACKEND);
                assertEquals(DType.FLOAT32, f32.feats().dtype());
                assertTrue(maxRelative(ref[0], f32.coords()) < 1e-4 && maxRelative(ref[1], f32.feats()) < 1e-4);
            }
        }
    }

    @Test
    void isEuclideanInvariantAndEquivariantAndPermutationEquivariant() {
        for (String id : List.of("E(2)", "E(3)", "O(3)", "SE(3)", "E(5)", "S_n")) {
            for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
                List<EquivarianceCertificate.Finding> f = EquivarianceCertificate.certify(fa,
                    id.equals("S_n") ? "permutation:nodes" : id, GROUPS.get(id), Map.of("hidden", "8"), dtype, 6, 3,
                    BACKEND);
                assertEquals(2, f.size());
                for (EquivarianceCertificate.Finding x : f) {
                    assertTrue(x.holds(), id + " " + dtype + ": " + x);
                }
            }
        }
    }

    @Test
    void properFramesAreRotationButNotReflectionEquivariant() {
        Map<String, String> p = Map.of("hidden", "8", "group", "SO");
        for (String id : List.of("SO(3)", "SE(3)")) {
            for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
                for (EquivarianceCertificate.Finding x : EquivarianceCertificate.certify(fa, id, GROUPS.get(id), p,
                        dtype, 6, 4, BACKEND)) {
                    assertTrue(x.holds(), id + " " + dtype + ": " + x);
                }
            }
        }
        List<EquivarianceCertificate.Finding> o3 = EquivarianceCertificate.certify(fa, "O(3)", GROUPS.get("O(3)"), p,
            DType.FLOAT64, 8, 4, BACKEND);
        assertTrue(o3.stream().anyMatch(x -> !x.holds()), o3.toString());
    }

    @Test
    void theBackboneAloneIsNotEquivariantSoTheAveragingIsWhatCertifies() {
        EquivariantMethod raw = (in, backend) -> {
            Tensor[] y = PointBackbone.init(in.seed(), 3, in.feats().dim(1), 8, in.feats().dim(1))
                .apply(backend, in.coords(), in.feats());
            return new GeometricOutput(y[0], y[1]);
        };
        List<EquivarianceCertificate.Finding> f = EquivarianceCertificate.certify(raw, "E(3)", GROUPS.get("E(3)"),
            Map.of(), DType.FLOAT64, 6, 3, BACKEND);
        assertTrue(f.stream().noneMatch(EquivarianceCertificate.Finding::holds), f.toString());
    }

    @Test
    void reducesToTheSignFlipAverageForACloudInPrincipalAxes() {
        // centred, covariance diag(2·9, 2·4, 2·1): U = I, so F(X) = {(S, 0)} and the output is the Reynolds
        // average over the sign group {S}: feats = (1/8) Σ_S φ_feats(X·S), coords = (1/8) Σ_S φ_coords(X·S)·S
        double[][] pts = {{3, 0, 0}, {-3, 0, 0}, {0, 2, 0}, {0, -2, 0}, {0, 0, 1}, {0, 0, -1}};
        Tensor x = Tensor.zeros(DType.FLOAT64, 6, 3);
        for (int i = 0; i < 6; i++) {
            for (int a = 0; a < 3; a++) {
                x.set(pts[i][a], i, a);
            }
        }
        Tensor h = uniform(new SplittableRandom(4), DType.FLOAT64, 6, 2);
        PointBackbone w = PointBackbone.init(9, 3, 2, 5, 3);
        double[][] coords = new double[6][3];
        double[][] feats = new double[6][3];
        for (int mask = 0; mask < 8; mask++) {
            double[] s = {(mask & 1) == 0 ? 1 : -1, (mask & 2) == 0 ? 1 : -1, (mask & 4) == 0 ? 1 : -1};
            double[][] c = new double[6][3];
            for (int i = 0; i < 6; i++) {
                for (int a = 0; a < 3; a++) {
                    c[i][a] = pts[i][a] * s[a];
                }
            }
            double[][][] y = backbone(w, c, rows(h));
            for (int i = 0; i < 6; i++) {
                for (int a = 0; a < 3; a++) {
                    coords[i][a] += y[0][i][a] * s[a] / 8;
                    feats[i][a] += y[1][i][a] / 8;
                }
            }
        }
        GeometricOutput out = fa.apply(new GeometricInput(x, h, null, 9, Map.of("hidden", "5", "out", "3")), BACKEND);
        assertTrue(maxRelative(coords, out.coords()) < 1e-12, "coords " + maxRelative(coords, out.coords()));
        assertTrue(maxRelative(feats, out.feats()) < 1e-12, "feats " + maxRelative(feats, out.feats()));
    }

    @Test
    void framesAreAllSignPatternsOfThePrincipalAxesAndTheProperHalf() {
        Tensor x = uniform(new SplittableRandom(8), DType.FLOAT64, 10, 3);
        PrincipalFrames frames = PrincipalFrames.of(x, 1e-6);
        assertEquals(8, frames.rotations(false).size());
        List<Tensor> proper = frames.rotations(true);
        assertEquals(4, proper.size());
        for (Tensor r : proper) {
            double[][] m = rows(r);
            assertEquals(1, det(m), 1e-12);
            for (int a = 0; a < 3; a++) {
                for (int b = 0; b < 3; b++) {
                    double dot = m[0][a] * m[0][b] + m[1][a] * m[1][b] + m[2][a] * m[2][b];
                    assertEquals(a == b ? 1 : 0, dot, 1e-12);
                }
            }
        }
        double[] l = frames.eigenvalues();
        assertTrue(l[0] > l[1] && l[1] > l[2], java.util.Arrays.toString(l));
        assertEquals(16, PrincipalFrames.of(uniform(new SplittableRandom(8), DType.FLOAT64, 10, 4), 1e-6)
            .rotations(false).size());
    }

    @Test
    void rejectsDegenerateSpectraNamingTheCoordinates() {
        double[][][] clouds = {
            {{1, 1, 1}, {1, 1, -1}, {1, -1, 1}, {1, -1, -1}, {-1, 1, 1}, {-1, 1, -1}, {-1, -1, 1}, {-1, -1, -1}}, // cube: C ∝ I
            {{0, 0, 0}, {1, 2, 3}, {2, 4, 6}, {-1, -2, -3}},                                                   // collinear: λ_2 = λ_3 = 0
            {{2, 0, 0}, {-2, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}},                             // λ_2 = λ_3
            {{1, 2, 3}, {1, 2, 3}},                                                                            // one point: C = 0
            {{0.5, -1, 2}},
        };
        for (double[][] cloud : clouds) {
            Tensor x = Tensor.zeros(DType.FLOAT64, cloud.length, 3);
            for (int i = 0; i < cloud.length; i++) {
                for (int a = 0; a < 3; a++) {
                    x.set(cloud[i][a], i, a);
                }
            }
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> fa.apply(
                new GeometricInput(x, Tensor.zeros(DType.FLOAT64, cloud.length, 2), null, 1, Map.of()), BACKEND));
            assertEquals("coords", e.argument());
        }
        // a 1e-3 relative gap passes by default and is rejected when the stated threshold is above it
        double[][] near = {{1, 0, 0}, {-1, 0, 0}, {0, Math.sqrt(0.999), 0}, {0, -Math.sqrt(0.999), 0}, {0, 0, 0.5},
            {0, 0, -0.5}};
        Tensor x = Tensor.zeros(DType.FLOAT64, 6, 3);
        for (int i = 0; i < 6; i++) {
            for (int a = 0; a < 3; a++) {
                x.set(near[i][a], i, a);
            }
        }
        Tensor h = Tensor.zeros(DType.FLOAT64, 6, 1);
        fa.apply(new GeometricInput(x, h, null, 1, Map.of()), BACKEND);
        InvalidInputException e = assertThrows(InvalidInputException.class,
            () -> fa.apply(new GeometricInput(x, h, null, 1, Map.of("gap", "2e-3")), BACKEND));
        assertEquals("coords", e.argument());
    }

    @Test
    void rejectsBadInputsNamingTheArgument() {
        SplittableRandom r = new SplittableRandom(1);
        Tensor x = uniform(r, DType.FLOAT64, 6, 3);
        Tensor h = uniform(r, DType.FLOAT64, 6, 2);
        Object[][] cases = {
            {"coords", new GeometricInput(uniform(r, DType.FLOAT64, 6), h, null, 1, Map.of())},
            {"coords", new GeometricInput(uniform(r, DType.FLOAT64, 12, 11), uniform(r, DType.FLOAT64, 12, 2), null, 1, Map.of())},
            {"feats", new GeometricInput(x, uniform(r, DType.FLOAT64, 5, 2), null, 1, Map.of())},
            {"feats", new GeometricInput(x, h.to(DType.FLOAT32), null, 1, Map.of())},
            {"group", new GeometricInput(x, h, null, 1, Map.of("group", "E"))},
            {"hidden", new GeometricInput(x, h, null, 1, Map.of("hidden", "0"))},
            {"out", new GeometricInput(x, h, null, 1, Map.of("out", "x"))},
            {"gap", new GeometricInput(x, h, null, 1, Map.of("gap", "1.5"))},
        };
        Rejections.assertEachNamesItsArgument(cases, c -> fa.apply((GeometricInput) c[1], BACKEND));
        Rejections.assertInputUnchanged(x, () -> fa.apply(new GeometricInput(x, h, null, 1, Map.of()), BACKEND));
    }
}

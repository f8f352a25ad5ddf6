package org.attune.equivariance.canonicalization;

import static org.attune.equivariance.canonicalization.FrameAveragingTest.maxRelative;
import static org.attune.equivariance.canonicalization.FrameAveragingTest.rows;
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
import org.attune.api.equivariance.GroupElement;
import org.attune.api.equivariance.SymmetryGroup;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.attune.backend.java.JavaBackend;
import org.attune.symmetry.GroupCatalogue;
import org.junit.jupiter.api.Test;

/**
 * RotaTouille against a float64 transcription in complex arithmetic (double[n][c] = {re, im}), its SO(2)
 * certificate in float64 (1e-9) and float32 (1e-3), the failed O(2) certificate (reflections are not a symmetry),
 * cyclic shifts of the starting point and translations checked directly, the invariant read-out under all three,
 * the properties of modReLU, and the input checks.
 */
class RotaTouilleTest {
    static final ComputeBackend BACKEND = new JavaBackend();
    static final Map<String, SymmetryGroup> GROUPS = GroupCatalogue.groups();
    final RotaTouille rota = new RotaTouille();

    // ------------------------------------------------------------------------ float64 complex transcription

    static double[][][] centre(double[][][] z) {
        int n = z.length;
        double[][][] out = new double[n][z[0].length][2];
        for (int c = 0; c < z[0].length; c++) {
            double mr = 0;
            double mi = 0;
            for (double[][] zn : z) {
                mr += zn[c][0] / n;
                mi += zn[c][1] / n;
            }
            for (int i = 0; i < n; i++) {
                out[i][c][0] = z[i][c][0] - mr;
                out[i][c][1] = z[i][c][1] - mi;
            }
        }
        return out;
    }

    /** y_o[n] = Σ_j Σ_c z_c[(n + j − p) mod N]·W_j[c, o], complex product. */
    static double[][][] conv(double[][][] z, Tensor[][] w) {
        int n = z.length;
        int k = w[0].length;
        int p = (k - 1) / 2;
        int out = w[0][0].dim(1);
        double[][][] y = new double[n][out][2];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                double[][] src = z[Math.floorMod(i + j - p, n)];
                for (int c = 0; c < src.length; c++) {
                    for (int o = 0; o < out; o++) {
                        double wr = w[0][j].get(c, o);
                        double wi = w[1][j].get(c, o);
                        y[i][o][0] += src[c][0] * wr - src[c][1] * wi;
                        y[i][o][1] += src[c][0] * wi + src[c][1] * wr;
                    }
                }
            }
        }
        return y;
    }

    /** ReLU(|z| + b)·z/|z|, 0 at z = 0. */
    static double[] modRelu(double re, double im, double b) {
        double m = Math.hypot(re, im);
        if (m == 0) {
            return new double[] {0, 0};
        }
        double g = Math.max(m + b, 0) / m;
        return new double[] {re * g, im * g};
    }

    /** h^L of the stack, from the contour rows x [N][2]. */
    static double[][][] features(ContourLayers w, double[][] x) {
        double[][][] h = new double[x.length][1][];
        for (int i = 0; i < x.length; i++) {
            h[i][0] = new double[] {x[i][0], x[i][1]};
        }
        for (int l = 0; l < w.blocks().size(); l++) {
            h = conv(centre(h), w.blocks().get(l));
            for (double[][] hn : h) {
                for (int c = 0; c < hn.length; c++) {
                    hn[c] = modRelu(hn[c][0], hn[c][1], w.biases().get(l).get(c));
                }
            }
        }
        return h;
    }

    /** {coords [N][2], feats [N][C], pooled [1][C]} in float64. */
    static double[][][] reference(double[][] x, long seed, int layers, int channels, int kernel) {
        ContourLayers w = ContourLayers.init(seed, layers, channels, kernel);
        double[][][] h = features(w, x);
        double[][][] y = conv(centre(h), w.head());
        double mx = 0;
        double my = 0;
        for (double[] xi : x) {
            mx += xi[0] / x.length;
            my += xi[1] / x.length;
        }
        double[][] coords = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            coords[i] = new double[] {y[i][0][0] + mx, y[i][0][1] + my};
        }
        double[][][] hc = centre(h);
        double[][] feats = new double[x.length][channels];
        double[] mean = new double[channels];
        double[] max = new double[channels];
        java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
        for (int i = 0; i < x.length; i++) {
            for (int c = 0; c < channels; c++) {
                feats[i][c] = Math.hypot(hc[i][c][0], hc[i][c][1]);
                mean[c] += feats[i][c] / x.length;
                max[c] = Math.max(max[c], feats[i][c]);
            }
        }
        double a = 1 / (1 + Math.exp(-1));
        double[] pooled = new double[channels];
        for (int c = 0; c < channels; c++) {
            pooled[c] = a * mean[c] + (1 - a) * max[c];
        }
        return new double[][][] {coords, feats, {pooled}};
    }

    // ------------------------------------------------------------------------ tests

    @Test
    void matchesTheFloat64Transcription() {
        SplittableRandom r = new SplittableRandom(31);
        int[][] shapes = {{13, 4, 2, 3}, {8, 3, 1, 5}, {5, 2, 3, 7}, {1, 2, 1, 3}, {16, 6, 2, 1}};
        for (int[] s : shapes) {
            Tensor x = uniform(r, DType.FLOAT64, s[0], 2);
            Tensor h = uniform(r, DType.FLOAT64, s[0], 3);
            Map<String, String> p = Map.of("channels", "" + s[1], "layers", "" + s[2], "kernel", "" + s[3]);
            double[][][] ref = reference(rows(x), 7, s[2], s[1], s[3]);
            GeometricOutput f64 = rota.apply(new GeometricInput(x, h, null, 7, p), BACKEND);
            Tensor pooled = rota.pooled(new GeometricInput(x, h, null, 7, p), BACKEND).reshape(1, s[1]);
            assertTrue(maxRelative(ref[0], f64.coords()) < 1e-12, "coords " + maxRelative(ref[0], f64.coords()));
            assertTrue(maxRelative(ref[1], f64.feats()) < 1e-12, "feats " + maxRelative(ref[1], f64.feats()));
            assertTrue(maxRelative(ref[2], pooled) < 1e-12, "pooled " + maxRelative(ref[2], pooled));
            GeometricOutput f32 = rota.apply(new GeometricInput(x.to(DType.FLOAT32), h.to(DType.FLOAT32), null, 7, p),
                BACKEND);
            assertEquals(DType.FLOAT32, f32.coords().dtype());
            assertTrue(maxRelative(ref[0], f32.coords()) < 1e-5 && maxRelative(ref[1], f32.feats()) < 1e-5,
                "f32 " + maxRelative(ref[0], f32.coords()) + " " + maxRelative(ref[1], f32.feats()));
        }
    }

    @Test
    void isRotationEquivariantAndNotReflectionEquivariant() {
        for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
            for (String id : List.of("SO(2)", "C_8")) {
                for (EquivarianceCertificate.Finding f : EquivarianceCertificate.certify(rota, id, GROUPS.get(id),
                    Map.of(), dtype, 8, 11, BACKEND)) {
                    assertTrue(f.holds(), id + " " + dtype + ": " + f);
                }
            }
        }
        // complex weights do not commute with conjugation: the certifier must see the reflections of O(2)
        List<EquivarianceCertificate.Finding> o2 = EquivarianceCertificate.certify(rota, "O(2)", GROUPS.get("O(2)"),
            Map.of(), DType.FLOAT64, 8, 11, BACKEND);
        assertTrue(o2.stream().anyMatch(f -> !f.holds()), "O(2): " + o2);
    }

    @Test
    void isEquivariantToTheStartingPointAndToTranslationsAndThePooledReadOutIsInvariant() {
        SymmetryGroup shifts = GROUPS.get("Z_N");
        SplittableRandom r = new SplittableRandom(8);
        Map<String, String> p = Map.of("channels", "5", "kernel", "5", "layers", "3");
        for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
            double tol = EquivarianceCertificate.tolerance(dtype);
            for (int trial = 0; trial < 4; trial++) {
                Tensor x = uniform(r, dtype, 11, 2);
                Tensor h = uniform(r, dtype, 11, 1);
                GeometricInput plainIn = new GeometricInput(x, h, null, 4, p);
                GeometricOutput plain = rota.apply(plainIn, BACKEND);
                Tensor pooled = rota.pooled(plainIn, BACKEND);

                GroupElement s = shifts.sample(r);
                GeometricInput rolledIn = new GeometricInput(shifts.act(s, SymmetryGroup.SEQUENCE, x), h, null, 4, p);
                GeometricOutput rolled = rota.apply(rolledIn, BACKEND);
                assertClose(shifts.act(s, SymmetryGroup.SEQUENCE, plain.coords()), rolled.coords(), tol, "rolled coords");
                assertClose(shifts.act(s, SymmetryGroup.SEQUENCE, plain.feats()), rolled.feats(), tol, "rolled feats");
                assertClose(pooled, rota.pooled(rolledIn, BACKEND), tol, "pooled under a roll");

                double tx = r.nextDouble(-3, 3);
                double ty = r.nextDouble(-3, 3);
                Tensor moved = x.copy();
                Tensor expected = plain.coords().copy();
                for (int i = 0; i < 11; i++) {
                    moved.set(x.get(i, 0) + tx, i, 0);
                    moved.set(x.get(i, 1) + ty, i, 1);
                    expected.set(plain.coords().get(i, 0) + tx, i, 0);
                    expected.set(plain.coords().get(i, 1) + ty, i, 1);
                }
                GeometricInput movedIn = new GeometricInput(moved, h, null, 4, p);
                GeometricOutput translated = rota.apply(movedIn, BACKEND);
                // a translation by up to 3 perturbs the centred input by ~3·ε in float32
                double ttol = 4 * tol;
                assertClose(expected, translated.coords(), ttol, "translated coords");
                assertClose(plain.feats(), translated.feats(), ttol, "translated feats");
                assertClose(pooled, rota.pooled(movedIn, BACKEND), ttol, "pooled under a translation");

                GroupElement g = GROUPS.get("SO(2)").sample(r);
                GeometricInput turnedIn = new GeometricInput(GROUPS.get("SO(2)").act(g, SymmetryGroup.POINTS, x), h, null,
                    4, p);
                assertClose(pooled, rota.pooled(turnedIn, BACKEND), tol, "pooled under a rotation");
            }
        }
    }

    @Test
    void modReluScalesTheModulusAndKeepsThePhase() {
        SplittableRandom r = new SplittableRandom(2);
        Tensor re = uniform(r, DType.FLOAT64, 9, 4);
        Tensor im = uniform(r, DType.FLOAT64, 9, 4);
        re.set(0, 0, 0);
        im.set(0, 0, 0);
        Tensor b = Tensor.of(new double[] {0, 0.3, -0.4, -2}, 4);
        ContourLayers.Complex out = ContourLayers.modRelu(BACKEND, new ContourLayers.Complex(re, im), b);
        for (int i = 0; i < 9; i++) {
            for (int c = 0; c < 4; c++) {
                double m = Math.hypot(re.get(i, c), im.get(i, c));
                double om = Math.hypot(out.re().get(i, c), out.im().get(i, c));
                // |modReLU(z)| = ReLU(|z| + b); b = 0 is the identity; b ≤ −|z| gives 0; z = 0 gives 0
                assertEquals(m == 0 ? 0 : Math.max(m + b.get(c), 0), om, 1e-15);
                if (c == 0) {
                    assertEquals(re.get(i, c), out.re().get(i, c), 1e-15);
                    assertEquals(im.get(i, c), out.im().get(i, c), 1e-15);
                }
                if (om > 0) {
                    // the phase is kept: z̄·modReLU(z) is real and positive
                    double cross = re.get(i, c) * out.im().get(i, c) - im.get(i, c) * out.re().get(i, c);
                    double dot = re.get(i, c) * out.re().get(i, c) + im.get(i, c) * out.im().get(i, c);
                    assertEquals(0, cross, 1e-15);
                    assertTrue(dot > 0);
                }
            }
        }
        // it commutes with z ↦ e^{iθ}z
        double th = 0.7;
        Tensor rr = re.copy();
        Tensor ri = im.copy();
        for (int i = 0; i < re.size(); i++) {
            rr.setFlat(i, Math.cos(th) * re.getFlat(i) - Math.sin(th) * im.getFlat(i));
            ri.setFlat(i, Math.sin(th) * re.getFlat(i) + Math.cos(th) * im.getFlat(i));
        }
        ContourLayers.Complex turned = ContourLayers.modRelu(BACKEND, new ContourLayers.Complex(rr, ri), b);
        for (int i = 0; i < re.size(); i++) {
            assertEquals(Math.cos(th) * out.re().getFlat(i) - Math.sin(th) * out.im().getFlat(i), turned.re().getFlat(i), 1e-15);
            assertEquals(Math.sin(th) * out.re().getFlat(i) + Math.cos(th) * out.im().getFlat(i), turned.im().getFlat(i), 1e-15);
        }
    }

    @Test
    void aStackWithZeroBiasesIsTheComposedLinearMap() {
        // modReLU_0 is the identity, so one block with b = 0 is conv(centre(z)): check against conv alone
        SplittableRandom r = new SplittableRandom(4);
        Tensor x = uniform(r, DType.FLOAT64, 6, 2);
        ContourLayers w = ContourLayers.init(3, 1, 3, 3);
        ContourLayers linear = new ContourLayers(w.blocks(), List.of(Tensor.zeros(DType.FLOAT64, 3)), w.head());
        Tensor re = Tensor.zeros(DType.FLOAT64, 6, 1);
        Tensor im = Tensor.zeros(DType.FLOAT64, 6, 1);
        for (int i = 0; i < 6; i++) {
            re.set(x.get(i, 0), i, 0);
            im.set(x.get(i, 1), i, 0);
        }
        ContourLayers.Complex h = linear.features(BACKEND, new ContourLayers.Complex(re, im));
        double[][][] zz = new double[6][1][];
        for (int i = 0; i < 6; i++) {
            zz[i][0] = new double[] {x.get(i, 0), x.get(i, 1)};
        }
        double[][][] expected = conv(centre(zz), w.blocks().get(0));
        for (int i = 0; i < 6; i++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(expected[i][c][0], h.re().get(i, c), 1e-15);
                assertEquals(expected[i][c][1], h.im().get(i, c), 1e-15);
            }
        }
    }

    @Test
    void rejectsBadInputsNamingTheArgument() {
        SplittableRandom r = new SplittableRandom(1);
        Tensor x = uniform(r, DType.FLOAT64, 5, 2);
        Tensor h = uniform(r, DType.FLOAT64, 5, 2);
        Object[][] cases = {
            {"coords", new GeometricInput(uniform(r, DType.FLOAT64, 5, 3), h, null, 1, Map.of())},
            {"feats", new GeometricInput(x, uniform(r, DType.FLOAT64, 4, 2), null, 1, Map.of())},
            {"kernel", new GeometricInput(x, h, null, 1, Map.of("kernel", "4"))},
            {"channels", new GeometricInput(x, h, null, 1, Map.of("channels", "0"))},
            {"layers", new GeometricInput(x, h, null, 1, Map.of("layers", "x"))},
        };
        Rejections.assertEachNamesItsArgument(cases, c -> rota.apply((GeometricInput) c[1], BACKEND));
        Rejections.assertInputUnchanged(x, () -> rota.apply(new GeometricInput(x, h, null, 1, Map.of()), BACKEND));
    }

    static void assertClose(Tensor expected, Tensor actual, double tol, String what) {
        assertEquals(expected.size(), actual.size(), what);
        double scale = 1;
        for (int i = 0; i < expected.size(); i++) {
            scale = Math.max(scale, Math.abs(expected.getFlat(i)));
        }
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.getFlat(i), actual.getFlat(i), tol * scale, what + " at " + i);
        }
    }
}

package org.attune.equivariance.canonicalization;

import static org.attune.equivariance.canonicalization.FrameAveragingTest.BACKEND;
import static org.attune.equivariance.canonicalization.FrameAveragingTest.GROUPS;
import static org.attune.equivariance.canonicalization.FrameAveragingTest.silu;
import static org.attune.equivariance.canonicalization.FrameAveragingTest.uniform;
import static org.attune.equivariance.canonicalization.PolyphaseAnchoringTest.cube;
import static org.attune.equivariance.canonicalization.PolyphaseAnchoringTest.maxRelative;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import org.attune.api.equivariance.GeometricInput;
import org.attune.api.equivariance.GeometricOutput;
import org.attune.api.equivariance.GroupElement;
import org.attune.api.equivariance.SymmetryGroup;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Image canonicalization against a float64 transcription (circular convolutions, scores over the quarter turns,
 * argmax, backbone at the canonical pose, turned back), its C_4 equivariance and invariance on square images under
 * the symmetry bundle's image action (f(g·x) against g·f(x), exact in float64 and float32), the half turn of
 * non-square images, the failure of the bare backbone and of reflections, the cyclic shift of the scores, ties, and its
 * input checks.
 */
class ImageCanonicalizationTest {
    static final SymmetryGroup C4 = GROUPS.get("C_4");
    final ImageCanonicalization canon = new ImageCanonicalization();

    /** One counter-clockwise quarter turn by the definition, q times: out[i][j] = x[j][W−1−i] (NumPy's rot90). */
    static double[][][] rot90(double[][][] x, int q) {
        for (int r = 0; r < Math.floorMod(q, 4); r++) {
            int h = x[0].length;
            int w = x[0][0].length;
            double[][][] y = new double[x.length][w][h];
            for (int c = 0; c < x.length; c++) {
                for (int i = 0; i < w; i++) {
                    for (int j = 0; j < h; j++) {
                        y[c][i][j] = x[c][j][w - 1 - i];
                    }
                }
            }
            x = y;
        }
        return x;
    }

    /** y[e][i][j] = b[e] + Σ_{c,u,v} W[(c·3 + u)·3 + v][e]·x[c][(i + u − 1) mod H][(j + v − 1) mod W]. */
    static double[][][] conv3(ImageConv conv, double[][][] x) {
        int h = x[0].length;
        int w = x[0][0].length;
        int out = conv.weight().dim(1);
        double[][][] y = new double[out][h][w];
        for (int e = 0; e < out; e++) {
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    double s = conv.bias().get(e, 0);
                    for (int c = 0; c < x.length; c++) {
                        for (int u = 0; u < 3; u++) {
                            for (int v = 0; v < 3; v++) {
                                s += conv.weight().get((c * 3 + u) * 3 + v, e) * x[c][Math.floorMod(i + u - 1, h)][Math.floorMod(j + v - 1, w)];
                            }
                        }
                    }
                    y[e][i][j] = s;
                }
            }
        }
        return y;
    }

    static double[][][] silu3(double[][][] x) {
        double[][][] y = new double[x.length][x[0].length][x[0][0].length];
        for (int c = 0; c < x.length; c++) {
            for (int i = 0; i < x[0].length; i++) {
                for (int j = 0; j < x[0][0].length; j++) {
                    y[c][i][j] = silu(x[c][i][j]);
                }
            }
        }
        return y;
    }

    /** s_k = w_3 · mean SiLU(conv(r^{−k} x)) over the admissible turns, −∞ elsewhere. */
    static double[] scores(QuarterTurnScorer w, double[][][] x) {
        double[] s = {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
        boolean square = x[0].length == x[0][0].length;
        for (int k = 0; k < 4; k += square ? 1 : 2) {
            double[][][] a = silu3(conv3(w.conv(), rot90(x, -k)));
            int pixels = a[0].length * a[0][0].length;
            s[k] = 0;
            for (int e = 0; e < a.length; e++) {
                double mean = 0;
                for (double[] row : a[e]) {
                    for (double v : row) {
                        mean += v / pixels;
                    }
                }
                s[k] += w.w3().get(e, 0) * mean;
            }
        }
        return s;
    }

    /** Equations (1)–(2) of Kaba et al. for images, in float64. */
    static double[][][] reference(double[][][] x, long seed, int hidden, int out, boolean invariant) {
        double[] s = scores(QuarterTurnScorer.init(seed ^ ImageCanonicalization.SCORER_SEED, x.length, hidden), x);
        int k = 0;
        for (int j = 1; j < 4; j++) {
            k = s[j] > s[k] ? j : k;
        }
        ImageBackbone phi = ImageBackbone.init(seed, x.length, hidden, out);
        double[][][] y = conv3(phi.second(), silu3(conv3(phi.first(), rot90(x, -k))));
        return invariant ? y : rot90(y, k);
    }

    GeometricOutput run(Tensor image, long seed, Map<String, String> params) {
        return canon.apply(new GeometricInput(null, image, null, seed, params), BACKEND);
    }

    @Test
    void matchesTheFloat64Transcription() {
        SplittableRandom r = new SplittableRandom(51);
        int[][] shapes = {{3, 6, 6}, {2, 5, 7}, {1, 4, 4}};
        for (int[] shape : shapes) {
            for (boolean invariant : new boolean[] {false, true}) {
                Map<String, String> p = Map.of("hidden", "5", "out", "2", "invariant", "" + invariant);
                Tensor x = uniform(r, DType.FLOAT64, shape);
                GeometricOutput f64 = run(x, 17, p);
                assertNull(f64.coords());
                assertArrayEquals(new int[] {2, shape[1], shape[2]}, f64.feats().shape());
                double e64 = maxRelative(reference(cube(x), 17, 5, 2, invariant), f64.feats());
                assertTrue(e64 < 1e-12, "f64 " + e64);
                Tensor x32 = x.to(DType.FLOAT32);
                double e32 = maxRelative(reference(cube(x32), 17, 5, 2, invariant), run(x32, 17, p).feats());
                assertTrue(e32 < 1e-5, "f32 " + e32);
            }
        }
    }

    /** The certifier's error, max |f(g·x) − g·f(x)| / max(1, max |g·f(x)|), on square images [3, 6, 6]. */
    double imageError(SymmetryGroup group, DType dtype, boolean invariant, int trials, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, String> p = Map.of("invariant", "" + invariant);
        double worst = 0;
        for (int t = 0; t < trials; t++) {
            GroupElement g = group.sample(r);
            Tensor x = uniform(r, DType.FLOAT64, 3, 6, 6);
            Tensor plain = run(x.to(dtype), 2, p).feats().to(DType.FLOAT64);
            Tensor moved = run(group.act(g, SymmetryGroup.IMAGE, x).to(dtype), 2, p).feats();
            worst = Math.max(worst, maxRelative(cube(invariant ? plain : group.act(g, SymmetryGroup.IMAGE, plain)), moved));
        }
        return worst;
    }

    @Test
    void isExactlyC4EquivariantAndInvariantOnSquareImages() {
        for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
            assertEquals(0, imageError(C4, dtype, false, 12, 5), "equivariant " + dtype);
            assertEquals(0, imageError(C4, dtype, true, 12, 6), "invariant " + dtype);
            assertEquals(0, imageError(GROUPS.get("C_2"), dtype, false, 6, 7), "C_2 " + dtype);
        }
    }

    @Test
    void theSharedCertifierHoldsTheDeclaredClaims() {
        for (String claim : List.of("C_4(feats=image)", "C_2(feats=image)")) {
            for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
                for (org.attune.api.equivariance.EquivarianceCertificate.Finding f
                        : org.attune.api.equivariance.EquivarianceCertificate.certify(new ImageCanonicalization(), claim,
                            GROUPS.get(org.attune.api.equivariance.EquivarianceCertificate.groupId(claim)), Map.of(),
                            dtype, 12, 9, BACKEND)) {
                    assertTrue(f.holds(), claim + " " + dtype + ": " + f);
                    assertEquals(0, f.error(), claim + " " + dtype + " is exact");
                }
            }
        }
    }

    @Test
    void isHalfTurnEquivariantOnNonSquareImages() {
        // the half turn by its definition, independent of the symmetry bundle's image action
        SplittableRandom r = new SplittableRandom(55);
        for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
            for (boolean invariant : new boolean[] {false, true}) {
                Map<String, String> p = Map.of("invariant", "" + invariant);
                Tensor x = uniform(r, DType.FLOAT64, 2, 7, 5);
                double[][][] turned = rot90(cube(x), 2);
                Tensor moved = Tensor.zeros(DType.FLOAT64, 2, 7, 5);
                for (int i = 0; i < moved.size(); i++) {
                    moved.setFlat(i, turned[i / 35][i / 5 % 7][i % 5]);
                }
                double[][][] plain = cube(run(x.to(dtype), 4, p).feats());
                assertEquals(0, maxRelative(invariant ? plain : rot90(plain, 2), run(moved.to(dtype), 4, p).feats()),
                    dtype + " invariant=" + invariant);
            }
        }
    }

    @Test
    void neitherTheBareBackboneNorReflectionsAreCovered() {
        // negative controls: φ alone is not C_4-equivariant, and the C_4 canonicalizer does not undo a flip
        SplittableRandom r = new SplittableRandom(52);
        Tensor x = uniform(r, DType.FLOAT64, 3, 6, 6);
        ImageBackbone phi = ImageBackbone.init(2, 3, 8, 3);
        GroupElement quarter = null;
        while (quarter == null || C4.act(quarter, SymmetryGroup.IMAGE, x).contentEquals(x)) {
            quarter = C4.sample(r);
        }
        Tensor turned = phi.apply(BACKEND, new Image(C4.act(quarter, SymmetryGroup.IMAGE, x))).data();
        Tensor expected = C4.act(quarter, SymmetryGroup.IMAGE, phi.apply(BACKEND, new Image(x)).data());
        assertTrue(maxRelative(cube(expected), turned) > 1e-2);
        assertTrue(imageError(GROUPS.get("D_4"), DType.FLOAT64, true, 12, 8) > 1e-2);
    }

    @Test
    void turningTheImageShiftsTheScoresCyclically() {
        SplittableRandom r = new SplittableRandom(53);
        Tensor x = uniform(r, DType.FLOAT64, 2, 5, 5);
        QuarterTurnScorer w = QuarterTurnScorer.init(4, 2, 6);
        double[] s = w.scores(BACKEND, new Image(x));
        for (int j = 0; j < 4; j++) {
            double[] moved = w.scores(BACKEND, new Image(x).rot90(j));
            for (int k = 0; k < 4; k++) {
                assertEquals(s[Math.floorMod(k - j, 4)], moved[k], 0);
            }
        }
        // a non-square image has the half turn only
        double[] half = w.scores(BACKEND, new Image(uniform(r, DType.FLOAT64, 2, 4, 6)));
        assertTrue(half[1] == Double.NEGATIVE_INFINITY && half[3] == Double.NEGATIVE_INFINITY && half[0] > half[1]);
    }

    @Test
    void breaksExactTiesByTheLowestTurn() {
        // an image with the full C_4 symmetry: the four scores are exactly equal, k* = 0 and out = φ(x)
        Tensor x = Tensor.zeros(DType.FLOAT64, 1, 4, 4);
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                x.set(Math.min(Math.min(i, 3 - i), Math.min(j, 3 - j)) + 0.25, 0, i, j);
            }
        }
        double[] s = QuarterTurnScorer.init(3 ^ ImageCanonicalization.SCORER_SEED, 1, 8).scores(BACKEND, new Image(x));
        assertTrue(s[0] == s[1] && s[1] == s[2] && s[2] == s[3]);
        assertEquals(0, ImageCanonicalization.canonicalTurn(s));
        Tensor phi = ImageBackbone.init(3, 1, 8, 1).apply(BACKEND, new Image(x)).data();
        assertTrue(phi.contentEquals(run(x, 3, Map.of()).feats()));
    }

    @Test
    void rejectsBadInputsNamingTheArgument() {
        SplittableRandom r = new SplittableRandom(54);
        Tensor x = uniform(r, DType.FLOAT64, 2, 5, 5);
        Object[][] cases = {
            {"feats", null, Map.of()},
            {"feats", uniform(r, DType.FLOAT64, 5), Map.of()},
            {"feats", uniform(r, DType.FLOAT64, 1, 2, 5, 5), Map.of()},
            {"feats", Tensor.zeros(DType.INT64, 2, 5, 5), Map.of()},
            {"hidden", x, Map.of("hidden", "0")},
            {"out", x, Map.of("out", "x")},
            {"invariant", x, Map.of("invariant", "maybe")},
        };
        @SuppressWarnings("unchecked")
        Consumer<Object[]> bad = c -> run((Tensor) c[1], 1, (Map<String, String>) c[2]);
        Rejections.assertEachNamesItsArgument(cases, bad);
        Rejections.assertInputUnchanged(x, () -> run(x, 1, Map.of()));
    }
}

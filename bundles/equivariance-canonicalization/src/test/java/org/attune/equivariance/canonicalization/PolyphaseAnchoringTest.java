package org.attune.equivariance.canonicalization;

import static org.attune.equivariance.canonicalization.FrameAveragingTest.BACKEND;
import static org.attune.equivariance.canonicalization.FrameAveragingTest.GROUPS;
import static org.attune.equivariance.canonicalization.FrameAveragingTest.uniform;
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
 * Adaptive polyphase anchoring against a float64 transcription of the paper's algorithm (norms, first argmax, roll,
 * strided patch embedding), the exact shift law of its token grid for Z_N² shifts (multiples of the stride and
 * not), invariance with the invariant anchor and of pooled tokens, the failure of the unanchored embedding,
 * deterministic ties and its input checks.
 */
class PolyphaseAnchoringTest {
    static final SymmetryGroup SHIFTS = GROUPS.get("Z_N^2");
    final PolyphaseAnchoring aps = new PolyphaseAnchoring();

    /** x [C, H, W] as nested arrays. */
    static double[][][] cube(Tensor x) {
        int c = x.rank() == 2 ? 1 : x.dim(0);
        int h = x.dim(-2);
        int w = x.dim(-1);
        double[][][] a = new double[c][h][w];
        for (int i = 0; i < x.size(); i++) {
            a[i / (h * w)][i / w % h][i % w] = x.getFlat(i);
        }
        return a;
    }

    /** Largest |ref − actual| / max(1, max |ref|) over [C, H, W]. */
    static double maxRelative(double[][][] ref, Tensor actual) {
        double err = 0;
        double scale = 1;
        int i = 0;
        for (double[][] plane : ref) {
            for (double[] row : plane) {
                for (double v : row) {
                    err = Math.max(err, Math.abs(v - actual.getFlat(i++)));
                    scale = Math.max(scale, Math.abs(v));
                }
            }
        }
        assertEquals(i, actual.size(), "size");
        return err / scale;
    }

    /** The anchor by the definition, in float64: first maximum of the polyphase norms (and tokens). */
    static int[] anchor(double[][][] x, int s, boolean invariant) {
        int h = x[0].length;
        int w = x[0][0].length;
        double best = -1;
        int[] a = new int[2];
        for (int i = 0; i < s; i++) {
            for (int j = 0; j < s; j++) {
                double n = 0;
                for (double[][] plane : x) {
                    for (int u = i; u < h; u += s) {
                        for (int v = j; v < w; v += s) {
                            n += plane[u][v] * plane[u][v];
                        }
                    }
                }
                if (Math.sqrt(n) > best) {
                    best = Math.sqrt(n);
                    a = new int[] {i, j};
                }
            }
        }
        if (invariant) {
            best = -1;
            int[] t = new int[2];
            for (int u = a[0]; u < h; u += s) {
                for (int v = a[1]; v < w; v += s) {
                    double n = 0;
                    for (double[][] plane : x) {
                        n += plane[u][v] * plane[u][v];
                    }
                    if (Math.sqrt(n) > best) {
                        best = Math.sqrt(n);
                        t = new int[] {u, v};
                    }
                }
            }
            a = t;
        }
        return a;
    }

    /** Conv2d(C, out, kernel s, stride s) on x rolled so that the anchor sits at the origin, in float64. */
    static double[][][] reference(double[][][] x, long seed, int s, int out, boolean invariant) {
        int c = x.length;
        int h = x[0].length;
        int w = x[0][0].length;
        int[] a = anchor(x, s, invariant);
        ImageConv conv = ImageConv.init(new SplittableRandom(seed), c, out, s, s, 0);
        double[][][] y = new double[out][h / s][w / s];
        for (int e = 0; e < out; e++) {
            for (int p = 0; p < h / s; p++) {
                for (int q = 0; q < w / s; q++) {
                    double sum = conv.bias().get(e, 0);
                    for (int ch = 0; ch < c; ch++) {
                        for (int u = 0; u < s; u++) {
                            for (int v = 0; v < s; v++) {
                                sum += conv.weight().get((ch * s + u) * s + v, e)
                                    * x[ch][(p * s + u + a[0]) % h][(q * s + v + a[1]) % w];
                            }
                        }
                    }
                    y[e][p][q] = sum;
                }
            }
        }
        return y;
    }

    /** roll of [C, H, W] by (t0, t1): out[c][i][j] = x[c][(i − t0) mod H][(j − t1) mod W]. */
    static Tensor roll(Tensor x, int t0, int t1) {
        int h = x.dim(-2);
        int w = x.dim(-1);
        Tensor out = x.copy();
        for (int i = 0; i < x.size(); i++) {
            int base = i - i % (h * w);
            int r = i / w % h;
            int c = i % w;
            out.setFlat(base + Math.floorMod(r + t0, h) * w + Math.floorMod(c + t1, w), x.getFlat(i));
        }
        return out;
    }

    /** The offsets (mod H, W) of a Z_N² element, read from where it moves the pixel (0, 0) of an H×W probe. */
    static int[] offsets(GroupElement g, int h, int w) {
        Tensor probe = Tensor.zeros(DType.FLOAT64, h, w);
        probe.setFlat(0, 1);
        Tensor moved = SHIFTS.act(g, SymmetryGroup.IMAGE, probe);
        for (int i = 0; i < h * w; i++) {
            if (moved.getFlat(i) == 1) {
                return new int[] {i / w, i % w};
            }
        }
        throw new AssertionError("the probe pixel vanished");
    }

    GeometricOutput run(Tensor image, long seed, Map<String, String> params) {
        return aps.apply(new GeometricInput(null, image, null, seed, params), BACKEND);
    }

    @Test
    void matchesTheFloat64Transcription() {
        SplittableRandom r = new SplittableRandom(31);
        int[][] cases = {{3, 8, 12, 2}, {2, 9, 6, 3}, {1, 4, 4, 4}, {2, 6, 4, 1}};
        for (int[] c : cases) {
            for (boolean invariant : new boolean[] {false, true}) {
                Map<String, String> p = Map.of("stride", "" + c[3], "out", "5", "invariant", "" + invariant);
                Tensor x = uniform(r, DType.FLOAT64, c[0], c[1], c[2]);
                GeometricOutput f64 = run(x, 5, p);
                assertNull(f64.coords());
                assertArrayEquals(new int[] {5, c[1] / c[3], c[2] / c[3]}, f64.feats().shape());
                double e64 = maxRelative(reference(cube(x), 5, c[3], 5, invariant), f64.feats());
                assertTrue(e64 < 1e-12, "f64 " + e64);
                Tensor x32 = x.to(DType.FLOAT32);
                GeometricOutput f32 = run(x32, 5, p);
                assertEquals(DType.FLOAT32, f32.feats().dtype());
                double e32 = maxRelative(reference(cube(x32), 5, c[3], 5, invariant), f32.feats());
                assertTrue(e32 < 1e-5, "f32 " + e32);
            }
        }
        // an [H, W] image is one channel
        Tensor plane = uniform(r, DType.FLOAT64, 6, 4);
        assertEquals(0, maxRelative(reference(cube(plane), 2, 2, 8, false), run(plane, 2, Map.of()).feats()), 1e-12);
    }

    @Test
    void theTokenGridOfAShiftedImageIsTheTokenGridRolledByWholeTokens() {
        SplittableRandom r = new SplittableRandom(8);
        for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
            for (int s : new int[] {2, 3}) {
                Tensor x = uniform(r, dtype, 2, 12, 6);
                Map<String, String> p = Map.of("stride", "" + s, "out", "4");
                Tensor tokens = run(x, 9, p).feats();
                int[] a = anchor(cube(x), s, false);
                int notMultiples = 0;
                for (int trial = 0; trial < 12; trial++) {
                    GroupElement g = SHIFTS.sample(r);
                    int[] t = offsets(g, 12, 6);
                    Tensor moved = SHIFTS.act(g, SymmetryGroup.IMAGE, x);
                    int[] b = anchor(cube(moved), s, false);
                    // the anchor moves with the image: b = (a + t) mod s, so t + a − b is a multiple of s
                    assertEquals(Math.floorMod(a[0] + t[0], s), b[0]);
                    assertEquals(Math.floorMod(a[1] + t[1], s), b[1]);
                    notMultiples += t[0] % s != 0 || t[1] % s != 0 ? 1 : 0;
                    Tensor expected = roll(tokens, (t[0] + a[0] - b[0]) / s, (t[1] + a[1] - b[1]) / s);
                    Tensor actual = run(moved, 9, p).feats();
                    assertEquals(0, maxRelative(cube(expected), actual), dtype + " s=" + s + " t=" + t[0] + "," + t[1]);
                }
                assertTrue(notMultiples > 0, "some shifts are not multiples of the stride");
                // and by one pixel, the smallest shift that is not a multiple of s
                Tensor one = roll(x, 1, 0);
                int[] b = anchor(cube(one), s, false);
                assertEquals(0, maxRelative(cube(roll(tokens, (1 + a[0] - b[0]) / s, (a[1] - b[1]) / s)),
                    run(one, 9, p).feats()));
            }
        }
    }

    @Test
    void isShiftInvariantWithTheInvariantAnchor() {
        SplittableRandom r = new SplittableRandom(12);
        for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
            Tensor x = uniform(r, dtype, 3, 8, 8);
            Map<String, String> p = Map.of("invariant", "true");
            Tensor tokens = run(x, 4, p).feats();
            for (int trial = 0; trial < 10; trial++) {
                Tensor moved = SHIFTS.act(SHIFTS.sample(r), SymmetryGroup.IMAGE, x);
                assertEquals(0, maxRelative(cube(tokens), run(moved, 4, p).feats()), dtype.toString());
            }
        }
    }

    @Test
    void meanPooledTokensAreShiftInvariant() {
        SplittableRandom r = new SplittableRandom(13);
        Tensor x = uniform(r, DType.FLOAT64, 2, 10, 6);
        double[] pooled = pool(run(x, 6, Map.of()).feats());
        for (int trial = 0; trial < 10; trial++) {
            double[] moved = pool(run(SHIFTS.act(SHIFTS.sample(r), SymmetryGroup.IMAGE, x), 6, Map.of()).feats());
            for (int e = 0; e < pooled.length; e++) {
                assertEquals(pooled[e], moved[e], 1e-12);
            }
        }
    }

    static double[] pool(Tensor tokens) {
        int d = tokens.dim(0);
        int t = tokens.size() / d;
        double[] m = new double[d];
        for (int i = 0; i < tokens.size(); i++) {
            m[i / t] += tokens.getFlat(i) / t;
        }
        return m;
    }

    @Test
    void withoutTheAnchorThePatchEmbeddingIsNotShiftEquivariant() {
        // negative control: the plain strided embedding of an image shifted by one pixel is no roll of the original tokens
        SplittableRandom r = new SplittableRandom(14);
        Tensor x = uniform(r, DType.FLOAT64, 2, 8, 8);
        ImageConv conv = ImageConv.init(new SplittableRandom(3), 2, 8, 2, 2, 0);
        Tensor tokens = conv.apply(BACKEND, new Image(x)).data();
        Tensor moved = conv.apply(BACKEND, new Image(roll(x, 1, 0))).data();
        double closest = Double.POSITIVE_INFINITY;
        for (int u = 0; u < 4; u++) {
            for (int v = 0; v < 4; v++) {
                closest = Math.min(closest, maxRelative(cube(roll(tokens, u, v)), moved));
            }
        }
        assertTrue(closest > 1e-2, "closest roll " + closest);
    }

    @Test
    void breaksExactTiesByTheFirstComponentAndTheFirstToken() {
        // a constant image: every component and every token ties, the anchor is (0, 0) and the image is not moved
        Tensor flat = Tensor.zeros(DType.FLOAT64, 2, 4, 6);
        for (int i = 0; i < flat.size(); i++) {
            flat.setFlat(i, 0.5);
        }
        for (boolean invariant : new boolean[] {false, true}) {
            assertArrayEquals(new int[] {0, 0}, PolyphaseAnchoring.anchor(new Image(flat), 2, invariant));
        }
        ImageConv conv = ImageConv.init(new SplittableRandom(7), 2, 8, 2, 2, 0);
        assertEquals(0, maxRelative(cube(conv.apply(BACKEND, new Image(flat)).data()), run(flat, 7, Map.of()).feats()));
        // two components of equal norm, (0, 1) and (1, 0): the first in the order i·s + j wins, every time
        Tensor two = Tensor.zeros(DType.FLOAT64, 1, 4, 4);
        two.set(3, 0, 0, 1);
        two.set(-3, 0, 3, 2);
        assertArrayEquals(new int[] {0, 1}, PolyphaseAnchoring.anchor(new Image(two), 2, false));
        assertArrayEquals(new int[] {0, 1}, PolyphaseAnchoring.anchor(new Image(two), 2, true));
        Tensor first = run(two, 1, Map.of()).feats();
        for (int again = 0; again < 3; again++) {
            assertTrue(first.contentEquals(run(two, 1, Map.of()).feats()));
        }
    }

    @Test
    void rejectsBadInputsNamingTheArgument() {
        SplittableRandom r = new SplittableRandom(2);
        Tensor x = uniform(r, DType.FLOAT64, 2, 6, 4);
        Object[][] cases = {
            {"feats", null, Map.of()},
            {"feats", uniform(r, DType.FLOAT64, 6), Map.of()},
            {"feats", Tensor.zeros(DType.INT64, 2, 6, 4), Map.of()},
            {"feats", uniform(r, DType.FLOAT64, 2, 7, 4), Map.of()},
            {"feats", x, Map.of("stride", "4")},
            {"stride", x, Map.of("stride", "0")},
            {"out", x, Map.of("out", "two")},
            {"invariant", x, Map.of("invariant", "yes")},
        };
        @SuppressWarnings("unchecked")
        Consumer<Object[]> bad = c -> run((Tensor) c[1], 1, (Map<String, String>) c[2]);
        Rejections.assertEachNamesItsArgument(cases, bad);
        Rejections.assertInputUnchanged(x, () -> run(x, 1, Map.of("invariant", "true")));
    }
}

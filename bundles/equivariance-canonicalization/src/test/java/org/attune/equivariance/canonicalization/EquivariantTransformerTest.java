package org.attune.equivariance.canonicalization;

import static org.attune.equivariance.canonicalization.FrameAveragingTest.maxRelative;
import static org.attune.equivariance.canonicalization.FrameAveragingTest.rows;
import static org.attune.equivariance.canonicalization.FrameAveragingTest.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.attune.api.backend.ComputeBackend;
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
 * The Equivariant Transformer against a float64 transcription (grid, bilinear sampling, predictor, centroid,
 * resampling written out pixel by pixel); the pose shift θ(T_α·x) = θ(x) + α exactly (1e-12) for quarter turns of
 * square images (C_4 of the symmetry bundle) and for whole-row shifts in canonical coordinates, with the canonicalised
 * image invariant; for other angles and for scale, canonical samples within the bilinear interpolation bound
 * derived below, with the pose and invariance errors reported; and the input checks.
 */
class EquivariantTransformerTest {
    static final ComputeBackend BACKEND = new JavaBackend();
    static final Map<String, SymmetryGroup> GROUPS = GroupCatalogue.groups();
    final EquivariantTransformer etn = new EquivariantTransformer();

    // ------------------------------------------------------------------------ float64 transcription

    static double bilinear(double[][] img, double x, double y) {
        int x0 = (int) Math.floor(x);
        int y0 = (int) Math.floor(y);
        double f = x - x0;
        double g = y - y0;
        return pixel(img, y0, x0) * (1 - f) * (1 - g) + pixel(img, y0, x0 + 1) * f * (1 - g)
            + pixel(img, y0 + 1, x0) * (1 - f) * g + pixel(img, y0 + 1, x0 + 1) * f * g;
    }

    static double pixel(double[][] img, int row, int col) {
        return row >= 0 && row < img.length && col >= 0 && col < img[0].length ? img[row][col] : 0;
    }

    /** u_i: √2·i/(n_u−1) (rotation) or −ln n_u + i(ln n_u + ½ln 2)/(n_u−1) (scale). */
    static double radial(boolean scale, int i, int nu) {
        if (nu == 1) {
            return 0;
        }
        return scale ? -Math.log(nu) + i * (Math.log(nu) + Math.log(2) / 2) / (nu - 1) : Math.sqrt(2) * i / (nu - 1);
    }

    /** P[j][i] = x(c + s·r_i·(cos v_j, −sin v_j)), v_j = 2πj/n_v. */
    static double[][] samples(double[][] img, boolean scale, int nv, int nu, double cx, double cy) {
        double s = Math.min(img.length, img[0].length) / 2.0;
        double[][] p = new double[nv][nu];
        for (int j = 0; j < nv; j++) {
            double v = 2 * Math.PI * j / nv;
            for (int i = 0; i < nu; i++) {
                double r = s * (scale ? Math.exp(radial(true, i, nu)) : radial(false, i, nu));
                p[j][i] = bilinear(img, cx + r * Math.cos(v), cy - r * Math.sin(v));
            }
        }
        return p;
    }

    static double leaky(double x) {
        return x > 0 ? x : 0.1 * x;
    }

    /** One k×k layer on [n_v][n_u][C_in], wrapping in v, zero-padded in u, then λ. */
    static double[][][] layer(double[][][] x, Tensor[] taps, int k) {
        int nv = x.length;
        int nu = x[0].length;
        int p = (k - 1) / 2;
        int out = taps[0].dim(1);
        double[][][] y = new double[nv][nu][out];
        for (int j = 0; j < nv; j++) {
            for (int i = 0; i < nu; i++) {
                for (int o = 0; o < out; o++) {
                    double s = 0;
                    for (int a = -p; a <= p; a++) {
                        for (int b = -p; b <= p; b++) {
                            if (i + b < 0 || i + b >= nu) {
                                continue;
                            }
                            double[] src = x[Math.floorMod(j + a, nv)][i + b];
                            for (int c = 0; c < src.length; c++) {
                                s += src[c] * taps[(a + p) * k + (b + p)].get(c, o);
                            }
                        }
                    }
                    y[j][i][o] = leaky(s);
                }
            }
        }
        return y;
    }

    /** θ of the predictor on P [n_v][n_u]. */
    static double pose(PosePredictor w, double[][] samples, boolean scale, int k) {
        int nv = samples.length;
        int nu = samples[0].length;
        double[][][] x = new double[nv][nu][1];
        for (int j = 0; j < nv; j++) {
            for (int i = 0; i < nu; i++) {
                x[j][i][0] = samples[j][i];
            }
        }
        double[][][] phi = layer(layer(x, w.conv1(), k), w.conv2(), k);
        int channels = phi[0][0].length;
        int n = scale ? nu : nv;
        double[][] pooled = new double[n][channels];
        for (double[] row : pooled) {
            java.util.Arrays.fill(row, Double.NEGATIVE_INFINITY);
        }
        for (int j = 0; j < nv; j++) {
            for (int i = 0; i < nu; i++) {
                for (int c = 0; c < channels; c++) {
                    int at = scale ? i : j;
                    pooled[at][c] = Math.max(pooled[at][c], phi[j][i][c]);
                }
            }
        }
        int p = (k - 1) / 2;
        double[] logits = new double[n];
        for (int j = 0; j < n; j++) {
            for (int a = -p; a <= p; a++) {
                int src = j + a;
                if (scale && (src < 0 || src >= n)) {
                    continue;
                }
                for (int c = 0; c < channels; c++) {
                    logits[j] += pooled[Math.floorMod(src, n)][c] * w.line()[a + p].get(c, 0);
                }
            }
        }
        double max = java.util.Arrays.stream(logits).max().orElseThrow();
        double z = 0;
        for (double l : logits) {
            z += Math.exp(l - max);
        }
        double sin = 0;
        double cos = 0;
        double mean = 0;
        for (int j = 0; j < n; j++) {
            double prob = Math.exp(logits[j] - max) / z;
            double v = 2 * Math.PI * j / n;
            sin += prob * Math.sin(v);
            cos += prob * Math.cos(v);
            mean += prob * radial(true, j, n);
        }
        return scale ? mean : Math.atan2(sin, cos);
    }

    /** out[row][col] = x(T_θ(p)), p = (col, row) about (cx, cy), y up. */
    static double[][] canonical(double[][] img, boolean scale, double theta, double cx, double cy) {
        double[][] out = new double[img.length][img[0].length];
        for (int row = 0; row < img.length; row++) {
            for (int col = 0; col < img[0].length; col++) {
                double dx = col - cx;
                double dy = cy - row;
                double tx = scale ? Math.exp(theta) * dx : Math.cos(theta) * dx - Math.sin(theta) * dy;
                double ty = scale ? Math.exp(theta) * dy : Math.sin(theta) * dx + Math.cos(theta) * dy;
                out[row][col] = bilinear(img, cx + tx, cy - ty);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------ helpers

    static Tensor centre(double cx, double cy, DType dtype) {
        return Tensor.of(new double[] {cx, cy}, 1, 2).to(dtype);
    }

    static GeometricInput input(Tensor image, long seed, Map<String, String> params) {
        return new GeometricInput(centre((image.dim(1) - 1) / 2.0, (image.dim(0) - 1) / 2.0, image.dtype()), image, null,
            seed, params);
    }

    /** Distance of angles a and b on the circle. */
    static double angular(double a, double b) {
        double d = Math.IEEEremainder(a - b, 2 * Math.PI);
        return Math.abs(d);
    }

    /** A sum of Gaussian blobs f(X, Y) = Σ_b a_b·exp(−|(X, Y) − μ_b|²/(2σ²)) about the centre, rotated by α. */
    static Tensor blobs(int size, double[][] blobs, double sigma, double alpha, double logScale) {
        Tensor t = Tensor.zeros(DType.FLOAT64, size, size);
        double c = (size - 1) / 2.0;
        for (int row = 0; row < size; row++) {
            for (int col = 0; col < size; col++) {
                // (T_α·f)(p) = f(T_α⁻¹·p)
                double dx = col - c;
                double dy = c - row;
                double e = Math.exp(-logScale);
                double qx = e * (Math.cos(alpha) * dx + Math.sin(alpha) * dy);
                double qy = e * (-Math.sin(alpha) * dx + Math.cos(alpha) * dy);
                double v = 0;
                for (double[] b : blobs) {
                    double rx = qx - b[0];
                    double ry = qy - b[1];
                    v += b[2] * Math.exp(-(rx * rx + ry * ry) / (2 * sigma * sigma));
                }
                t.set(v, row, col);
            }
        }
        return t;
    }

    // ------------------------------------------------------------------------ tests

    @Test
    void matchesTheFloat64Transcription() {
        SplittableRandom r = new SplittableRandom(5);
        // {H, W, angles, radii, channels, kernel, scale}
        int[][] cases = {{8, 8, 8, 8, 4, 3, 0}, {6, 9, 12, 5, 3, 5, 0}, {7, 7, 7, 6, 2, 1, 1}, {9, 5, 10, 9, 4, 3, 1},
            {4, 4, 4, 1, 2, 3, 0}};
        for (int[] c : cases) {
            boolean scale = c[6] == 1;
            Tensor img = uniform(r, DType.FLOAT64, c[0], c[1]);
            double cx = r.nextDouble(0, c[1] - 1);
            double cy = r.nextDouble(0, c[0] - 1);
            Map<String, String> p = Map.of("angles", "" + c[2], "radii", "" + c[3], "channels", "" + c[4],
                "kernel", "" + c[5], "group", scale ? "scale" : "rotation");
            GeometricInput in = new GeometricInput(centre(cx, cy, DType.FLOAT64), img, null, 19, p);
            double[][] samples = samples(rows(img), scale, c[2], c[3], cx, cy);
            double theta = pose(PosePredictor.init(19, c[4], c[5]), samples, scale, c[5]);
            assertTrue(maxRelative(samples, etn.canonicalCoordinates(in, BACKEND)) < 1e-13);
            assertEquals(theta, etn.pose(in, BACKEND), 1e-12);
            GeometricOutput out = etn.apply(in, BACKEND);
            assertNull(out.coords());
            double[][] ref = canonical(rows(img), scale, theta, cx, cy);
            assertTrue(maxRelative(ref, out.feats()) < 1e-12, "f64 " + maxRelative(ref, out.feats()));

            GeometricInput in32 = new GeometricInput(centre(cx, cy, DType.FLOAT32), img.to(DType.FLOAT32), null, 19, p);
            assertEquals(theta, etn.pose(in32, BACKEND), 1e-4);
            Tensor out32 = etn.apply(in32, BACKEND).feats();
            assertEquals(DType.FLOAT32, out32.dtype());
            assertTrue(maxRelative(ref, out32) < 1e-3, "f32 " + maxRelative(ref, out32));
        }
    }

    @Test
    void aWholeRowShiftInCanonicalCoordinatesShiftsThePoseExactly() {
        // the predictor alone: rolling P by m rows (a rotation by 2πm/n_v in canonical coordinates) adds 2πm/n_v to θ
        SplittableRandom r = new SplittableRandom(12);
        int nv = 10;
        int nu = 6;
        PosePredictor w = PosePredictor.init(3, 5, 3);
        Tensor p = uniform(r, DType.FLOAT64, nv * nu, 1);
        double theta = PosePredictor.pose(BACKEND, w.heatMap(BACKEND, p, nv, nu, false), axis(nv), false);
        for (int m = 1; m < nv; m++) {
            Tensor rolled = p.copy();
            for (int j = 0; j < nv; j++) {
                for (int i = 0; i < nu; i++) {
                    rolled.setFlat(((j + m) % nv) * nu + i, p.getFlat(j * nu + i));
                }
            }
            double moved = PosePredictor.pose(BACKEND, w.heatMap(BACKEND, rolled, nv, nu, false), axis(nv), false);
            assertEquals(0, angular(moved, theta + 2 * Math.PI * m / nv), 1e-12, "m = " + m);
        }
    }

    static double[] axis(int nv) {
        double[] v = new double[nv];
        for (int j = 0; j < nv; j++) {
            v[j] = 2 * Math.PI * j / nv;
        }
        return v;
    }

    @Test
    void quarterTurnsShiftThePoseExactlyAndLeaveTheCanonicalImageUnchanged() {
        SymmetryGroup c4 = GROUPS.get("C_4");
        SplittableRandom r = new SplittableRandom(40);
        for (int size : new int[] {8, 9}) {
            for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
                double tol = dtype == DType.FLOAT64 ? 1e-12 : 1e-4;
                Tensor img = uniform(r, dtype, size, size);
                Map<String, String> p = Map.of("angles", "12", "radii", "" + size, "channels", "4");
                double theta = etn.pose(input(img, 2, p), BACKEND);
                Tensor samples = etn.canonicalCoordinates(input(img, 2, p), BACKEND);
                Tensor canon = etn.apply(input(img, 2, p), BACKEND).feats();
                for (int k = 1; k < 4; k++) {
                    GroupElement g = element(c4, r, k);
                    Tensor turned = c4.act(g, SymmetryGroup.IMAGE, img);
                    // the canonical coordinates of the turned image are the rows rolled by k·n_v/4
                    Tensor moved = etn.canonicalCoordinates(input(turned, 2, p), BACKEND);
                    for (int j = 0; j < 12; j++) {
                        for (int i = 0; i < size; i++) {
                            assertEquals(samples.get(j, i), moved.get((j + 3 * k) % 12, i), tol);
                        }
                    }
                    assertEquals(0, angular(etn.pose(input(turned, 2, p), BACKEND), theta + k * Math.PI / 2), tol,
                        size + " " + dtype + " k = " + k);
                    Tensor turnedCanon = etn.apply(input(turned, 2, p), BACKEND).feats();
                    for (int i = 0; i < canon.size(); i++) {
                        assertEquals(canon.getFlat(i), turnedCanon.getFlat(i), tol);
                    }
                }
            }
        }
    }

    /** The element r^k of C_4 (sampled until found, so the test uses the group's own elements). */
    static GroupElement element(SymmetryGroup c4, SplittableRandom r, int k) {
        Tensor probe = Tensor.of(new double[] {1, 0}, 1, 2);
        while (true) {
            GroupElement g = c4.sample(r);
            Tensor v = c4.act(g, SymmetryGroup.VECTOR, probe);
            if (Math.abs(v.get(0, 0) - Math.cos(k * Math.PI / 2)) < 1e-9 && Math.abs(v.get(0, 1) - Math.sin(k * Math.PI / 2)) < 1e-9) {
                return g;
            }
        }
    }

    /**
     * Off the pixel grid's symmetries, sampling is exact only up to interpolation. For a smooth image f sampled at
     * pixel centres (spacing h = 1), bilinear interpolation errs by at most δ = (h²/8)(‖f_XX‖∞ + ‖f_YY‖∞); for a
     * Gaussian blob of amplitude a and width σ, ‖f_XX‖∞ = a/σ², so δ ≤ Σ_b |a_b|/(4σ²), and the same holds for its
     * rotations. Both P(T_α·x) and roll(P(x), m) (α = 2πm/n_v) are within δ of the exact samples of f, hence within
     * 2δ of each other, up to the blob tails cut by the image border (below 1e-12 here). The pose and invariance
     * errors that follow are printed.
     */
    @Test
    void gridAlignedRotationsOfASmoothImageMoveTheSamplesWithinTheInterpolationBound() {
        double sigma = 2;
        double[][] b = {{3, 1, 1}, {-2, 2.5, 0.6}, {0.5, -3, -0.8}};
        double delta = (1 + 0.6 + 0.8) / (4 * sigma * sigma);
        int nv = 24;
        int size = 40;
        Map<String, String> p = Map.of("angles", "" + nv, "radii", "16", "channels", "4");
        Tensor img = blobs(size, b, sigma, 0, 0);
        Tensor samples = etn.canonicalCoordinates(input(img, 9, p), BACKEND);
        double theta = etn.pose(input(img, 9, p), BACKEND);
        Tensor canon = etn.apply(input(img, 9, p), BACKEND).feats();
        for (int m : new int[] {1, 5, 7}) {
            double alpha = 2 * Math.PI * m / nv;
            Tensor turned = blobs(size, b, sigma, alpha, 0);
            Tensor moved = etn.canonicalCoordinates(input(turned, 9, p), BACKEND);
            double worst = 0;
            for (int j = 0; j < nv; j++) {
                for (int i = 0; i < 16; i++) {
                    worst = Math.max(worst, Math.abs(samples.get(j, i) - moved.get((j + m) % nv, i)));
                }
            }
            assertTrue(worst <= 2 * delta, "samples moved by " + worst + " > 2δ = " + 2 * delta);
            double poseError = angular(etn.pose(input(turned, 9, p), BACKEND), theta + alpha);
            Tensor turnedCanon = etn.apply(input(turned, 9, p), BACKEND).feats();
            double canonError = 0;
            for (int i = 0; i < canon.size(); i++) {
                canonError = Math.max(canonError, Math.abs(canon.getFlat(i) - turnedCanon.getFlat(i)));
            }
            System.out.printf("etn rotation α = %.4f: samples %.3e (2δ = %.3e), pose error %.3e rad, canonical image %.3e%n",
                alpha, worst, 2 * delta, poseError, canonError);
        }
    }

    @Test
    void gridAlignedScalingsOfASmoothImageShiftTheLogRadiusWithinTheInterpolationBound() {
        // scaling by e^α with α = m·Δu shifts the columns of log-polar samples by m (u ↦ u + α); the same 2δ bound
        double sigma = 2;
        double[][] b = {{3, 1, 1}, {-2, 2.5, 0.6}};
        double delta = (1 + 0.6) / (4 * sigma * sigma);
        int nu = 16;
        int size = 40;
        double du = (Math.log(nu) + Math.log(2) / 2) / (nu - 1);
        Map<String, String> p = Map.of("angles", "16", "radii", "" + nu, "channels", "4", "group", "scale");
        Tensor img = blobs(size, b, sigma, 0, 0);
        Tensor samples = etn.canonicalCoordinates(input(img, 9, p), BACKEND);
        double theta = etn.pose(input(img, 9, p), BACKEND);
        for (int m : new int[] {1, 2}) {
            Tensor zoomed = blobs(size, b, sigma, 0, m * du);
            Tensor moved = etn.canonicalCoordinates(input(zoomed, 9, p), BACKEND);
            double worst = 0;
            for (int j = 0; j < 16; j++) {
                for (int i = 0; i + m < nu; i++) {
                    worst = Math.max(worst, Math.abs(samples.get(j, i) - moved.get(j, i + m)));
                }
            }
            assertTrue(worst <= 2 * delta, "samples moved by " + worst + " > 2δ = " + 2 * delta);
            System.out.printf("etn scale α = %.4f: samples %.3e (2δ = %.3e), pose shift %.4f%n", m * du, worst,
                2 * delta, etn.pose(input(zoomed, 9, p), BACKEND) - theta);
        }
    }

    @Test
    void rejectsBadInputsNamingTheArgument() {
        SplittableRandom r = new SplittableRandom(1);
        Tensor img = uniform(r, DType.FLOAT64, 6, 6);
        Tensor c = centre(2.5, 2.5, DType.FLOAT64);
        Object[][] cases = {
            {"feats", new GeometricInput(c, uniform(r, DType.FLOAT64, 2, 6, 6), null, 1, Map.of())},
            {"feats", new GeometricInput(c, Tensor.zeros(DType.INT64, 6, 6), null, 1, Map.of())},
            {"coords", new GeometricInput(uniform(r, DType.FLOAT64, 2, 2), img, null, 1, Map.of())},
            {"coords", new GeometricInput(c.to(DType.FLOAT32), img, null, 1, Map.of())},
            {"group", new GeometricInput(c, img, null, 1, Map.of("group", "shear"))},
            {"kernel", new GeometricInput(c, img, null, 1, Map.of("kernel", "2"))},
            {"angles", new GeometricInput(c, img, null, 1, Map.of("angles", "0"))},
            {"radii", new GeometricInput(c, img, null, 1, Map.of("radii", "-1"))},
            {"channels", new GeometricInput(c, img, null, 1, Map.of("channels", "many"))},
        };
        for (Object[] x : cases) {
            InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> etn.apply((GeometricInput) x[1], BACKEND));
            assertEquals(x[0], e.argument());
        }
        Tensor before = img.copy();
        etn.apply(new GeometricInput(c, img, null, 1, new HashMap<>()), BACKEND);
        assertTrue(before.contentEquals(img), "inputs are not modified");
    }
}

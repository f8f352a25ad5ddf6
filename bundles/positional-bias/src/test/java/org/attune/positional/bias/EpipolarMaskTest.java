package org.attune.positional.bias;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.attune.api.position.EncodingForm;
import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.tensor.Npy;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A synthetic rig: pinhole cameras with focal length F pixels on a circle around the origin, looking at it, each
 * with a 4 × 4 pixel grid (16 tokens per view); rays (C, Rᵀ K⁻¹ (u, v, 1)).
 */
class EpipolarMaskTest extends EncodingContract {
    private static final double F = 20, C = 1.5;
    private static final int SIDE = 4, PER_VIEW = SIDE * SIDE;

    @TempDir
    Path dir;

    @Override
    PositionalEncoding method() {
        return new EpipolarMask();
    }

    @Override
    EncodingForm form() {
        return EncodingForm.BIAS;
    }

    @Override
    List<String> claims() {
        return List.of();
    }

    @Override
    Map<String, String> params() {
        return Map.of("rays", write("rig", rig(2)), "view-tokens", "" + PER_VIEW);
    }

    private static double[] centre(int v) {
        double a = 0.9 * v + 0.3;
        return new double[] {4 * Math.cos(a), 0.7 * v - 0.5, 4 * Math.sin(a)};
    }

    /** World-to-camera rotation: rows are the camera's x, y and z (towards the origin) axes. */
    private static double[][] rotation(int v) {
        double[] c = centre(v);
        double[] z = unit(new double[] {-c[0], -c[1], -c[2]});
        double[] x = unit(cross(z, new double[] {0, 1, 0}));
        return new double[][] {x, cross(z, x), z};
    }

    private static double[] rig(int views) {
        double[] rays = new double[views * PER_VIEW * 6];
        for (int v = 0; v < views; v++) {
            double[] c = centre(v);
            double[][] r = rotation(v);
            for (int t = 0; t < PER_VIEW; t++) {
                double[] d = transposeTimes(r, new double[] {(t % SIDE - C) / F, (t / SIDE - C) / F, 1});
                int row = (v * PER_VIEW + t) * 6;
                System.arraycopy(c, 0, rays, row, 3);
                System.arraycopy(d, 0, rays, row + 3, 3);
            }
        }
        return rays;
    }

    private String write(String name, double[] rays) {
        Path p = dir.resolve(name + ".npy");
        try {
            Npy.write(p, Tensor.of(rays, rays.length / 6, 6));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return p.toString();
    }

    private Tensor mask(double[] rays, int n, double tolerance) {
        return method().encode(PositionalCall.bias(2, n, n, false).withParams(Map.of("rays", write("r", rays),
            "view-tokens", "" + PER_VIEW, "tolerance", "" + tolerance)), Fixtures.BACKEND).bias();
    }

    /**
     * The reference construction from cameras: F = K⁻ᵀ[t]ₓR K⁻¹ (X_b = R X_a + t), the epipolar line l = F xₐ in
     * view b, its plane's world normal R_bᵀ Kᵀ l, and the pixel ray of view b kept within δ of that plane.
     */
    @Test
    void matchesTheFundamentalMatrixConstruction() {
        int views = 3, n = views * PER_VIEW;
        double delta = 0.05;
        Tensor b = mask(rig(views), n, delta);
        double[][] kInv = {{1 / F, 0, -C / F}, {0, 1 / F, -C / F}, {0, 0, 1}};
        double[][] k = {{F, 0, C}, {0, F, C}, {0, 0, 1}};
        int kept = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                int va = i / PER_VIEW, vb = j / PER_VIEW;
                boolean expected;
                if (va == vb) {
                    expected = true;
                } else {
                    double[][] ra = rotation(va), rb = rotation(vb);
                    double[][] rel = times(rb, transpose(ra));
                    double[] t = times(rb, minus(centre(va), centre(vb)));
                    double[][] fm = times(transpose(kInv), times(skew(t), times(rel, kInv)));
                    double[] xa = {i % PER_VIEW % SIDE, i % PER_VIEW / SIDE, 1};
                    double[] line = times(fm, xa);
                    double[] normal = transposeTimes(rb, transposeTimes(k, line));
                    double[] d = transposeTimes(rb, times(kInv, new double[] {j % PER_VIEW % SIDE, j % PER_VIEW / SIDE, 1}));
                    expected = Math.abs(dot(unit(normal), unit(d))) <= Math.sin(delta);
                }
                kept += expected && va != vb ? 1 : 0;
                for (int h = 0; h < 2; h++) {
                    assertEquals(expected ? 0 : Double.NEGATIVE_INFINITY, b.get(h, i, j), "i=" + i + " j=" + j);
                }
            }
        }
        assertTrue(kept > 0 && kept < n * n / 2, "cross-view pairs kept: " + kept);
    }

    /** Projections of one 3-D point into two views see each other, both ways, at a tolerance of 1e-9. */
    @Test
    void correspondingPixelsAreKeptBothWays() {
        double[] point = {0.3, -0.2, 0.4};
        double[] rays = new double[2 * PER_VIEW * 6];
        for (int v = 0; v < 2; v++) {
            double[] c = centre(v);
            double[] toPoint = minus(point, c);
            for (int t = 0; t < PER_VIEW; t++) {
                int row = (v * PER_VIEW + t) * 6;
                System.arraycopy(c, 0, rays, row, 3);
                double[] d = t == 5 ? toPoint : transposeTimes(rotation(v), new double[] {(t % SIDE - C) / F, (t / SIDE - C) / F, 1});
                System.arraycopy(d, 0, rays, row + 3, 3);
            }
        }
        Tensor b = mask(rays, 2 * PER_VIEW, 1e-9);
        assertEquals(0, b.get(0, 5, PER_VIEW + 5));
        assertEquals(0, b.get(0, PER_VIEW + 5, 5));
        for (int i = 0; i < PER_VIEW; i++) {
            for (int j = 0; j < PER_VIEW; j++) {
                assertEquals(0, b.get(1, i, j), "own view");
            }
        }
    }

    @Test
    void rejectsMissingRaysAndViews() {
        Fixtures.assertArgument("--pe-option rays", () -> method().encode(PositionalCall.bias(1, 4, 4, false),
            Fixtures.BACKEND));
        String rays = write("r", rig(1));
        Fixtures.assertArgument("--pe-option view-tokens", () -> method().encode(PositionalCall.bias(1, 4, 4, false)
            .withParams(Map.of("rays", rays)), Fixtures.BACKEND));
        Fixtures.assertArgument("--pe-option rays", () -> method().encode(PositionalCall.bias(1, 20, 20, false)
            .withParams(Map.of("rays", rays, "view-tokens", "4")), Fixtures.BACKEND));
    }

    private static double[] unit(double[] a) {
        double n = Math.sqrt(dot(a, a));
        return new double[] {a[0] / n, a[1] / n, a[2] / n};
    }

    private static double dot(double[] a, double[] b) {
        return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    }

    private static double[] cross(double[] a, double[] b) {
        return new double[] {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
    }

    private static double[] minus(double[] a, double[] b) {
        return new double[] {a[0] - b[0], a[1] - b[1], a[2] - b[2]};
    }

    private static double[][] skew(double[] t) {
        return new double[][] {{0, -t[2], t[1]}, {t[2], 0, -t[0]}, {-t[1], t[0], 0}};
    }

    private static double[][] transpose(double[][] m) {
        double[][] out = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                out[i][j] = m[j][i];
            }
        }
        return out;
    }

    private static double[][] times(double[][] a, double[][] b) {
        double[][] out = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                for (int m = 0; m < 3; m++) {
                    out[i][j] += a[i][m] * b[m][j];
                }
            }
        }
        return out;
    }

    private static double[] times(double[][] a, double[] x) {
        return new double[] {dot(a[0], x), dot(a[1], x), dot(a[2], x)};
    }

    private static double[] transposeTimes(double[][] a, double[] x) {
        return times(transpose(a), x);
    }
}

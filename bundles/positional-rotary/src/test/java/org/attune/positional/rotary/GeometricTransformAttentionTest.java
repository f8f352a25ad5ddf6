package org.attune.positional.rotary;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.PositionalResult;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Npy;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeometricTransformAttentionTest extends RotaryContract {
    @TempDir
    Path dir;

    private final SplittableRandom random = new SplittableRandom(2310);

    @BeforeEach
    void writeOnePose() throws IOException {
        Npy.write(dir.resolve("one.npy"), poses(randomPose(), 1));
    }

    @Override
    PositionalEncoding method() {
        return new GeometricTransformAttention();
    }

    /** The rigid-motion invariance needs poses, which the generic certificate does not draw: tested below. */
    @Override
    List<String> claims() {
        return List.of();
    }

    @Override
    Map<String, String> params() {
        return Map.of("poses", dir.resolve("one.npy").toString());
    }

    @Override
    @Test
    void rejectsAnOddHeadDimension() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 1, 4, 7);
        Fixtures.assertArgument("--pe-option se3-dims", () -> encode(x, x, 0));
    }

    /** The reference's se3 group: q' = (P⁻¹)ᵀ q, k' = P k per 4-block, P⁻¹ by a general 4 × 4 Gauss–Jordan. */
    @Test
    void matchesFloat64ReferenceWithTrivialChannels() throws IOException {
        double[][][] p = {randomPose(), randomPose(), randomPose()};
        Npy.write(dir.resolve("three.npy"), poses(p));
        Fixtures f = new Fixtures(61);
        Tensor q = f.uniform(DType.FLOAT64, 1, 2, 6, 10), k = f.uniform(DType.FLOAT64, 1, 2, 9, 10);
        double s = 0.5;
        PositionalResult r = method().encode(PositionalCall.tokens(q, k).withParams(Map.of("poses",
            dir.resolve("three.npy").toString(), "se3-dims", "8", "trans-coeff", "0.5")), Fixtures.BACKEND);
        for (int h = 0; h < 2; h++) {
            for (int n = 0; n < 6; n++) {
                double[][] m = scaled(p[n / 2], s);
                double[][] inv = invert(m);
                for (int b = 0; b < 8; b += 4) {
                    for (int row = 0; row < 4; row++) {
                        double want = 0;
                        for (int c = 0; c < 4; c++) {
                            want += inv[c][row] * q.get(0, h, n, b + c);
                        }
                        assertClose(want, r.q().get(0, h, n, b + row));
                    }
                }
                assertClose(q.get(0, h, n, 8), r.q().get(0, h, n, 8));
                assertClose(q.get(0, h, n, 9), r.q().get(0, h, n, 9));
            }
            for (int n = 0; n < 9; n++) {
                double[][] m = scaled(p[n / 3], s);
                for (int row = 0; row < 4; row++) {
                    double want = 0;
                    for (int c = 0; c < 4; c++) {
                        want += m[row][c] * k.get(0, h, n, c);
                    }
                    assertClose(want, r.k().get(0, h, n, row));
                }
            }
        }
    }

    /** The test: every pose moved by one rigid motion T (Pᵥ ↦ T Pᵥ) leaves every logit unchanged. */
    @Test
    void scoresAreInvariantUnderAGlobalRigidMotionOfThePoses() throws IOException {
        double[][][] p = {randomPose(), randomPose(), randomPose(), randomPose()};
        double[][] t = randomPose();
        double[][][] moved = new double[4][][];
        for (int v = 0; v < 4; v++) {
            moved[v] = multiply(t, p[v]);
        }
        Npy.write(dir.resolve("p.npy"), poses(p));
        Npy.write(dir.resolve("moved.npy"), poses(moved));
        Fixtures f = new Fixtures(62);
        Tensor q = f.uniform(DType.FLOAT64, 2, 3, 8, 12), k = f.uniform(DType.FLOAT64, 2, 3, 12, 12);
        double[] before = logits(q, k, dir.resolve("p.npy"));
        double[] after = logits(q, k, dir.resolve("moved.npy"));
        double scale = 0, worst = 0;
        for (int i = 0; i < before.length; i++) {
            scale = Math.max(scale, Math.abs(before[i]));
            worst = Math.max(worst, Math.abs(before[i] - after[i]));
        }
        assertTrue(worst <= 1e-12 * scale, "max |logit change| " + worst + " of " + scale);
        // and the logits do depend on the relative poses: moving one view changes them
        moved[2] = multiply(t, moved[2]);
        Npy.write(dir.resolve("one-moved.npy"), poses(moved));
        double[] changed = logits(q, k, dir.resolve("one-moved.npy"));
        double diff = 0;
        for (int i = 0; i < before.length; i++) {
            diff = Math.max(diff, Math.abs(changed[i] - after[i]));
        }
        assertTrue(diff > 1e-3 * scale, "moving one view must change logits: " + diff);
    }

    @Test
    void identityPosesLeaveTokensUnchanged() throws IOException {
        double[][] eye = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}};
        Npy.write(dir.resolve("eye.npy"), poses(eye, 2));
        Tensor q = new Fixtures(63).uniform(DType.FLOAT64, 1, 1, 4, 8);
        PositionalResult r = method().encode(PositionalCall.tokens(q, q).withParams(Map.of("poses",
            dir.resolve("eye.npy").toString())), Fixtures.BACKEND);
        Fixtures.assertSame("q", q, r.q(), 0);
        Fixtures.assertSame("k", q, r.k(), 0);
    }

    @Test
    void rejectsMissingOrNonRigidPosesAndLengthsThatSplitViews() throws IOException {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 1, 6, 8);
        Fixtures.assertArgument("--pe-option poses", () -> method().encode(PositionalCall.tokens(x, x), Fixtures.BACKEND));
        double[][] skew = randomPose();
        skew[0][1] += 0.1;
        Npy.write(dir.resolve("skew.npy"), poses(skew, 1));
        Fixtures.assertArgument("--pe-option poses", () -> method().encode(PositionalCall.tokens(x, x)
            .withParams(Map.of("poses", dir.resolve("skew.npy").toString())), Fixtures.BACKEND));
        Npy.write(dir.resolve("four.npy"), poses(randomPose(), 4));
        Fixtures.assertArgument("q", () -> method().encode(PositionalCall.tokens(x, x)
            .withParams(Map.of("poses", dir.resolve("four.npy").toString())), Fixtures.BACKEND));
    }

    /**
     * The whole of GTA, value and output transforms included, against the dense form of eq. (6):
     * Oᵢ = Σⱼ softmaxⱼ(qᵢᵀ M_ij kⱼ / √D) M_ij vⱼ with M_ij = P_{v(i)}⁻¹ P_{v(j)} on each 4-block of the se3 channels,
     * the identity on the others; P⁻¹ by Gauss–Jordan.
     */
    @Test
    void attentionWithValueAndOutputTransformsMatchesDenseFloat64Reference() throws IOException {
        double[][][] p = {randomPose(), randomPose(), randomPose()};
        Npy.write(dir.resolve("three.npy"), poses(p));
        Fixtures f = new Fixtures(64);
        Tensor q = f.uniform(DType.FLOAT64, 2, 2, 6, 10), k = f.uniform(DType.FLOAT64, 2, 1, 9, 10);
        Tensor v = f.uniform(DType.FLOAT64, 2, 1, 9, 11);
        Tensor actual = gtaAttention(q, k, v, Map.of("poses", dir.resolve("three.npy").toString(), "se3-dims", "8"));
        double scale = 1 / Math.sqrt(10);
        double[][][][] rel = new double[6][9][][];
        for (int i = 0; i < 6; i++) {
            for (int j = 0; j < 9; j++) {
                rel[i][j] = multiply(invert(p[i / 2]), p[j / 3]);
            }
        }
        Tensor want = Tensor.zeros(DType.FLOAT64, 2, 2, 6, 11);
        for (int b = 0; b < 2; b++) {
            for (int h = 0; h < 2; h++) {
                for (int i = 0; i < 6; i++) {
                    double[] w = new double[9];
                    double z = 0;
                    for (int j = 0; j < 9; j++) {
                        double[] kj = blockwise(rel[i][j], row(k, b, 0, j), 8);
                        double s = 0;
                        for (int e = 0; e < 10; e++) {
                            s += q.get(b, h, i, e) * kj[e];
                        }
                        w[j] = Math.exp(scale * s);
                        z += w[j];
                    }
                    for (int j = 0; j < 9; j++) {
                        double[] vj = blockwise(rel[i][j], row(v, b, 0, j), 8);
                        for (int e = 0; e < 11; e++) {
                            want.set(want.get(b, h, i, e) + w[j] / z * vj[e], b, h, i, e);
                        }
                    }
                }
            }
        }
        Fixtures.assertSame("O", want, actual, 1e-12);
    }

    /** The test: a common change of world frame, Pᵥ ↦ T Pᵥ, leaves the attention output O unchanged. */
    @Test
    void attentionOutputDependsOnlyOnRelativePoses() throws IOException {
        double[][][] p = {randomPose(), randomPose(), randomPose(), randomPose()};
        double[][] t = randomPose();
        double[][][] moved = new double[4][][];
        for (int v = 0; v < 4; v++) {
            moved[v] = multiply(t, p[v]);
        }
        Npy.write(dir.resolve("p.npy"), poses(p));
        Npy.write(dir.resolve("moved.npy"), poses(moved));
        Fixtures f = new Fixtures(65);
        Tensor q = f.uniform(DType.FLOAT64, 2, 3, 8, 12), k = f.uniform(DType.FLOAT64, 2, 3, 12, 12);
        Tensor v = f.uniform(DType.FLOAT64, 2, 3, 12, 12);
        Tensor before = gtaAttention(q, k, v, Map.of("poses", dir.resolve("p.npy").toString()));
        Tensor after = gtaAttention(q, k, v, Map.of("poses", dir.resolve("moved.npy").toString()));
        double scale = 0;
        for (int i = 0; i < before.size(); i++) {
            scale = Math.max(scale, Math.abs(before.getFlat(i)));
        }
        Fixtures.assertSame("O after a change of world frame", before, after, 1e-12 * scale);
        // the values really are transformed: without the output transform the output is frame-dependent
        Map<String, String> moving = Map.of("poses", dir.resolve("moved.npy").toString());
        PositionalResult r = method().encode(PositionalCall.tokens(q, k).withParams(moving), Fixtures.BACKEND);
        Tensor raw = Float64Attention.sdpa(r.q(), r.k(), r.values(v), 1 / Math.sqrt(12), false);
        double diff = 0;
        for (int i = 0; i < raw.size(); i++) {
            diff = Math.max(diff, Math.abs(raw.getFlat(i) - before.getFlat(i)));
        }
        assertTrue(diff > 1e-3 * scale, "the output transform must matter: " + diff);
    }

    /**
     * ρ = 2×2 rotations of 1-D positions: pose n is the rotation by n radians about z (no translation), one view
     * per token, q and k nonzero only in channels 0 and 1. With the value transform disabled GTA attention equals
     * RoPE attention on those two channels (θ₀ = 1), element for element.
     */
    @Test
    void equalsRopeAttentionForPlanarRotationsWithoutValueTransform() throws IOException {
        int n = 7;
        double[][][] p = new double[n][][];
        for (int m = 0; m < n; m++) {
            p[m] = new double[][] {{Math.cos(m), -Math.sin(m), 0, 0}, {Math.sin(m), Math.cos(m), 0, 0}, {0, 0, 1, 0},
                {0, 0, 0, 1}};
        }
        Npy.write(dir.resolve("planar.npy"), poses(p));
        Fixtures f = new Fixtures(66);
        Tensor q2 = f.uniform(DType.FLOAT64, 1, 2, n, 2), k2 = f.uniform(DType.FLOAT64, 1, 2, n, 2);
        Tensor v = f.uniform(DType.FLOAT64, 1, 2, n, 5);
        Tensor q4 = Tensor.zeros(DType.FLOAT64, 1, 2, n, 4), k4 = Tensor.zeros(DType.FLOAT64, 1, 2, n, 4);
        for (int h = 0; h < 2; h++) {
            for (int m = 0; m < n; m++) {
                for (int e = 0; e < 2; e++) {
                    q4.set(q2.get(0, h, m, e), 0, h, m, e);
                    k4.set(k2.get(0, h, m, e), 0, h, m, e);
                }
            }
        }
        PositionalResult gta = method().encode(PositionalCall.tokens(q4, k4).withParams(Map.of("poses",
            dir.resolve("planar.npy").toString(), "v-transform", "false")), Fixtures.BACKEND);
        assertTrue(!gta.transformsValues(), "v-transform=false must give q and k only");
        PositionalResult rope = new RotaryPositionEmbedding().encode(PositionalCall.tokens(q2, k2), Fixtures.BACKEND);
        for (boolean causal : new boolean[] {false, true}) {
            Tensor a = Float64Attention.sdpa(gta.q(), gta.k(), v, 0.5, causal);
            Tensor b = Float64Attention.sdpa(rope.q(), rope.k(), v, 0.5, causal);
            Fixtures.assertSame("GTA vs RoPE attention, causal=" + causal, b, a, 1e-14);
        }
    }

    /**
     * ρ⁻¹ = ρᵀ for rotation-only poses: the output transform is ρᵀ block by block, the q map equals the k map
     * ((ρ⁻¹)ᵀ = ρ), and output ∘ value is the identity for equal query and key views.
     */
    @Test
    void representationIsOrthogonalForRotationOnlyPoses() throws IOException {
        double[][][] p = {randomPose(), randomPose()};
        for (double[][] pose : p) {
            for (int r = 0; r < 3; r++) {
                pose[r][3] = 0;
            }
        }
        Npy.write(dir.resolve("rot.npy"), poses(p));
        Tensor x = new Fixtures(67).uniform(DType.FLOAT64, 1, 2, 4, 8);
        PositionalResult r = method().encode(PositionalCall.tokens(x, x).withParams(Map.of("poses",
            dir.resolve("rot.npy").toString())), Fixtures.BACKEND);
        Fixtures.assertSame("q map vs k map", r.k(), r.q(), 1e-15);
        Tensor out = r.output(x);
        Tensor want = Tensor.zeros(DType.FLOAT64, 1, 2, 4, 8);
        for (int h = 0; h < 2; h++) {
            for (int n = 0; n < 4; n++) {
                double[] y = blockwise(transpose(p[n / 2]), row(x, 0, h, n), 8);
                for (int e = 0; e < 8; e++) {
                    want.set(y[e], 0, h, n, e);
                }
            }
        }
        Fixtures.assertSame("output transform vs ρᵀ", want, out, 1e-15);
        Fixtures.assertSame("ρ⁻¹ρ v", x, r.output(r.values(x)), 1e-15);
    }

    @Test
    void rejectsBadValueAndOutputShapesAndFlags() {
        Tensor q = Tensor.zeros(DType.FLOAT64, 1, 2, 4, 8), k = Tensor.zeros(DType.FLOAT64, 1, 1, 6, 8);
        PositionalCall call = PositionalCall.tokens(q, k).withParams(params());
        PositionalResult r = method().encode(call, Fixtures.BACKEND);
        Fixtures.assertArgument("v", () -> r.values(Tensor.zeros(DType.FLOAT64, 1, 1, 5, 8)));
        Fixtures.assertArgument("v", () -> r.values(Tensor.zeros(DType.FLOAT64, 1, 1, 6, 4)));
        Fixtures.assertArgument("output", () -> r.output(Tensor.zeros(DType.FLOAT64, 1, 2, 6, 8)));
        Fixtures.assertArgument("--pe-option v-transform", () -> method().encode(call.withParams(Map.of("v-transform",
            "yes")), Fixtures.BACKEND));
    }

    // ----------------------------------------------------------------------------------------------- helpers

    /** P⁻¹-frame GTA attention: encode, attend over (q', k', v') in float64 at 1/√D, output-transform. */
    private Tensor gtaAttention(Tensor q, Tensor k, Tensor v, Map<String, String> params) {
        PositionalResult r = method().encode(PositionalCall.tokens(q, k).withParams(params), Fixtures.BACKEND);
        assertTrue(r.transformsValues(), "GTA transforms values by default");
        return r.output(Float64Attention.sdpa(r.q(), r.k(), r.values(v), 1 / Math.sqrt(q.dim(3)), false));
    }

    private static double[] row(Tensor x, int b, int h, int n) {
        double[] r = new double[x.dim(3)];
        for (int e = 0; e < r.length; e++) {
            r[e] = x.get(b, h, n, e);
        }
        return r;
    }

    /** m applied to each 4-block of the first {@code dims} entries of x; the rest copied. */
    private static double[] blockwise(double[][] m, double[] x, int dims) {
        double[] y = x.clone();
        for (int b = 0; b < dims; b += 4) {
            for (int r = 0; r < 4; r++) {
                double s = 0;
                for (int c = 0; c < 4; c++) {
                    s += m[r][c] * x[b + c];
                }
                y[b + r] = s;
            }
        }
        return y;
    }

    private static double[][] transpose(double[][] m) {
        double[][] t = new double[4][4];
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 4; c++) {
                t[r][c] = m[c][r];
            }
        }
        return t;
    }

    private double[] logits(Tensor q, Tensor k, Path poses) {
        PositionalResult r = method().encode(PositionalCall.tokens(q, k).withParams(Map.of("poses", poses.toString())),
            Fixtures.BACKEND);
        int b = q.dim(0), h = q.dim(1), n = q.dim(2), m = k.dim(2), d = q.dim(3);
        double[] out = new double[b * h * n * m];
        int f = 0;
        for (int z = 0; z < b; z++) {
            for (int a = 0; a < h; a++) {
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < m; j++) {
                        double s = 0;
                        for (int e = 0; e < d; e++) {
                            s += r.q().get(z, a, i, e) * r.k().get(z, a, j, e);
                        }
                        out[f++] = s;
                    }
                }
            }
        }
        return out;
    }

    /** A rotation from a random unit quaternion and a translation in [−2, 2)³. */
    private double[][] randomPose() {
        double w = random.nextGaussian(), x = random.nextGaussian(), y = random.nextGaussian(), z = random.nextGaussian();
        double norm = Math.sqrt(w * w + x * x + y * y + z * z);
        w /= norm;
        x /= norm;
        y /= norm;
        z /= norm;
        return new double[][] {
            {1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y), 4 * random.nextDouble() - 2},
            {2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x), 4 * random.nextDouble() - 2},
            {2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y), 4 * random.nextDouble() - 2},
            {0, 0, 0, 1}};
    }

    private static Tensor poses(double[][] pose, int views) {
        double[][][] p = new double[views][][];
        Arrays.fill(p, pose);
        return poses(p);
    }

    private static Tensor poses(double[][][] p) {
        Tensor t = Tensor.zeros(DType.FLOAT64, p.length, 4, 4);
        for (int v = 0; v < p.length; v++) {
            for (int r = 0; r < 4; r++) {
                for (int c = 0; c < 4; c++) {
                    t.set(p[v][r][c], v, r, c);
                }
            }
        }
        return t;
    }

    private static double[][] scaled(double[][] p, double s) {
        double[][] m = new double[4][];
        for (int r = 0; r < 4; r++) {
            m[r] = p[r].clone();
        }
        for (int r = 0; r < 3; r++) {
            m[r][3] *= s;
        }
        return m;
    }

    private static double[][] multiply(double[][] a, double[][] b) {
        double[][] c = new double[4][4];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                for (int e = 0; e < 4; e++) {
                    c[i][j] += a[i][e] * b[e][j];
                }
            }
        }
        return c;
    }

    /** Gauss–Jordan with partial pivoting. */
    private static double[][] invert(double[][] m) {
        double[][] a = new double[4][8];
        for (int r = 0; r < 4; r++) {
            System.arraycopy(m[r], 0, a[r], 0, 4);
            a[r][4 + r] = 1;
        }
        for (int c = 0; c < 4; c++) {
            int pivot = c;
            for (int r = c + 1; r < 4; r++) {
                if (Math.abs(a[r][c]) > Math.abs(a[pivot][c])) {
                    pivot = r;
                }
            }
            double[] swap = a[c];
            a[c] = a[pivot];
            a[pivot] = swap;
            double div = a[c][c];
            for (int e = 0; e < 8; e++) {
                a[c][e] /= div;
            }
            for (int r = 0; r < 4; r++) {
                if (r != c) {
                    double factor = a[r][c];
                    for (int e = 0; e < 8; e++) {
                        a[r][e] -= factor * a[c][e];
                    }
                }
            }
        }
        double[][] inv = new double[4][4];
        for (int r = 0; r < 4; r++) {
            System.arraycopy(a[r], 4, inv[r], 0, 4);
        }
        return inv;
    }

    private static void assertClose(double expected, double actual) {
        assertTrue(Math.abs(expected - actual) <= 1e-12, expected + " vs " + actual);
    }
}

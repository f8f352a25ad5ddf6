package org.attune.equivariance.graph;

import static org.attune.equivariance.graph.SteerableFixtures.ALGEBRA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.attune.api.backend.ComputeBackend;
import org.attune.api.equivariance.EquivarianceCertificate;
import org.attune.api.equivariance.GeometricInput;
import org.attune.api.equivariance.IrrepAlgebra;
import org.attune.api.equivariance.SymmetryGroup;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.attune.backend.java.JavaBackend;
import org.attune.symmetry.GroupCatalogue;
import org.junit.jupiter.api.Test;

/**
 * EquiformerV2: the separable layer norm is exactly equivariant (1e-12); the separable S² activation is
 * equivariant only up to its grid's quadrature error, so the network's SO(3) error is asserted against a
 * bound per grid (measured: 1e-3 at G = 6, 5e-7 at 12, 1.5e-9 at 16, 5e-14 at 24) and must fall with it; the
 * default grid (24) passes the shared certifier (float64 1e-9, float32 1e-3) for SO(3), SE(3) and node
 * permutations; the block matches a float64 transcription (explicit frame matrices, a different but valid edge
 * frame, literal quadrature) within the grid-tied 1e-11; bad input is named.
 */
class EquiformerV2Test {
    static final ComputeBackend BACKEND = new JavaBackend();
    static final Map<String, SymmetryGroup> GROUPS = GroupCatalogue.groups();
    final EquiformerV2 method = new EquiformerV2(ALGEBRA);

    @Test
    void isRotationTranslationAndPermutationEquivariantOnTheDefaultGrid() {
        for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
            for (String claim : List.of("SO(3)", "SE(3)", "permutation:nodes")) {
                for (EquivarianceCertificate.Finding f : EquivarianceCertificate.certify(method, claim,
                    GROUPS.get(EquivarianceCertificate.groupId(claim)), Map.of(), dtype, 3, 19, BACKEND)) {
                    assertTrue(f.holds(), f.toString());
                }
            }
        }
        for (EquivarianceCertificate.Finding f : EquivarianceCertificate.certify(method, "SE(3)(feats=irrep:2)",
            GROUPS.get("SE(3)"), Map.of("in", "1x2", "out", "1x2", "blocks", "2"), DType.FLOAT64, 2, 20, BACKEND)) {
            assertTrue(f.holds(), f.toString());
        }
    }

    @Test
    void rotationErrorFallsWithTheS2Grid() {
        SplittableRandom r = new SplittableRandom(4);
        IrrepLayout in = IrrepLayout.parse("2x0+1x1+1x2", "in");
        Tensor x = SteerableFixtures.uniform(r, 7, 3);
        Tensor h = SteerableFixtures.uniform(r, 7, in.channels());
        double[] rot = SteerableFixtures.rotation(r);
        double[] t = {0.5, -1, 2};
        int[] grids = {6, 12, 24};
        double[] bounds = {1e-2, 1e-5, 1e-9};
        double previous = Double.POSITIVE_INFINITY;
        for (int g = 0; g < grids.length; g++) {
            Map<String, String> p = Map.of("in", in.toString(), "grid", "" + grids[g]);
            Tensor plain = method.apply(new GeometricInput(x, h, null, 5, p), BACKEND).feats();
            Tensor moved = method.apply(new GeometricInput(SteerableFixtures.move(x, rot, t),
                SteerableFixtures.rotate(h, in, rot), null, 5, p), BACKEND).feats();
            double error = SteerableFixtures.error(moved, SteerableFixtures.rotate(plain, in, rot));
            assertTrue(error < bounds[g], "grid " + grids[g] + ": " + error);
            assertTrue(error < previous / 100, "grid " + grids[g] + " must improve on the coarser grid: " + error);
            previous = error;
        }
        assertTrue(previous > 0, "the coarse grids are genuinely approximate");
    }

    @Test
    void separableLayerNormIsExactlyEquivariantAndNormalises() {
        SplittableRandom r = new SplittableRandom(7);
        IrrepLayout layout = IrrepLayout.uniform(3, 2);
        double[][][] f = layout.unpack(SteerableFixtures.uniform(r, 1, layout.channels()))[0];
        double[] rot = SteerableFixtures.rotation(r);
        double[][][] out = SeparableLayerNorm.apply(f);
        double[][][] rf = layout.unpack(layout.pack(new double[][][][] {f}, DType.FLOAT64))[0];
        SteerableFixtures.rotate(rf, rot);
        double[][][] expected = layout.unpack(layout.pack(new double[][][][] {out}, DType.FLOAT64))[0];
        SteerableFixtures.rotate(expected, rot);
        assertTrue(SteerableFixtures.error(new double[][][][] {SeparableLayerNorm.apply(rf)},
            new double[][][][] {expected}) < 1e-12);
        double mean = 0;
        double var = 0;
        for (int c = 0; c < 3; c++) {
            mean += out[0][c][0] / 3;
        }
        for (int c = 0; c < 3; c++) {
            var += (out[0][c][0] - mean) * (out[0][c][0] - mean) / 3;
        }
        assertEquals(0, mean, 1e-12);
        assertEquals(1, var, 1e-3);
        double sigma2 = 0;
        for (int l = 1; l <= 2; l++) {
            for (double[] v : out[l]) {
                for (double x : v) {
                    sigma2 += x * x / ((2 * l + 1) * 2.0 * 3);
                }
            }
        }
        assertEquals(1, sigma2, 1e-3);
    }

    @Test
    void matchesFloat64Reference() {
        SplittableRandom r = new SplittableRandom(23);
        IrrepLayout in = IrrepLayout.parse("2x0+1x1", "in");
        IrrepLayout out = IrrepLayout.parse("1x0+1x1+1x2", "out");
        Tensor x = SteerableFixtures.uniform(r, 4, 3);
        Tensor h = SteerableFixtures.uniform(r, 4, in.channels());
        Map<String, String> p = Map.of("in", in.toString(), "out", out.toString(), "channels", "2", "degree", "2",
            "heads", "2", "alpha", "3", "value", "1", "hidden", "2", "basis", "3", "blocks", "2");
        Tensor got = method.apply(new GeometricInput(x, h, null, 41, p), BACKEND).feats();
        SplittableRandom w = new SplittableRandom(41);
        IrrepLayout sphere = IrrepLayout.uniform(2, 2);
        DegreeLinear embed = DegreeLinear.init(w, in, sphere);
        EquiformerV2Block[] blocks = {new EquiformerV2Block(w, 2, 2, 2, 2, 3, 1, 2, 3, 3.0),
            new EquiformerV2Block(w, 2, 2, 2, 2, 3, 1, 2, 3, 3.0)};
        DegreeLinear readout = DegreeLinear.init(w, sphere, out);
        double[][] pos = Se3TransformerTest.rows(x);
        double[][][][] state = new double[4][][][];
        for (int i = 0; i < 4; i++) {
            state[i] = Se3TransformerTest.linear(embed.weight(), in.unpack(h)[i]);
        }
        IrrepAlgebra.Quadrature grid = ALGEBRA.sphereGrid(24, 48);
        for (EquiformerV2Block b : blocks) {
            state = referenceBlock(b, pos, state, grid, 3, 3.0);
        }
        double[][][][] ref = new double[4][][][];
        for (int i = 0; i < 4; i++) {
            ref[i] = Se3TransformerTest.linear(readout.weight(), state[i]);
        }
        assertTrue(SteerableFixtures.error(out.unpack(got), ref) < 1e-11);
        Tensor f32 = method.apply(new GeometricInput(x.to(DType.FLOAT32), h.to(DType.FLOAT32), null, 41, p), BACKEND)
            .feats();
        assertEquals(DType.FLOAT32, f32.dtype());
        assertTrue(SteerableFixtures.error(out.unpack(f32), ref) < 1e-4);
    }

    @Test
    void rejectsBadInputNamingTheArgument() {
        Tensor x = SteerableFixtures.uniform(new SplittableRandom(1), 4, 3);
        Tensor h = Tensor.zeros(DType.FLOAT64, 4, 3);
        assertEquals("grid", assertThrows(InvalidInputException.class, () -> method.apply(
            new GeometricInput(x, h, null, 0, Map.of("grid", "0")), BACKEND)).argument());
        assertEquals("feats", assertThrows(InvalidInputException.class, () -> method.apply(
            new GeometricInput(x, h, null, 0, Map.of("in", "2x1")), BACKEND)).argument());
        assertEquals("coords", assertThrows(InvalidInputException.class, () -> method.apply(
            new GeometricInput(Tensor.zeros(DType.FLOAT64, 4, 3), h, null, 0, Map.of()), BACKEND)).argument());
    }

    // ---- float64 reference transcription --------------------------------------------------------------

    /** One block on the complete graph, written out: SLN, per-edge frame matrices, attention, S² by quadrature, FFN. */
    static double[][][][] referenceBlock(EquiformerV2Block b, double[][] pos, double[][][][] x,
                                         IrrepAlgebra.Quadrature grid, int basis, double cutoff) {
        int n = x.length;
        int degree = b.sphere.maxDegree();
        int c0 = b.sphere.mul(0);
        int hv = b.heads * b.valueChannels;
        double[][][][] normed = new double[n][][][];
        for (int i = 0; i < n; i++) {
            normed[i] = sln(x[i]);
        }
        double[][][][] result = new double[n][][][];
        for (int i = 0; i < n; i++) {
            List<double[]> logits = new java.util.ArrayList<>();
            List<double[][][]> values = new java.util.ArrayList<>();
            List<double[]> frames = new java.util.ArrayList<>();
            for (int j = 0; j < n; j++) {
                if (j == i) {
                    continue;
                }
                double[] r = {pos[j][0] - pos[i][0], pos[j][1] - pos[i][1], pos[j][2] - pos[i][2]};
                double d = Math.sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]);
                double[] frame = EscnTest.frame(r);
                double[] e = new double[basis];
                double step = cutoff / (basis - 1);
                for (int q = 0; q < basis; q++) {
                    e[q] = Math.exp(-0.5 / (step * step) * (d - step * q) * (d - step * q));
                }
                // [x_j ; x_i] rotated into the frame
                double[][][] msg = new double[degree + 1][2 * c0][];
                for (int l = 0; l <= degree; l++) {
                    double[] dl = ALGEBRA.wignerD(l, frame);
                    for (int c = 0; c < c0; c++) {
                        msg[l][c] = SteerableFixtures.times(dl, normed[j][l][c]);
                        msg[l][c0 + c] = SteerableFixtures.times(dl, normed[i][l][c]);
                    }
                }
                double[][][] y = so2(b.first, msg, e);
                double[] logit = new double[b.heads];
                for (int hd = 0; hd < b.heads; hd++) {
                    double[] a = new double[b.alphaChannels];
                    for (int c = 0; c < b.alphaChannels; c++) {
                        a[c] = y[0][b.hidden + hd * b.alphaChannels + c][0];
                    }
                    double mean = java.util.Arrays.stream(a).average().orElse(0);
                    double var = java.util.Arrays.stream(a).map(v -> (v - mean) * (v - mean)).average().orElse(0);
                    for (int c = 0; c < a.length; c++) {
                        double u = (a[c] - mean) / Math.sqrt(var + 1e-5);
                        double act = 0.6 * u + 0.4 * u * Math.tanh(u / 2); // SmoothLeakyReLU_0.2: 2σ(u) − 1 = tanh(u/2)
                        logit[hd] += b.alphaDot[hd][c] * act;
                    }
                }
                double[] gates = new double[b.hidden];
                double[][][] s2in = new double[degree + 1][][];
                s2in[0] = new double[b.hidden][];
                for (int c = 0; c < b.hidden; c++) {
                    gates[c] = y[0][b.hidden + b.heads * b.alphaChannels + c][0];
                    s2in[0][c] = y[0][c];
                }
                for (int l = 1; l <= degree; l++) {
                    s2in[l] = y[l];
                }
                values.add(so2(b.second, s2(gates, s2in, grid), new double[] {1}));
                logits.add(logit);
                frames.add(frame);
            }
            double[][][] attended = IrrepLayout.uniform(hv, degree).zeros();
            for (int t = 0; t < values.size(); t++) {
                for (int l = 0; l <= degree; l++) {
                    double[] dl = ALGEBRA.wignerD(l, frames.get(t));
                    for (int c = 0; c < hv; c++) {
                        int hd = c / b.valueChannels;
                        double z = 0;
                        for (double[] lg : logits) {
                            z += Math.exp(lg[hd]);
                        }
                        double alpha = Math.exp(logits.get(t)[hd]) / z;
                        for (int p = 0; p <= 2 * l; p++) {
                            for (int q = 0; q <= 2 * l; q++) {
                                attended[l][c][p] += alpha * dl[q * (2 * l + 1) + p] * values.get(t)[l][c][q];
                            }
                        }
                    }
                }
            }
            double[][][] mid = plus(x[i], Se3TransformerTest.linear(b.project.weight(), attended));
            double[][][] nm = sln(mid);
            double[] gates = new double[b.hidden];
            for (int hd = 0; hd < b.hidden; hd++) {
                gates[hd] = b.gateBias[hd];
                for (int c = 0; c < c0; c++) {
                    gates[hd] += b.gateWeight[hd][c] * nm[0][c][0];
                }
            }
            result[i] = plus(mid, Se3TransformerTest.linear(b.ffn2.weight(),
                s2(gates, Se3TransformerTest.linear(b.ffn1.weight(), nm), grid)));
        }
        return result;
    }

    static double[][][] so2(So2Convolution conv, double[][][] x, double[] radial) {
        double[][][] y = conv.out().zeros();
        for (int l = 0; l <= conv.out().maxDegree(); l++) {
            for (int k = 0; k <= conv.in().maxDegree(); k++) {
                for (int c = 0; c < conv.out().mul(l); c++) {
                    for (int ci = 0; ci < conv.in().mul(k); ci++) {
                        double[][] wt = EscnTest.so2Matrix(conv, l, k, c, ci, radial);
                        for (int p = 0; p <= 2 * l; p++) {
                            for (int q = 0; q <= 2 * k; q++) {
                                y[l][c][p] += wt[p][q] * x[k][ci][q];
                            }
                        }
                    }
                }
            }
        }
        return y;
    }

    /** SiLU(g) at l = 0; l &gt; 0: Σ_p w_p SiLU(Σ_lm x_lm Y_lm(s_p)) Y_lm(s_p). */
    static double[][][] s2(double[] gates, double[][][] x, IrrepAlgebra.Quadrature grid) {
        int degree = x.length - 1;
        int channels = x[0].length;
        double[][][] out = new double[degree + 1][channels][];
        for (int c = 0; c < channels; c++) {
            out[0][c] = new double[] {gates[c] / (1 + Math.exp(-gates[c]))};
            for (int l = 1; l <= degree; l++) {
                out[l][c] = new double[2 * l + 1];
            }
            for (int p = 0; p < grid.size(); p++) {
                double[] s = {grid.points()[3 * p], grid.points()[3 * p + 1], grid.points()[3 * p + 2]};
                double f = 0;
                for (int l = 0; l <= degree; l++) {
                    double[] y = ALGEBRA.sphericalHarmonics(l, s);
                    for (int m = 0; m <= 2 * l; m++) {
                        f += x[l][c][m] * y[m];
                    }
                }
                double a = f / (1 + Math.exp(-f)) * grid.weights()[p];
                for (int l = 1; l <= degree; l++) {
                    double[] y = ALGEBRA.sphericalHarmonics(l, s);
                    for (int m = 0; m <= 2 * l; m++) {
                        out[l][c][m] += a * y[m];
                    }
                }
            }
        }
        return out;
    }

    /** Separable layer norm: LayerNorm at l = 0; l &gt; 0 divided by √(degree-balanced mean square + 1e-5). */
    static double[][][] sln(double[][][] f) {
        int degree = f.length - 1;
        int channels = f[0].length;
        double[][][] out = new double[degree + 1][channels][];
        double mean = 0;
        for (double[] v : f[0]) {
            mean += v[0] / channels;
        }
        double var = 0;
        for (double[] v : f[0]) {
            var += (v[0] - mean) * (v[0] - mean) / channels;
        }
        double ms = 0;
        for (int l = 1; l <= degree; l++) {
            for (double[] v : f[l]) {
                for (double u : v) {
                    ms += u * u / (2 * l + 1) / degree / channels;
                }
            }
        }
        for (int c = 0; c < channels; c++) {
            out[0][c] = new double[] {(f[0][c][0] - mean) / Math.sqrt(var + 1e-5)};
            for (int l = 1; l <= degree; l++) {
                out[l][c] = f[l][c].clone();
                for (int m = 0; m <= 2 * l; m++) {
                    out[l][c][m] /= Math.sqrt(ms + 1e-5);
                }
            }
        }
        return out;
    }

    static double[][][] plus(double[][][] a, double[][][] b) {
        double[][][] out = new double[a.length][][];
        for (int l = 0; l < a.length; l++) {
            out[l] = new double[a[l].length][];
            for (int c = 0; c < a[l].length; c++) {
                out[l][c] = a[l][c].clone();
                for (int m = 0; m < a[l][c].length; m++) {
                    out[l][c][m] += b[l][c][m];
                }
            }
        }
        return out;
    }
}

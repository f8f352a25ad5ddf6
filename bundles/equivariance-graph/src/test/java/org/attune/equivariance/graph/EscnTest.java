package org.attune.equivariance.graph;

import static org.attune.equivariance.graph.SteerableFixtures.ALGEBRA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.attune.backend.java.JavaBackend;
import org.attune.symmetry.GroupCatalogue;
import org.junit.jupiter.api.Test;

/**
 * eSCN: the SO(2) convolution equals the Clebsch–Gordan tensor product with Y(r̂) for matched weights (L ≤ 2,
 * every |m|), its message does not depend on the roll of the edge frame and is SO(3)-equivariant (1e-12),
 * the network certifies SO(3)/SE(3)/permutations (float64 1e-9, float32 1e-3) and matches a float64
 * transcription written with explicit in-frame matrices, and bad input is named.
 */
class EscnTest {
    static final ComputeBackend BACKEND = new JavaBackend();
    static final Map<String, SymmetryGroup> GROUPS = GroupCatalogue.groups();
    static final Map<String, String> SMALL = Map.of("hidden", "2", "basis", "4");
    final Escn method = new Escn(ALGEBRA);

    static double[][][] features(SplittableRandom r, IrrepLayout layout) {
        double[][][] f = layout.zeros();
        for (double[][] byC : f) {
            for (double[] v : byC) {
                for (int m = 0; m < v.length; m++) {
                    v[m] = r.nextDouble(-1, 1);
                }
            }
        }
        return f;
    }

    static double[] vector(SplittableRandom r) {
        return new double[] {r.nextDouble(-1, 1), r.nextDouble(-1, 1), r.nextDouble(-1, 1)};
    }

    @Test
    void equalsTheClebschGordanProductWithMatchedWeights() {
        SplittableRandom r = new SplittableRandom(8);
        for (int degree = 0; degree <= 2; degree++) {
            IrrepLayout layout = IrrepLayout.uniform(2, degree);
            int basis = 3;
            double cutoff = 2.0;
            // TFN weights θ^{lkJ}[c][c'][b] of the full product Σ_J R^{lkJ}(|r|) (Y^J(r̂) ⊗ x^{(k)})_{→l}
            SteerableKernel tfn = SteerableKernel.init(r, layout, layout, basis);
            So2Convolution so2 = matched(tfn, layout, basis, cutoff);
            for (int trial = 0; trial < 4; trial++) {
                double[][][] f = features(r, layout);
                double[] rel = vector(r);
                double[][][] expected = fullProduct(tfn, layout, f, rel, basis, cutoff);
                double[][][] got = so2.message(ALGEBRA, f, rel, 0);
                assertTrue(SteerableFixtures.error(new double[][][][] {got}, new double[][][][] {expected}) < 1e-12,
                    "L=" + degree);
            }
        }
    }

    @Test
    void edgeFrameCouplingsHaveTheSo2BlockStructure() {
        // C^{Jk→l}[m_J = 0, m_k, m_l] ≠ 0 only for |m_k| = |m_l|, with [[a, −b], [b, a]] on (+m, −m)
        for (int l = 0; l <= 2; l++) {
            for (int k = 0; k <= 2; k++) {
                for (int j = Math.abs(l - k); j <= l + k; j++) {
                    double[] c = ALGEBRA.clebschGordan(j, k, l);
                    for (int mk = -k; mk <= k; mk++) {
                        for (int ml = -l; ml <= l; ml++) {
                            double v = cg(c, j, k, l, mk, ml);
                            if (Math.abs(mk) != Math.abs(ml)) {
                                assertEquals(0, v, 1e-14);
                            }
                        }
                    }
                    for (int m = 1; m <= Math.min(l, k); m++) {
                        assertEquals(cg(c, j, k, l, m, m), cg(c, j, k, l, -m, -m), 1e-14, "a: J=" + j + " k=" + k + " l=" + l);
                        assertEquals(cg(c, j, k, l, m, -m), -cg(c, j, k, l, -m, m), 1e-14, "b: J=" + j + " k=" + k + " l=" + l);
                    }
                }
            }
        }
    }

    @Test
    void messageIsIndependentOfTheRollAboutTheEdge() {
        SplittableRandom r = new SplittableRandom(3);
        IrrepLayout layout = IrrepLayout.uniform(2, 2);
        So2Convolution so2 = So2Convolution.init(r, layout, layout, 2, 4, 2.0);
        for (int trial = 0; trial < 4; trial++) {
            double[][][] f = features(r, layout);
            double[] rel = vector(r);
            double[][][] a = so2.message(ALGEBRA, f, rel, 0);
            double[][][] b = so2.message(ALGEBRA, f, rel, r.nextDouble(0, 2 * Math.PI));
            assertTrue(SteerableFixtures.error(new double[][][][] {b}, new double[][][][] {a}) < 1e-12);
        }
        // along ±z the frame's construction switches axis; the message is continuous there
        double[][][] f = features(r, layout);
        double[][][] a = so2.message(ALGEBRA, f, new double[] {1e-9, 0, 0.7}, 0);
        double[][][] b = so2.message(ALGEBRA, f, new double[] {0, 1e-9, 0.7}, 1.0);
        assertTrue(SteerableFixtures.error(new double[][][][] {b}, new double[][][][] {a}) < 1e-7);
    }

    @Test
    void messageIsRotationEquivariant() {
        SplittableRandom r = new SplittableRandom(5);
        IrrepLayout layout = IrrepLayout.uniform(2, 2);
        for (int mmax : new int[] {0, 1, 2}) {
            So2Convolution so2 = So2Convolution.init(r, layout, layout, mmax, 4, 2.0);
            for (int trial = 0; trial < 3; trial++) {
                double[] rot = SteerableFixtures.rotation(r);
                double[][][] f = features(r, layout);
                double[] rel = vector(r);
                double[] rrel = SteerableFixtures.times(rot, rel);
                double[][][] rf = features(r, layout);
                for (int l = 0; l <= 2; l++) {
                    for (int c = 0; c < 2; c++) {
                        rf[l][c] = f[l][c].clone();
                    }
                }
                SteerableFixtures.rotate(rf, rot);
                double[][][] expected = so2.message(ALGEBRA, f, rel, 0);
                SteerableFixtures.rotate(expected, rot);
                double[][][] got = so2.message(ALGEBRA, rf, rrel, 0);
                assertTrue(SteerableFixtures.error(new double[][][][] {got}, new double[][][][] {expected}) < 1e-12,
                    "mmax=" + mmax);
            }
        }
    }

    @Test
    void isRotationTranslationAndPermutationEquivariantThroughTheCertifier() {
        for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
            for (String claim : List.of("SO(3)", "SE(3)", "permutation:nodes")) {
                for (EquivarianceCertificate.Finding f : EquivarianceCertificate.certify(method, claim,
                    GROUPS.get(EquivarianceCertificate.groupId(claim)), SMALL, dtype, 3, 13, BACKEND)) {
                    assertTrue(f.holds(), f.toString());
                }
            }
        }
        for (int l = 1; l <= 2; l++) {
            Map<String, String> p = new java.util.HashMap<>(SMALL);
            p.putAll(Map.of("in", "1x" + l, "out", "1x" + l, "mmax", "1"));
            for (EquivarianceCertificate.Finding f : EquivarianceCertificate.certify(method,
                "SE(3)(feats=irrep:" + l + ")", GROUPS.get("SE(3)"), p, DType.FLOAT64, 3, 14, BACKEND)) {
                assertTrue(f.holds(), f.toString());
            }
        }
        // the 1 ⊗ 1 → 1 (cross-product) couplings are pseudovectors: reflections are not a symmetry
        Map<String, String> vectors = new java.util.HashMap<>(SMALL);
        vectors.putAll(Map.of("in", "1x1", "out", "1x1"));
        assertTrue(!EquivarianceCertificate.certify(method, "E(3)(feats=irrep:1)", GROUPS.get("E(3)"), vectors,
            DType.FLOAT64, 3, 14, BACKEND).get(0).holds());
    }

    @Test
    void matchesFloat64Reference() {
        SplittableRandom r = new SplittableRandom(12);
        IrrepLayout in = IrrepLayout.parse("2x0+1x1", "in");
        IrrepLayout out = IrrepLayout.parse("1x0+1x1+1x2", "out");
        Tensor x = SteerableFixtures.uniform(r, 5, 3);
        Tensor h = SteerableFixtures.uniform(r, 5, in.channels());
        long[] pairs = {1, 2, 3, 4, 0, 2, 0, 0, 0, 0, 1, 4};
        Tensor edges = Tensor.of(pairs, 2, 6);
        Map<String, String> p = Map.of("in", in.toString(), "out", out.toString(), "hidden", "2", "degree", "2",
            "layers", "2", "basis", "3", "cutoff", "2.5");
        GeometricOutput got = method.apply(new GeometricInput(x, h, edges, 31, p), BACKEND);
        assertNull(got.coords());
        // same draws: W_in, θ per layer, W_out
        SplittableRandom w = new SplittableRandom(31);
        IrrepLayout hidden = IrrepLayout.uniform(2, 2);
        DegreeLinear embed = DegreeLinear.init(w, in, hidden);
        So2Convolution[] conv = {So2Convolution.init(w, hidden, hidden, 2, 3, 2.5), So2Convolution.init(w, hidden, hidden, 2, 3, 2.5)};
        DegreeLinear readout = DegreeLinear.init(w, hidden, out);
        double[][] pos = Se3TransformerTest.rows(x);
        double[][][][] f = in.unpack(h);
        double[][][][] state = new double[5][][][];
        for (int i = 0; i < 5; i++) {
            state[i] = Se3TransformerTest.linear(embed.weight(), f[i]);
        }
        for (int t = 0; t < 2; t++) {
            double[][][][] next = new double[5][][][];
            for (int i = 0; i < 5; i++) {
                int deg = 0;
                for (int e = 0; e < 6; e++) {
                    deg += pairs[6 + e] == i ? 1 : 0;
                }
                next[i] = new double[3][][];
                for (int l = 0; l <= 2; l++) {
                    next[i][l] = new double[2][];
                    for (int c = 0; c < 2; c++) {
                        next[i][l][c] = state[i][l][c].clone();
                    }
                }
                for (int e = 0; e < 6; e++) {
                    if (pairs[6 + e] != i) {
                        continue;
                    }
                    int j = (int) pairs[e];
                    double[] rel = {pos[j][0] - pos[i][0], pos[j][1] - pos[i][1], pos[j][2] - pos[i][2]};
                    double[][][] msg = referenceMessage(conv[t], state[j], rel, 3, 2.5);
                    for (int l = 0; l <= 2; l++) {
                        for (int c = 0; c < 2; c++) {
                            for (int m = 0; m <= 2 * l; m++) {
                                next[i][l][c][m] += msg[l][c][m] / Math.max(1, deg);
                            }
                        }
                    }
                }
                if (t == 0) {
                    for (int c = 0; c < 2; c++) {
                        double v = next[i][0][c][0];
                        next[i][0][c][0] = v / (1 + Math.exp(-v));
                    }
                }
            }
            state = next;
        }
        double[][][][] ref = new double[5][][][];
        for (int i = 0; i < 5; i++) {
            ref[i] = Se3TransformerTest.linear(readout.weight(), state[i]);
        }
        assertTrue(SteerableFixtures.error(out.unpack(got.feats()), ref) < 1e-13);
        GeometricOutput f32 = method.apply(new GeometricInput(x.to(DType.FLOAT32), h.to(DType.FLOAT32), edges, 31, p),
            BACKEND);
        assertTrue(SteerableFixtures.error(out.unpack(f32.feats()), ref) < 1e-5);
    }

    @Test
    void rejectsBadInputNamingTheArgument() {
        Tensor x = SteerableFixtures.uniform(new SplittableRandom(1), 4, 3);
        Tensor h = Tensor.zeros(DType.FLOAT64, 4, 3);
        assertEquals("feats", assertThrows(InvalidInputException.class, () -> method.apply(
            new GeometricInput(x, h, null, 0, Map.of("in", "1x2")), BACKEND)).argument());
        assertEquals("out", assertThrows(InvalidInputException.class, () -> method.apply(
            new GeometricInput(x, h, null, 0, Map.of("out", "2y1")), BACKEND)).argument());
        assertEquals("edges", assertThrows(InvalidInputException.class, () -> method.apply(
            new GeometricInput(x, h, Tensor.of(new long[] {0, 7}, 2, 1), 0, Map.of()), BACKEND)).argument());
        assertEquals("coords", assertThrows(InvalidInputException.class, () -> method.apply(
            new GeometricInput(Tensor.zeros(DType.FLOAT64, 4, 3), h, null, 0, Map.of()), BACKEND)).argument());
        assertEquals("cutoff", assertThrows(InvalidInputException.class, () -> method.apply(
            new GeometricInput(x, h, null, 0, Map.of("cutoff", "-1")), BACKEND)).argument());
    }

    // ---- references --------------------------------------------------------------------------------

    /** C^{Jk→l}[0, m_k, m_l] by m values. */
    static double cg(double[] c, int j, int k, int l, int mk, int ml) {
        return c[(j * (2 * k + 1) + mk + k) * (2 * l + 1) + ml + l];
    }

    /**
     * The matched SO(2) weights, θ-linear so they match at the level of the radial coefficients:
     * w0 = Σ_J θ^{lkJ} √((2J+1)/4π) C[0, 0, 0], w1_m = Σ_J θ^{lkJ} √((2J+1)/4π) C[0, m, m],
     * w2_m = Σ_J θ^{lkJ} √((2J+1)/4π) C[0, m, −m].
     */
    static So2Convolution matched(SteerableKernel tfn, IrrepLayout layout, int basis, double cutoff) {
        int degree = layout.maxDegree();
        double[][][][][][][] theta = new double[degree + 1][degree + 1][][][][][];
        for (int l = 0; l <= degree; l++) {
            for (int k = 0; k <= degree; k++) {
                theta[l][k] = new double[Math.min(l, k) + 1][][][][];
                for (int m = 0; m <= Math.min(l, k); m++) {
                    theta[l][k][m] = new double[m == 0 ? 1 : 2][layout.mul(l)][layout.mul(k)][basis];
                    for (int j = Math.abs(l - k); j <= l + k; j++) {
                        double[] c = ALGEBRA.clebschGordan(j, k, l);
                        double y0 = Math.sqrt((2 * j + 1) / (4 * Math.PI));
                        double a = y0 * cg(c, j, k, l, m, m);
                        double b = y0 * cg(c, j, k, l, m, -m);
                        for (int co = 0; co < layout.mul(l); co++) {
                            for (int ci = 0; ci < layout.mul(k); ci++) {
                                for (int q = 0; q < basis; q++) {
                                    double t = tfn.theta()[l][k][j - Math.abs(l - k)][co][ci][q];
                                    theta[l][k][m][0][co][ci][q] += a * t;
                                    if (m > 0) {
                                        theta[l][k][m][1][co][ci][q] += b * t;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return new So2Convolution(layout, layout, degree, basis, cutoff, theta);
    }

    /** Σ_{k, J, c'} R^{lkJ}_{cc'}(|r|) Σ C[m_J, m_k, m_l] Y^J_{m_J}(r̂) f^{(k)}_{c', m_k}, in the global frame. */
    static double[][][] fullProduct(SteerableKernel tfn, IrrepLayout layout, double[][][] f, double[] r, int basis,
                                    double cutoff) {
        return Se3TransformerTest.kernel(tfn, r, f, basis, cutoff);
    }

    /** The in-frame map from channel ci of degree k to channel c of degree l as a (2l+1)×(2k+1) matrix. */
    static double[][] so2Matrix(So2Convolution so2, int l, int k, int c, int ci, double[] radial) {
        double[][] wt = new double[2 * l + 1][2 * k + 1];
        for (int m = 0; m < so2.theta()[l][k].length; m++) {
            double w1 = 0;
            double w2 = 0;
            for (int b = 0; b < radial.length; b++) {
                w1 += so2.theta()[l][k][m][0][c][ci][b] * radial[b];
                w2 += m == 0 ? 0 : so2.theta()[l][k][m][1][c][ci][b] * radial[b];
            }
            if (m == 0) {
                wt[l][k] = w1;
            } else {
                wt[l + m][k + m] = w1;
                wt[l + m][k - m] = -w2;
                wt[l - m][k + m] = w2;
                wt[l - m][k - m] = w1;
            }
        }
        return wt;
    }

    /** The frame with rows e₁, e₂, r̂ by Gram–Schmidt on the x axis (the y axis when r̂ is near x). */
    static double[] frame(double[] r) {
        double d = Math.sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]);
        double[] z = {r[0] / d, r[1] / d, r[2] / d};
        double[] a = Math.abs(z[0]) < 0.9 ? new double[] {1, 0, 0} : new double[] {0, 1, 0};
        double dot = a[0] * z[0] + a[1] * z[1] + a[2] * z[2];
        double[] e1 = {a[0] - dot * z[0], a[1] - dot * z[1], a[2] - dot * z[2]};
        double n1 = Math.sqrt(e1[0] * e1[0] + e1[1] * e1[1] + e1[2] * e1[2]);
        e1 = new double[] {e1[0] / n1, e1[1] / n1, e1[2] / n1};
        double[] e2 = {z[1] * e1[2] - z[2] * e1[1], z[2] * e1[0] - z[0] * e1[2], z[0] * e1[1] - z[1] * e1[0]};
        return new double[] {e1[0], e1[1], e1[2], e2[0], e2[1], e2[2], z[0], z[1], z[2]};
    }

    /**
     * One edge's message with the in-frame map written as a (2l+1)×(2k+1) matrix W̃ and sandwiched explicitly:
     * D^l(R)ᵀ W̃ D^k(R) f, for R the frame with R r̂ = ẑ built here from Gram–Schmidt on the x axis (or y).
     */
    static double[][][] referenceMessage(So2Convolution so2, double[][][] f, double[] r, int basis, double cutoff) {
        double d = Math.sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]);
        double[] frame = frame(r);
        double[] e = new double[basis];
        double step = cutoff / (basis - 1);
        for (int b = 0; b < basis; b++) {
            e[b] = Math.exp(-0.5 / (step * step) * (d - step * b) * (d - step * b));
        }
        int degree = so2.in().maxDegree();
        double[][][] out = new double[degree + 1][][];
        for (int l = 0; l <= degree; l++) {
            int mul = so2.out().mul(l);
            out[l] = new double[mul][2 * l + 1];
            double[] dl = ALGEBRA.wignerD(l, frame);
            for (int k = 0; k <= degree; k++) {
                double[] dk = ALGEBRA.wignerD(k, frame);
                for (int c = 0; c < mul; c++) {
                    for (int ci = 0; ci < so2.in().mul(k); ci++) {
                        double[][] wt = so2Matrix(so2, l, k, c, ci, e);
                        double[] fk = SteerableFixtures.times(dk, f[k][ci]);
                        for (int p = 0; p <= 2 * l; p++) {
                            for (int q = 0; q <= 2 * l; q++) {
                                for (int s = 0; s <= 2 * k; s++) {
                                    out[l][c][p] += dl[q * (2 * l + 1) + p] * wt[q][s] * fk[s];
                                }
                            }
                        }
                    }
                }
            }
        }
        return out;
    }
}

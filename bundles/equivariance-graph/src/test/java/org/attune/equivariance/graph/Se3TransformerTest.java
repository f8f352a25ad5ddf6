package org.attune.equivariance.graph;

import static org.attune.equivariance.graph.SteerableFixtures.ALGEBRA;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
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
 * The SE(3)-Transformer against a float64 transcription of its block (kernels written out as Σ_J R·Y_J·C
 * matrices, kNN by sorting, softmax, self-interaction, norm nonlinearity) with the same seeded weights; its
 * SO(3)/SE(3)/permutation certificates (float64 1e-9, float32 1e-3) for scalars and single irreps through the
 * shared certifier, and for mixed layouts degree by degree; α's invariance; its failure under reflections;
 * its input checks.
 */
class Se3TransformerTest {
    static final ComputeBackend BACKEND = new JavaBackend();
    static final Map<String, SymmetryGroup> GROUPS = GroupCatalogue.groups();
    static final Map<String, String> SMALL = Map.of("hidden", "2", "neighbours", "4", "basis", "4");
    final Se3Transformer method = new Se3Transformer(ALGEBRA);

    static Map<String, String> with(Map<String, String> base, String... kv) {
        Map<String, String> m = new java.util.HashMap<>(base);
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void isRotationTranslationAndPermutationEquivariantThroughTheCertifier() {
        for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
            for (String claim : List.of("SO(3)", "SE(3)", "permutation:nodes")) {
                for (EquivarianceCertificate.Finding f : EquivarianceCertificate.certify(method, claim,
                    GROUPS.get(EquivarianceCertificate.groupId(claim)), SMALL, dtype, 3, 11, BACKEND)) {
                    assertTrue(f.holds(), f.toString());
                }
            }
        }
        for (int l = 1; l <= 2; l++) {
            String claim = "SE(3)(feats=irrep:" + l + ")";
            Map<String, String> p = with(SMALL, "in", "1x" + l, "out", "1x" + l, "degree", "2");
            for (EquivarianceCertificate.Finding f : EquivarianceCertificate.certify(method, claim, GROUPS.get("SE(3)"),
                p, DType.FLOAT64, 3, 12, BACKEND)) {
                assertTrue(f.holds(), f.toString());
            }
        }
    }

    @Test
    void mixedLayoutsRotateDegreeByDegree() {
        SplittableRandom r = new SplittableRandom(4);
        IrrepLayout in = IrrepLayout.parse("2x0+1x1+1x2", "in");
        IrrepLayout out = IrrepLayout.parse("1x0+2x1+1x2", "out");
        Map<String, String> p = with(SMALL, "in", in.toString(), "out", out.toString(), "degree", "2", "heads", "1");
        for (int trial = 0; trial < 3; trial++) {
            Tensor x = SteerableFixtures.uniform(r, 6, 3);
            Tensor h = SteerableFixtures.uniform(r, 6, in.channels());
            double[] rot = SteerableFixtures.rotation(r);
            double[] t = {r.nextDouble(-2, 2), r.nextDouble(-2, 2), r.nextDouble(-2, 2)};
            Tensor plain = method.apply(new GeometricInput(x, h, null, 5, p), BACKEND).feats();
            Tensor moved = method.apply(new GeometricInput(SteerableFixtures.move(x, rot, t),
                SteerableFixtures.rotate(h, in, rot), null, 5, p), BACKEND).feats();
            assertTrue(SteerableFixtures.error(moved, SteerableFixtures.rotate(plain, out, rot)) < 1e-9);
        }
    }

    @Test
    void attentionWeightsAreInvariant() {
        SplittableRandom r = new SplittableRandom(6);
        IrrepLayout in = IrrepLayout.parse("2x0+2x1", "in");
        IrrepLayout out = IrrepLayout.uniform(2, 2);
        Se3TransformerStack stack = new Se3TransformerStack(new SplittableRandom(1), in, out, out, 1, 2, 5, 3.0);
        double[][] x = rows(SteerableFixtures.uniform(r, 7, 3));
        double[][][][] h = in.unpack(SteerableFixtures.uniform(r, 7, in.channels()));
        double[] rot = SteerableFixtures.rotation(r);
        double[][] rx = rows(SteerableFixtures.move(Tensor.of(flat(x), 7, 3), rot, new double[] {0.3, -1, 2}));
        double[][][][] rh = in.unpack(SteerableFixtures.rotate(in.pack(h, DType.FLOAT64), in, rot));
        Neighbours g = Neighbours.nearest(x, 3);
        Neighbours rg = Neighbours.nearest(rx, 3);
        assertArrayEquals(g.source(), rg.source());
        Se3AttentionBlock block = stack.blocks.get(0);
        double[][] a = block.apply(ALGEBRA, h, g, stack.geometry(ALGEBRA, x, g)).attention();
        double[][] b = block.apply(ALGEBRA, rh, rg, stack.geometry(ALGEBRA, rx, rg)).attention();
        for (int e = 0; e < a.length; e++) {
            assertArrayEquals(a[e], b[e], 1e-12);
            assertTrue(Math.abs(a[e][0] - a[e][1]) > 1e-6 || e > 0, "two heads attend differently");
        }
    }

    @Test
    void isNotReflectionEquivariant() {
        // 1 ⊗ 1 → 1 through Y^1 (the cross product) makes pseudovectors, so the degree-1 keys of a middle block
        // give pseudoscalar logits; with two blocks the keys are scalars only and the map happens to be E(3)-invariant
        List<EquivarianceCertificate.Finding> f = EquivarianceCertificate.certify(method, "E(3)", GROUPS.get("E(3)"),
            with(SMALL, "blocks", "3"), DType.FLOAT64, 3, 11, BACKEND);
        assertTrue(!f.get(0).holds(), f.toString());
    }

    @Test
    void matchesFloat64Reference() {
        SplittableRandom r = new SplittableRandom(9);
        IrrepLayout in = IrrepLayout.parse("2x0+1x1", "in");
        IrrepLayout out = IrrepLayout.parse("2x0+2x1", "out");
        Tensor x = SteerableFixtures.uniform(r, 5, 3);
        Tensor h = SteerableFixtures.uniform(r, 5, in.channels());
        Map<String, String> p = Map.of("in", in.toString(), "out", out.toString(), "hidden", "2", "degree", "1",
            "blocks", "2", "heads", "2", "neighbours", "3", "basis", "3", "cutoff", "2.5");
        GeometricOutput got = method.apply(new GeometricInput(x, h, null, 21, p), BACKEND);
        assertNull(got.coords());
        Se3TransformerStack stack = new Se3TransformerStack(new SplittableRandom(21), in, IrrepLayout.uniform(2, 1), out,
            2, 2, 3, 2.5);
        double[][][][] ref = reference(rows(x), in.unpack(h), stack, 3, 3, 2.5);
        assertTrue(SteerableFixtures.error(out.unpack(got.feats()), ref) < 1e-13);
        GeometricOutput f32 = method.apply(new GeometricInput(x.to(DType.FLOAT32), h.to(DType.FLOAT32), null, 21, p),
            BACKEND);
        assertEquals(DType.FLOAT32, f32.feats().dtype());
        assertTrue(SteerableFixtures.error(out.unpack(f32.feats()), ref) < 1e-5);
        Tensor other = method.apply(new GeometricInput(x, h, null, 22, p), BACKEND).feats();
        assertTrue(SteerableFixtures.error(other, got.feats()) > 1e-6, "the seed must change the weights");
    }

    @Test
    void explicitCompleteEdgesMatchEnoughNeighbours() {
        SplittableRandom r = new SplittableRandom(3);
        Tensor x = SteerableFixtures.uniform(r, 4, 3);
        Tensor h = SteerableFixtures.uniform(r, 4, 3);
        long[] pairs = new long[24];
        int k = 0;
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                if (i != j) {
                    pairs[k] = j;
                    pairs[12 + k++] = i;
                }
            }
        }
        Tensor knn = method.apply(new GeometricInput(x, h, null, 2, SMALL), BACKEND).feats();
        Tensor all = method.apply(new GeometricInput(x, h, Tensor.of(pairs, 2, 12), 2, SMALL), BACKEND).feats();
        assertTrue(SteerableFixtures.error(all, knn) < 1e-14);
    }

    @Test
    void rejectsBadInputNamingTheArgument() {
        Tensor x = Tensor.zeros(DType.FLOAT64, 4, 3);
        Tensor h = SteerableFixtures.uniform(new SplittableRandom(1), 4, 4);
        assertEquals("feats", assertThrows(InvalidInputException.class, () -> method.apply(
            new GeometricInput(x, h, null, 0, Map.of("in", "2x1")), BACKEND)).argument());
        assertEquals("in", assertThrows(InvalidInputException.class, () -> method.apply(
            new GeometricInput(x, h, null, 0, Map.of("in", "1x1+3x0")), BACKEND)).argument());
        assertEquals("heads", assertThrows(InvalidInputException.class, () -> method.apply(
            new GeometricInput(x, h, null, 0, Map.of("heads", "3")), BACKEND)).argument());
        assertEquals("coords", assertThrows(InvalidInputException.class, () -> method.apply(
            new GeometricInput(x, h, null, 0, Map.of()), BACKEND)).argument());
        assertEquals("coords", assertThrows(InvalidInputException.class, () -> method.apply(
            new GeometricInput(Tensor.zeros(DType.FLOAT64, 4, 2), h, null, 0, Map.of()), BACKEND)).argument());
        assertEquals("hidden", assertThrows(InvalidInputException.class, () -> method.apply(
            new GeometricInput(x, h, null, 0, Map.of("hidden", "1")), BACKEND)).argument());
    }

    // ---- float64 reference transcription -------------------------------------------------------------

    /** The stack, block by block, from the formulas, reading only the weights of {@code stack}. */
    static double[][][][] reference(double[][] x, double[][][][] h0, Se3TransformerStack stack, int k, int basis,
                                    double cutoff) {
        int n = x.length;
        List<int[]> edges = new ArrayList<>(); // {j, i}
        for (int i = 0; i < n; i++) {
            Integer[] order = new Integer[n];
            for (int j = 0; j < n; j++) {
                order[j] = j;
            }
            final int ii = i;
            java.util.Arrays.sort(order, (a, b) -> Double.compare(dist(x[ii], x[a]), dist(x[ii], x[b])));
            for (int t = 1; t <= k; t++) { // order[0] is i itself
                edges.add(new int[] {order[t], i});
            }
        }
        double[][][][] h = h0;
        for (int bi = 0; bi < stack.blocks.size(); bi++) {
            Se3AttentionBlock b = stack.blocks.get(bi);
            double[][][][] out = new double[n][][][];
            for (int i = 0; i < n; i++) {
                List<double[][][]> values = new ArrayList<>();
                List<double[]> logits = new ArrayList<>();
                double[][][] q = linear(b.query.weight(), h[i]);
                for (int[] e : edges) {
                    if (e[1] != i) {
                        continue;
                    }
                    double[] rel = {x[e[0]][0] - x[i][0], x[e[0]][1] - x[i][1], x[e[0]][2] - x[i][2]};
                    double[][][] v = kernel(b.value, rel, h[e[0]], basis, cutoff);
                    double[][][] kk = kernel(b.keys, rel, h[e[0]], basis, cutoff);
                    double[] logit = new double[b.heads];
                    double features = 0;
                    for (int l = 0; l < b.key.mul().length; l++) {
                        features += b.key.mul(l) * (2 * l + 1);
                    }
                    for (int l = 0; l < b.key.mul().length; l++) {
                        for (int c = 0; c < b.key.mul(l); c++) {
                            for (int m = 0; m <= 2 * l; m++) {
                                logit[c / (b.key.mul(l) / b.heads)] += q[l][c][m] * kk[l][c][m] / Math.sqrt(features);
                            }
                        }
                    }
                    values.add(v);
                    logits.add(logit);
                }
                double[][][] cat = new double[b.out.mul().length][][];
                for (int l = 0; l < cat.length; l++) {
                    cat[l] = new double[b.out.mul(l) + b.in.mul(l)][2 * l + 1];
                    for (int c = 0; c < b.out.mul(l); c++) {
                        int head = c / (b.out.mul(l) / b.heads);
                        double z = 0;
                        for (double[] lg : logits) {
                            z += Math.exp(lg[head]);
                        }
                        for (int t = 0; t < values.size(); t++) {
                            for (int m = 0; m <= 2 * l; m++) {
                                cat[l][c][m] += Math.exp(logits.get(t)[head]) / z * values.get(t)[l][c][m];
                            }
                        }
                    }
                    for (int c = 0; c < b.in.mul(l); c++) {
                        cat[l][b.out.mul(l) + c] = h[i][l][c].clone();
                    }
                }
                out[i] = linear(b.project.weight(), cat);
                if (bi < stack.blocks.size() - 1) {
                    out[i] = gnorm(out[i]);
                }
            }
            h = out;
        }
        return h;
    }

    /** Σ_k Σ_J Σ_c' (Σ_b θ e_b(|r|)) · Σ_{mJ, mk} Y_J[mJ](r̂) C(J, k → l)[mJ][mk][ml] f[k][c'][mk]. */
    static double[][][] kernel(SteerableKernel w, double[] r, double[][][] f, int basis, double cutoff) {
        double d = Math.sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]);
        double[] e = new double[basis];
        double step = cutoff / (basis - 1);
        for (int b = 0; b < basis; b++) {
            e[b] = Math.exp(-0.5 / (step * step) * (d - step * b) * (d - step * b));
        }
        double[][][] msg = new double[w.out().mul().length][][];
        for (int l = 0; l < msg.length; l++) {
            msg[l] = new double[w.out().mul(l)][2 * l + 1];
            for (int k = 0; k < w.in().mul().length; k++) {
                for (int j = Math.abs(l - k); j <= l + k && w.theta()[l][k] != null; j++) {
                    double[] y = ALGEBRA.sphericalHarmonics(j, r);
                    double[] cg = ALGEBRA.clebschGordan(j, k, l);
                    for (int c = 0; c < w.out().mul(l); c++) {
                        for (int ci = 0; ci < w.in().mul(k); ci++) {
                            double radial = 0;
                            for (int b = 0; b < basis; b++) {
                                radial += w.theta()[l][k][j - Math.abs(l - k)][c][ci][b] * e[b];
                            }
                            for (int mj = 0; mj <= 2 * j; mj++) {
                                for (int mk = 0; mk <= 2 * k; mk++) {
                                    for (int ml = 0; ml <= 2 * l; ml++) {
                                        msg[l][c][ml] += radial * y[mj] * cg[(mj * (2 * k + 1) + mk) * (2 * l + 1) + ml]
                                            * f[k][ci][mk];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return msg;
    }

    static double[][][] linear(double[][][] w, double[][][] f) {
        double[][][] out = new double[w.length][][];
        for (int l = 0; l < w.length; l++) {
            out[l] = new double[w[l].length][2 * l + 1];
            for (int c = 0; c < w[l].length; c++) {
                for (int ci = 0; ci < w[l][c].length; ci++) {
                    for (int m = 0; m <= 2 * l; m++) {
                        out[l][c][m] += w[l][c][ci] * f[l][ci][m];
                    }
                }
            }
        }
        return out;
    }

    /** ReLU(LayerNorm(norms)) · direction, per degree. */
    static double[][][] gnorm(double[][][] f) {
        double[][][] out = new double[f.length][][];
        for (int l = 0; l < f.length; l++) {
            int n = f[l].length;
            out[l] = new double[n][2 * l + 1];
            double[] norms = new double[n];
            for (int c = 0; c < n; c++) {
                double s = 0;
                for (double v : f[l][c]) {
                    s += v * v;
                }
                norms[c] = Math.sqrt(s);
            }
            double mean = java.util.Arrays.stream(norms).average().orElse(0);
            double var = java.util.Arrays.stream(norms).map(v -> (v - mean) * (v - mean)).average().orElse(0);
            for (int c = 0; c < n; c++) {
                double g = Math.max(0, (norms[c] - mean) / Math.sqrt(var + 1e-5));
                for (int m = 0; m <= 2 * l; m++) {
                    out[l][c][m] = g * f[l][c][m] / norms[c];
                }
            }
        }
        return out;
    }

    static double dist(double[] a, double[] b) {
        return Math.sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
    }

    static double[][] rows(Tensor t) {
        double[][] r = new double[t.dim(0)][t.dim(1)];
        for (int i = 0; i < r.length; i++) {
            for (int j = 0; j < r[i].length; j++) {
                r[i][j] = t.get(i, j);
            }
        }
        return r;
    }

    static double[] flat(double[][] x) {
        double[] f = new double[x.length * x[0].length];
        for (int i = 0; i < x.length; i++) {
            System.arraycopy(x[i], 0, f, i * x[0].length, x[0].length);
        }
        return f;
    }
}

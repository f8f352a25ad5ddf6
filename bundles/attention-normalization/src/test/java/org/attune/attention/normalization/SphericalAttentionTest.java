package org.attune.attention.normalization;

import static org.attune.attention.core.Float64Reference.allowed;
import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;
import static org.attune.attention.core.Float64Reference.dotScores;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.attune.attention.core.AttentionContract;
import org.attune.attention.core.Fixtures;
import org.attune.attention.core.Float64Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SphericalAttentionTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new SphericalAttention();
    }

    @Override
    protected boolean keysAreASet() {
        return false;
    }

    /** ω_j exp(s_ij) / Σ ω exp(s) over the allowed keys within the radius (d by acos of unit vectors), then Σ α v. */
    static double[][][][] reference(double[][][][] q, double[][][][] k, double[][][][] v, double scale, double[] ringWeights,
                                    double[] cosTheta, int nlon, double radius, Tensor mask, boolean causal, Tensor bias) {
        double[][][][] s = dotScores(q, k, scale, bias);
        for (int b = 0; b < s.length; b++) {
            for (int h = 0; h < s[b].length; h++) {
                for (int i = 0; i < s[b][h].length; i++) {
                    double z = 0;
                    double[] a = new double[s[b][h][i].length];
                    for (int j = 0; j < a.length; j++) {
                        boolean near = radius >= Math.PI || distance(cosTheta, nlon, i, j) <= radius;
                        a[j] = near && allowed(mask, causal, b, h, i, j) ? ringWeights[j / nlon] * Math.exp(s[b][h][i][j]) : 0;
                        z += a[j];
                    }
                    for (int j = 0; j < a.length; j++) {
                        s[b][h][i][j] = a[j] / z;
                    }
                }
            }
        }
        return NormalizationReference.values(s, v);
    }

    private static double distance(double[] cosTheta, int nlon, int p, int r) {
        double[] x = point(cosTheta, nlon, p), y = point(cosTheta, nlon, r);
        return Math.acos(Math.max(-1, Math.min(1, x[0] * y[0] + x[1] * y[1] + x[2] * y[2])));
    }

    private static double[] point(double[] cosTheta, int nlon, int p) {
        double ct = cosTheta[p / nlon], st = Math.sqrt(1 - ct * ct), phi = 2 * Math.PI * (p % nlon) / nlon;
        return new double[] {st * Math.cos(phi), st * Math.sin(phi), ct};
    }

    @Test
    void quadratureRulesMatchTheirTables() {
        LatitudeQuadrature cc = LatitudeQuadrature.clenshawCurtis(5);
        assertArrayEquals(new double[] {1 / 15.0, 8 / 15.0, 12 / 15.0, 8 / 15.0, 1 / 15.0}, cc.weights(), 1e-15);
        assertArrayEquals(new double[] {-1, -Math.sqrt(0.5), 0, Math.sqrt(0.5), 1}, cc.nodes(), 1e-15);
        LatitudeQuadrature lg = LatitudeQuadrature.legendreGauss(3);
        assertArrayEquals(new double[] {5 / 9.0, 8 / 9.0, 5 / 9.0}, lg.weights(), 1e-15);
        assertArrayEquals(new double[] {-Math.sqrt(0.6), 0, Math.sqrt(0.6)}, lg.nodes(), 1e-15);
    }

    @Test
    void quadratureRulesIntegratePolynomialsExactly() {
        for (int n : new int[] {2, 7, 8, 16}) {
            LatitudeQuadrature cc = LatitudeQuadrature.clenshawCurtis(n);
            LatitudeQuadrature lg = LatitudeQuadrature.legendreGauss(n);
            for (int m = 0; m <= 2 * n - 1; m++) {
                double exact = m % 2 == 1 ? 0 : 2.0 / (m + 1);
                if (m <= n - 1) {
                    assertEquals(exact, integrate(cc, m), 1e-13, "Clenshaw-Curtis n=" + n + " x^" + m);
                }
                assertEquals(exact, integrate(lg, m), 1e-13, "Legendre-Gauss n=" + n + " x^" + m);
            }
        }
    }

    private static double integrate(LatitudeQuadrature rule, int power) {
        double sum = 0;
        for (int k = 0; k < rule.nodes().length; k++) {
            sum += rule.weights()[k] * Math.pow(rule.nodes()[k], power);
        }
        return sum;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesFloat64ReferenceOnAnEquiangularGridWithMaskBiasAndGroupedHeads(DType dtype) {
        Fixtures f = new Fixtures(40);
        Tensor q = f.uniform(dtype, 1, 2, 4, 13, 6);
        Tensor k = f.uniform(dtype, 1, 2, 2, 20, 6);
        Tensor v = f.uniform(dtype, 1, 2, 2, 20, 5);
        Tensor mask = f.mask(0.8, 13, 20);
        Tensor bias = f.uniform(DType.FLOAT64, 0.5, 4, 13, 20);
        AttentionOptions o = AttentionOptions.builder().mask(mask).bias(bias).causal(true).build();
        double[] clenshawCurtis5 = {1 / 15.0, 8 / 15.0, 12 / 15.0, 8 / 15.0, 1 / 15.0};
        double[] nodes = {-1, -Math.sqrt(0.5), 0, Math.sqrt(0.5), 1};
        assertClose("spherical equiangular 5x4 mask+bias+causal", reference(array(q), array(k), array(v), 1 / Math.sqrt(6),
            clenshawCurtis5, nodes, 4, Math.PI, mask, true, bias), run(call(q, k, v).withParam("nlat", "5").withOptions(o)));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesFloat64ReferenceInAGeodesicNeighbourhood(DType dtype) {
        Fixtures f = new Fixtures(41);
        Tensor q = f.uniform(dtype, 1, 1, 2, 24, 4);
        Tensor k = f.uniform(dtype, 1, 1, 2, 24, 4);
        Tensor v = f.uniform(dtype, 1, 1, 2, 24, 3);
        LatitudeQuadrature lg = LatitudeQuadrature.legendreGauss(4);
        assertClose("spherical legendre-gauss 4x6 radius=1", reference(array(q), array(k), array(v), 0.5, lg.weights(),
            lg.nodes(), 6, 1.0, null, false, null), run(call(q, k, v).withParam("nlat", "4").withParam("grid",
            "legendre-gauss").withParam("radius", "1.0")));
    }

    @Test
    void uniformWeightsGiveSoftmaxAttention() {
        Fixtures f = new Fixtures(42);
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 2, 9, 4);
        Tensor k = f.uniform(DType.FLOAT64, 1, 1, 2, 12, 4);
        Tensor v = f.uniform(DType.FLOAT64, 1, 1, 2, 12, 3);
        assertClose("spherical grid=uniform = sdpa", Float64Reference.sdpa(array(q), array(k), array(v), 0.5, false, null,
            null), run(call(q, k, v).withParam("grid", "uniform").withParam("nlat", "3")));
    }

    @Test
    void aRadiusOfPiIsTheGlobalAttention() {
        Fixtures f = new Fixtures(43);
        Tensor x = f.uniform(DType.FLOAT64, 1, 1, 1, 24, 4);
        AttentionCall global = call(x, x, x).withParam("nlat", "4");
        assertMaxDiff(run(global), run(global.withParam("radius", "3.2")), 0);
    }

    @Test
    void rollingTheLongitudeRollsTheOutput() {
        Fixtures f = new Fixtures(44);
        int nlat = 4, nlon = 6;
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 2, 24, 4);
        Tensor k = f.uniform(DType.FLOAT64, 1, 1, 2, 24, 4);
        Tensor v = f.uniform(DType.FLOAT64, 1, 1, 2, 24, 3);
        int[] roll = new int[nlat * nlon];
        for (int p = 0; p < roll.length; p++) {
            roll[p] = p / nlon * nlon + Math.floorMod(p % nlon - 1, nlon);
        }
        for (String radius : new String[] {"0.9", "4"}) {
            AttentionCall c = call(q, k, v).withParam("nlat", "" + nlat).withParam("radius", radius);
            Tensor rolled = run(call(permuteTokens(q, roll), permuteTokens(k, roll), permuteTokens(v, roll))
                .withParam("nlat", "" + nlat).withParam("radius", radius));
            assertMaxDiff(permuteTokens(run(c), roll), rolled, 1e-14);
        }
    }

    @Test
    void badGridOptionsAreNamed() {
        Tensor q = Tensor.zeros(DType.FLOAT32, 1, 2, 5, 4);
        Tensor k = Tensor.zeros(DType.FLOAT32, 1, 2, 6, 4);
        assertArgument("--opt nlat", () -> run(call(q, k, k).withParam("nlat", "4")));
        assertArgument("--opt grid", () -> run(call(q, k, k).withParam("grid", "healpix")));
        assertArgument("--opt radius", () -> run(call(k, k, k).withParam("radius", "-1")));
        assertArgument("q", () -> run(call(q, k, k).withParam("radius", "1")));
    }
}

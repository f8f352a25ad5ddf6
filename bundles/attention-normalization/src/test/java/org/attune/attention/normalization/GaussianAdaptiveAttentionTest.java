package org.attune.attention.normalization;

import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.attune.api.attention.AttentionMechanism;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.attune.attention.core.AttentionContract;
import org.attune.attention.core.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class GaussianAdaptiveAttentionTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new GaussianAdaptiveAttention();
    }

    @Override
    protected boolean acceptsMasks() {
        return false;
    }

    /** The official forward pass transcribed, for x [B][H][N][D] along tokens (axis 2) or features (axis 3). */
    static double[][][][] reference(double[][][][] x, boolean tokens, double[] delta, double[] c) {
        double[][][][] out = new double[x.length][x[0].length][x[0][0].length][x[0][0][0].length];
        int n = x[0][0].length, d = x[0][0][0].length;
        int len = tokens ? n : d;
        for (int b = 0; b < x.length; b++) {
            for (int h = 0; h < x[b].length; h++) {
                for (int l = 0; l < (tokens ? d : n); l++) {
                    double[] line = new double[len];
                    for (int t = 0; t < len; t++) {
                        line[t] = tokens ? x[b][h][t][l] : x[b][h][l][t];
                    }
                    double mean = 0, var = 0;
                    for (double e : line) {
                        mean += e;
                    }
                    mean /= len;
                    for (double e : line) {
                        var += (e - mean) * (e - mean);
                    }
                    var = var / (len - 1) + 1e-8;
                    double[] mixture = new double[len];
                    double sum = 0;
                    for (int t = 0; t < len; t++) {
                        mixture[t] = 1;
                        for (int i = 0; i < delta.length; i++) {
                            double y = (line[t] - (mean + delta[i])) / Math.sqrt(var);
                            mixture[t] *= Math.exp(-(y * y) / (2.0 * c[i] * c[i])) / Math.sqrt(2 * Math.PI * c[i] * c[i]);
                        }
                        sum += mixture[t];
                    }
                    for (int t = 0; t < len; t++) {
                        double o = line[t] * mixture[t] / Math.max(sum, 1e-8);
                        if (tokens) {
                            out[b][h][t][l] = o;
                        } else {
                            out[b][h][l][t] = o;
                        }
                    }
                }
            }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesTheOfficialForwardPassWithTwoGaussiansAlongEitherAxis(DType dtype) {
        Fixtures f = new Fixtures(50);
        Tensor q = f.uniform(dtype, 2, 2, 3, 17, 6);
        Tensor k = f.uniform(dtype, 1, 2, 3, 5, 6);
        double[] delta = {0.25, -0.5};
        double[] c = {0.75, 1.5};
        for (String axis : new String[] {"tokens", "features"}) {
            assertClose("gaam G=2 axis=" + axis, reference(array(q), axis.equals("tokens"), delta, c),
                run(call(q, k, k).withParam("axis", axis).withParam("gaussians", "2").withParam("offsets", "0.25,-0.5")
                    .withParam("c", "0.75, 1.5")));
        }
    }

    @Test
    void oneGaussianWithKnownStatisticsWeighsByTheNormalDensity() {
        Tensor x = Tensor.of(new double[] {-1, 0, 1}, 1, 1, 3, 1);
        Tensor out = run(x, x, x);
        double sigma = Math.sqrt(1 + 1e-8);
        double edge = Math.exp(-0.5 / (sigma * sigma));
        double z = 2 * edge + 1;
        assertEquals(-edge / z, out.get(0, 0, 0, 0), 1e-16);
        assertEquals(0, out.get(0, 0, 1, 0), 0);
        assertEquals(edge / z, out.get(0, 0, 2, 0), 1e-16);
    }

    @Test
    void weightsAreInvariantToShiftAndPositiveScaleOfTheInputs() {
        Fixtures f = new Fixtures(51);
        Tensor x = f.uniform(DType.FLOAT64, 1, 1, 2, 11, 4);
        Tensor y = Tensor.zeros(DType.FLOAT64, x.shape());
        for (int i = 0; i < x.size(); i++) {
            y.setFlat(i, 3 * x.getFlat(i) + 2);
        }
        Tensor ox = run(x, x, x), oy = run(y, y, y);
        for (int i = 0; i < x.size(); i++) {
            // w = out / x; ε = 1e-8 in the variance breaks exact scale invariance at the 1e-8 level
            assertEquals(ox.getFlat(i) / x.getFlat(i), oy.getFlat(i) / y.getFlat(i), 1e-7);
        }
    }

    @Test
    void badOptionsAreNamed() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 2, 3, 4);
        assertArgument("--opt axis", () -> run(call(x, x, x).withParam("axis", "heads")));
        assertArgument("--opt gaussians", () -> run(call(x, x, x).withParam("gaussians", "0")));
        assertArgument("--opt offsets", () -> run(call(x, x, x).withParam("gaussians", "2").withParam("offsets", "1")));
        assertArgument("--opt c", () -> run(call(x, x, x).withParam("c", "0")));
        assertArgument("--opt c", () -> run(call(x, x, x).withParam("c", "one")));
    }
}

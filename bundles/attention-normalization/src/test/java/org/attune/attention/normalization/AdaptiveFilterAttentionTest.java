package org.attune.attention.normalization;

import static org.attune.attention.core.Float64Reference.allowed;
import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

class AdaptiveFilterAttentionTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new AdaptiveFilterAttention();
    }

    /** Queries carry their time t_i = i. */
    @Override
    protected boolean queriesAreASet() {
        return false;
    }

    /** Keys carry their time t_j = j. */
    @Override
    protected boolean keysAreASet() {
        return false;
    }

    /** The model's parameters for a reference run. */
    record Model(double alpha, double[] omega, double sigma2, double eta2, double gamma2, double nu, double tau,
                 boolean robust) {
        AttentionCall on(AttentionCall call) {
            StringBuilder w = new StringBuilder();
            for (double x : omega) {
                w.append(w.isEmpty() ? "" : ",").append(x);
            }
            return call.withParam("decay", Double.toString(alpha)).withParam("omega", w.toString())
                .withParam("process-noise", Double.toString(sigma2)).withParam("measurement-noise", Double.toString(eta2))
                .withParam("anchor-noise", Double.toString(gamma2)).withParam("nu", Double.toString(nu))
                .withParam("tau", Double.toString(tau)).withParam("robust", Boolean.toString(robust));
        }
    }

    /**
     * The isotropic model written out in complex arithmetic per (i, j), sharing nothing with the class: the key
     * k_j carried to the query's time, z = e^{−α|Δt|} e^{iωΔt} k_j (mode m = channels m, m + D/2), the residual
     * |q_i − z|², the covariance σ²·∫₀^{|Δt|} e^{−2αs} ds + η² e^{−2α|Δt|} + γ², the logit
     * τ²(−ln V − ln(1 + r²/(ν d V))) (or −r²/(ν d V)), softmax over the allowed keys, and Σ_j A_ij e^{−α|Δt|} e^{iωΔt} v_j.
     * With {@code weightsOnly} the result is A itself, [B][H][Nq][Nk].
     */
    static double[][][][] reference(double[][][][] q, double[][][][] k, double[][][][] v, Model m, Tensor mask,
                                    boolean causal, boolean weightsOnly) {
        int bN = q.length, hN = q[0].length, nq = q[0][0].length, nk = k[0][0].length, dd = q[0][0][0].length;
        int half = dd / 2, g = hN / k[0].length;
        double[][][][] out = new double[bN][hN][nq][weightsOnly ? nk : dd];
        for (int b = 0; b < bN; b++) {
            for (int h = 0; h < hN; h++) {
                for (int i = 0; i < nq; i++) {
                    double[] s = new double[nk];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < nk; j++) {
                        if (!allowed(mask, causal, b, h, i, j)) {
                            continue;
                        }
                        double dt = i - j, e = Math.exp(-m.alpha * Math.abs(dt)), r2 = 0;
                        for (int c = 0; c < half; c++) {
                            double cos = Math.cos(m.omega[c] * dt), sin = Math.sin(m.omega[c] * dt);
                            double kr = k[b][h / g][j][c], ki = k[b][h / g][j][c + half];
                            double zr = e * (cos * kr - sin * ki), zi = e * (sin * kr + cos * ki);
                            double rr = q[b][h][i][c] - zr, ri = q[b][h][i][c + half] - zi;
                            r2 += rr * rr + ri * ri;
                        }
                        double integral = m.alpha == 0 ? Math.abs(dt)
                            : (1 - Math.exp(-2 * m.alpha * Math.abs(dt))) / (2 * m.alpha);
                        double var = m.sigma2 * integral + m.eta2 * Math.exp(-2 * m.alpha * Math.abs(dt)) + m.gamma2;
                        double x = r2 / (m.nu * half * var);
                        s[j] = m.tau * m.tau * (-Math.log(var) - (m.robust ? Math.log(1 + x) : x));
                        max = Math.max(max, s[j]);
                    }
                    double z = 0;
                    for (int j = 0; j < nk; j++) {
                        z += allowed(mask, causal, b, h, i, j) ? Math.exp(s[j] - max) : 0;
                    }
                    for (int j = 0; j < nk; j++) {
                        if (!allowed(mask, causal, b, h, i, j)) {
                            continue;
                        }
                        double a = Math.exp(s[j] - max) / z;
                        if (weightsOnly) {
                            out[b][h][i][j] = a;
                            continue;
                        }
                        double dt = i - j, e = Math.exp(-m.alpha * Math.abs(dt));
                        for (int c = 0; c < half; c++) {
                            double cos = Math.cos(m.omega[c] * dt), sin = Math.sin(m.omega[c] * dt);
                            double vr = v[b][h / g][j][c], vi = v[b][h / g][j][c + half];
                            out[b][h][i][c] += a * e * (cos * vr - sin * vi);
                            out[b][h][i][c + half] += a * e * (sin * vr + cos * vi);
                        }
                    }
                }
            }
        }
        return out;
    }

    static double[] ropeFrequencies(int d) {
        double[] w = new double[d / 2];
        for (int m = 0; m < w.length; m++) {
            w[m] = Math.pow(10000, -2.0 * m / d);
        }
        return w;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesFloat64ReferenceWithDecayNoiseMaskAndGroupedHeads(DType dtype) {
        Fixtures f = new Fixtures(60);
        Tensor q = f.uniform(dtype, 1, 2, 4, 13, 6);
        Tensor k = f.uniform(dtype, 1, 2, 2, 17, 6);
        Tensor v = f.uniform(dtype, 1, 2, 2, 17, 6);
        Tensor mask = f.mask(0.8, 13, 17);
        for (boolean robust : new boolean[] {true, false}) {
            Model m = new Model(0.3, new double[] {0.9, -0.4, 0.05}, 0.5, 0.7, 0.2, 2, 1.5, robust);
            AttentionOptions o = AttentionOptions.builder().mask(mask).causal(true).build();
            assertClose("afa robust=" + robust + " mask+causal gqa",
                reference(array(q), array(k), array(v), m, mask, true, false), run(m.on(call(q, k, v).withOptions(o))));
            assertClose("afa robust=" + robust + " unmasked",
                reference(array(q), array(k), array(v), m, null, false, false), run(m.on(call(q, k, v))));
        }
    }

    @Test
    void defaultOptionsAreTheRotaryFrequenciesWithUnitNoise() {
        Fixtures f = new Fixtures(61);
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 2, 9, 8);
        Tensor k = f.uniform(DType.FLOAT64, 1, 1, 2, 9, 8);
        Model m = new Model(0, ropeFrequencies(8), 1, 1, 0, 1, 1, true);
        assertClose("afa defaults", reference(array(q), array(k), array(k), m, null, false, false), run(q, k, k));
    }

    /** Keys scaled to unit norm, so that the −|k_j|² term of the residual is the same for every key. */
    static Tensor unitRows(Tensor t) {
        Tensor out = t.copy();
        int d = t.dim(3);
        for (int r = 0; r < t.size() / d; r++) {
            double n = 0;
            for (int e = 0; e < d; e++) {
                n += t.getFlat(r * d + e) * t.getFlat(r * d + e);
            }
            for (int e = 0; e < d; e++) {
                out.setFlat(r * d + e, t.getFlat(r * d + e) / Math.sqrt(n));
            }
        }
        return out;
    }

    @Test
    void reducesToDotProductAttentionWhenDynamicsAndProcessNoiseVanish() {
        Fixtures f = new Fixtures(62);
        Tensor q = f.uniform(DType.FLOAT64, 2, 2, 2, 11, 8);
        Tensor k = unitRows(f.uniform(DType.FLOAT64, 1, 2, 2, 14, 8));
        Tensor v = f.uniform(DType.FLOAT64, 1, 2, 2, 14, 8);
        // A = 0 (α = 0, ω = 0), σ² = 0: V = η² + γ² = 0.5, logits −|q − k|² / (ν d V) = const_i + 2 q·k / (ν d V)
        Model m = new Model(0, new double[] {0}, 0, 0.3, 0.2, 1.5, 1, false);
        double scale = 2 / (1.5 * 4 * 0.5);
        assertClose("afa A=0 noise=0 gaussian = sdpa", Float64Reference.sdpa(array(q), array(k), array(v), scale, true,
            null, null), run(m.on(call(q, k, v).withOptions(AttentionOptions.builder().causal(true).build()))));
    }

    @Test
    void robustWeightApproachesDotProductAttentionInTheSmallResidualLimit() {
        Fixtures f = new Fixtures(63);
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 2, 7, 6);
        Tensor k = unitRows(f.uniform(DType.FLOAT64, 1, 1, 2, 9, 6));
        Tensor v = f.uniform(DType.FLOAT64, 1, 1, 2, 9, 6);
        // τ² ln(1 + x) → τ² x for x = |R|²/(ν d V) → 0 with τ² = ν: the Gaussian logits −|R|²/(d V), error O(1/ν)
        double[][][][] sdpa = Float64Reference.sdpa(array(q), array(k), array(v), 2 / (3 * 1.0), false, null, null);
        double previous = Double.POSITIVE_INFINITY;
        for (double nu : new double[] {1e2, 1e4, 1e6}) {
            Tensor out = run(new Model(0, new double[] {0}, 0, 1, 0, nu, Math.sqrt(nu), true).on(call(q, k, v)));
            double err = 0;
            for (int i = 0; i < out.size(); i++) {
                err = Math.max(err, Math.abs(out.getFlat(i) - flat(sdpa, i)));
            }
            assertTrue(err < previous / 50, "error " + err + " at nu=" + nu + " after " + previous);
            previous = err;
        }
        assertTrue(previous < 1e-5, "error " + previous);
    }

    private static double flat(double[][][][] a, int index) {
        int d = a[0][0][0].length, n = a[0][0].length, h = a[0].length;
        return a[index / (d * n * h)][index / (d * n) % h][index / d % n][index % d];
    }

    @Test
    void purelyImaginaryEigenvaluesGiveRotaryLogits() {
        Fixtures f = new Fixtures(64);
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 2, 10, 8);
        Tensor k = unitRows(f.uniform(DType.FLOAT64, 1, 1, 2, 10, 8));
        double[] omega = ropeFrequencies(8);
        Model m = new Model(0, omega, 0, 1, 0, 1, 1, false);
        // RoPE (Su et al., arXiv:2104.09864, eq. 34, half layout) at positions −t: rotate pair m by −ω_m t
        double[][][][] rq = rope(array(q), omega, -1), rk = rope(array(k), omega, -1);
        double[][][][] identity = new double[1][2][10][10];
        for (int h = 0; h < 2; h++) {
            for (int j = 0; j < 10; j++) {
                identity[0][h][j][j] = 1;
            }
        }
        double[][][][] ropeWeights = Float64Reference.attend(Float64Reference.dotScores(rq, rk, 2 / 4.0, null), identity,
            null, true);
        AttentionCall call = m.on(call(q, k, k).withOptions(AttentionOptions.builder().causal(true).build()));
        assertClose("afa alpha=0 sigma=0 weights = rope(-t) sdpa weights", ropeWeights,
            new AdaptiveFilterAttention().weights(call, Fixtures.BACKEND));
    }

    /** x[b][h][n] with pair (c, c + D/2) rotated by sign·ω_c·n. */
    static double[][][][] rope(double[][][][] x, double[] omega, int sign) {
        double[][][][] out = new double[x.length][x[0].length][x[0][0].length][x[0][0][0].length];
        int half = omega.length;
        for (int b = 0; b < x.length; b++) {
            for (int h = 0; h < x[b].length; h++) {
                for (int n = 0; n < x[b][h].length; n++) {
                    for (int c = 0; c < half; c++) {
                        double a = sign * omega[c] * n;
                        out[b][h][n][c] = x[b][h][n][c] * Math.cos(a) - x[b][h][n][c + half] * Math.sin(a);
                        out[b][h][n][c + half] = x[b][h][n][c] * Math.sin(a) + x[b][h][n][c + half] * Math.cos(a);
                    }
                }
            }
        }
        return out;
    }

    @Test
    void lyapunovClosedFormMatchesIntegratingTheDifferentialLyapunovEquation() {
        // one complex mode λ = −α + iω as the real block A = [[−α, −ω], [ω, −α]], Q = q I; dV/ds = AV + VAᵀ + Q,
        // V(0) = 0, by classical Runge–Kutta with 20000 steps; the closed form gives V = v I per real channel
        double[][] cases = {{0.3, 0.8, 0.5, 2.0}, {0, 1.3, 1.0, 3.0}, {2.5, 0, 0.2, 1.5}, {1e-9, 0.4, 2.0, 4.0},
            {0.05, -2.0, 1.0, 7.0}};
        for (double[] c : cases) {
            double alpha = c[0], omega = c[1], noise = c[2], t = c[3];
            double[][] a = {{-alpha, -omega}, {omega, -alpha}};
            double[][] v = new double[2][2];
            int steps = 20000;
            double hStep = t / steps;
            for (int s = 0; s < steps; s++) {
                double[][] k1 = lyapunovRate(a, v, noise);
                double[][] k2 = lyapunovRate(a, plus(v, k1, hStep / 2), noise);
                double[][] k3 = lyapunovRate(a, plus(v, k2, hStep / 2), noise);
                double[][] k4 = lyapunovRate(a, plus(v, k3, hStep), noise);
                for (int r = 0; r < 2; r++) {
                    for (int col = 0; col < 2; col++) {
                        v[r][col] += hStep / 6 * (k1[r][col] + 2 * k2[r][col] + 2 * k3[r][col] + k4[r][col]);
                    }
                }
            }
            double closed = PropagatedCovariance.lyapunov(noise, -alpha, t);
            assertEquals(0, Math.abs(v[0][0] - closed) / closed, 1e-6, "alpha=" + alpha + " omega=" + omega);
            assertEquals(0, Math.abs(v[1][1] - closed) / closed, 1e-6);
            assertEquals(0, v[0][1] / closed, 1e-6);
            // the full covariance: the measurement noise decays along the same mode, the anchor noise is added
            PropagatedCovariance cov = new PropagatedCovariance(alpha, noise, 0.7, 0.2);
            assertEquals(closed + 0.7 * Math.exp(-2 * alpha * t) + 0.2, cov.at(-t), 1e-12 * (closed + 1));
        }
    }

    private static double[][] lyapunovRate(double[][] a, double[][] v, double noise) {
        double[][] r = new double[2][2];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
                for (int l = 0; l < 2; l++) {
                    r[i][j] += a[i][l] * v[l][j] + v[i][l] * a[j][l];
                }
                r[i][j] += i == j ? noise : 0;
            }
        }
        return r;
    }

    private static double[][] plus(double[][] v, double[][] dv, double h) {
        return new double[][] {{v[0][0] + h * dv[0][0], v[0][1] + h * dv[0][1]},
            {v[1][0] + h * dv[1][0], v[1][1] + h * dv[1][1]}};
    }

    @Test
    void weightsAreNonNegativeAndRowsSumToOneOrZeroWhenFullyMasked() {
        Fixtures f = new Fixtures(65);
        Tensor q = f.uniform(DType.FLOAT64, 3, 1, 2, 8, 6);
        Tensor k = f.uniform(DType.FLOAT64, 3, 1, 2, 12, 6);
        Tensor mask = f.mask(0.7, 8, 12);
        for (int j = 0; j < 12; j++) {
            mask.set(0, 5, j);
        }
        Model m = new Model(0.2, new double[] {0.3, 1.1, -0.7}, 2, 0.1, 0.05, 0.5, 2, true);
        Tensor w = new AdaptiveFilterAttention().weights(m.on(call(q, k, k).withOptions(AttentionOptions.builder()
            .mask(mask).build())), Fixtures.BACKEND);
        for (int h = 0; h < 2; h++) {
            for (int i = 0; i < 8; i++) {
                double sum = 0;
                for (int j = 0; j < 12; j++) {
                    double x = w.get(0, h, i, j);
                    assertTrue(x >= 0, "negative weight " + x);
                    sum += x;
                }
                assertEquals(i == 5 ? 0 : 1, sum, 1e-14, "row " + i);
            }
        }
    }

    @Test
    void causalOutputsIgnoreLaterKeysAndValues() {
        Fixtures f = new Fixtures(66);
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 2, 9, 6);
        Tensor k = f.uniform(DType.FLOAT64, 1, 1, 2, 9, 6);
        Tensor v = f.uniform(DType.FLOAT64, 1, 1, 2, 9, 6);
        Tensor k2 = k.copy(), v2 = v.copy();
        for (int h = 0; h < 2; h++) {
            for (int e = 0; e < 6; e++) {
                k2.set(5 + e, 0, h, 7, e);
                v2.set(-3 - e, 0, h, 8, e);
            }
        }
        AttentionOptions causal = AttentionOptions.builder().causal(true).build();
        Tensor a = run(call(q, k, v).withOptions(causal)), b = run(call(q, k2, v2).withOptions(causal));
        for (int h = 0; h < 2; h++) {
            for (int i = 0; i < 9; i++) {
                for (int e = 0; e < 6; e++) {
                    if (i < 7) {
                        assertEquals(a.get(0, h, i, e), b.get(0, h, i, e), 0, "row " + i);
                    }
                }
            }
        }
        assertTrue(a.get(0, 0, 8, 0) != b.get(0, 0, 8, 0), "row 8 sees the changed keys");
    }

    @Test
    void badShapesAndOptionsAreNamed() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 2, 3, 4);
        Tensor odd = Tensor.zeros(DType.FLOAT32, 1, 2, 3, 5);
        assertArgument("q", () -> run(odd, odd, odd));
        assertArgument("v", () -> run(x, x, Tensor.zeros(DType.FLOAT32, 1, 2, 3, 6)));
        assertArgument("scale", () -> run(call(x, x, x).withOptions(AttentionOptions.builder().scale(0.5).build())));
        assertArgument("bias", () -> run(call(x, x, x).withOptions(AttentionOptions.builder()
            .bias(Tensor.zeros(DType.FLOAT32, 3, 3)).build())));
        assertArgument("--opt decay", () -> run(call(x, x, x).withParam("decay", "-1")));
        assertArgument("--opt process-noise", () -> run(call(x, x, x).withParam("process-noise", "x")));
        assertArgument("--opt measurement-noise", () -> run(call(x, x, x).withParam("measurement-noise", "0")));
        assertArgument("--opt nu", () -> run(call(x, x, x).withParam("nu", "0")));
        assertArgument("--opt tau", () -> run(call(x, x, x).withParam("tau", "NaN")));
        assertArgument("--opt robust", () -> run(call(x, x, x).withParam("robust", "yes")));
        assertArgument("--opt omega", () -> run(call(x, x, x).withParam("omega", "1,2,3")));
        assertArgument("--opt base", () -> run(call(x, x, x).withParam("omega", "1").withParam("base", "100")));
        assertArgument("--opt base", () -> run(call(x, x, x).withParam("base", "-2")));
    }
}

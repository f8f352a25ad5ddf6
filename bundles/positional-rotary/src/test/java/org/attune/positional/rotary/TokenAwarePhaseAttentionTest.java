package org.attune.positional.rotary;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

import org.attune.api.attention.AttentionCall;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalResult;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** TAPA, eq. (12) of arXiv:2509.12635, against a literal float64 transcription and its stated properties. */
class TokenAwarePhaseAttentionTest {
    private final TokenAwarePhaseAttention tapa = new TokenAwarePhaseAttention();

    /** Eq. (12) as written, positions m = qo + i, n = ko + j, then softmax over the allowed keys. */
    private static Tensor reference(Tensor q, Tensor k, Tensor v, double alpha, int amplitude, int qo, int ko,
                                    boolean causal) {
        int d = q.dim(3), hk = k.dim(1), h = q.dim(1);
        return Float64Attention.attend(q.dim(0), h, q.dim(2), v, 1, causal, (b, a, i, j) -> {
            double qa = 0, qp = 0;
            for (int e = 0; e < d; e++) {
                double x = q.get(b, a, i, e) * k.get(b, a * hk / h, j, e);
                if (e < amplitude) {
                    qa += x;
                } else {
                    qp += x;
                }
            }
            double dist = Math.abs((qo + i) - (ko + j));
            return qa / Math.sqrt(amplitude) * Math.cos(2 * Math.PI * Math.pow(dist, alpha) * qp / Math.sqrt(d - amplitude));
        });
    }

    private Tensor run(Tensor q, Tensor k, Tensor v, boolean causal, Map<String, String> params) {
        return tapa.attend(new AttentionCall(q, k, v, AttentionOptions.builder().causal(causal).build(), params),
            Fixtures.BACKEND);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesFloat64Reference(DType dtype) {
        Fixtures f = new Fixtures(94);
        Tensor q = f.uniform(dtype, 2, 4, 9, 12), k = f.uniform(dtype, 2, 2, 11, 12), v = f.uniform(dtype, 2, 2, 11, 5);
        for (boolean causal : new boolean[] {false, true}) {
            Tensor want = reference(q, k, v, 0.1, 6, 3, 0, causal);
            Tensor got = run(q, k, v, causal, Map.of("query-offset", "3"));
            assertEquals(dtype, got.dtype());
            Fixtures.assertSame("causal=" + causal, want, got, Fixtures.tolerance(dtype));
        }
        Tensor other = run(q, k, v, false, Map.of("alpha", "0.7", "theta", "0.25", "key-offset", "5"));
        Fixtures.assertSame("alpha 0.7, theta 0.25", reference(q, k, v, 0.7, 3, 0, 5, false), other,
            Fixtures.tolerance(dtype));
    }

    /** Positions enter only through m − n: moving every query and key by the same P leaves the output unchanged. */
    @Test
    void outputDependsOnlyOnRelativePositions() {
        Fixtures f = new Fixtures(95);
        Tensor q = f.uniform(DType.FLOAT64, 1, 2, 8, 8), k = f.uniform(DType.FLOAT64, 1, 2, 8, 8);
        Tensor v = f.uniform(DType.FLOAT64, 1, 2, 8, 3);
        Tensor base = run(q, k, v, true, Map.of("alpha", "0.5"));
        for (int p : new int[] {1, 37, 1000, 1_000_000}) {
            Tensor shifted = run(q, k, v, true, Map.of("alpha", "0.5", "query-offset", "" + p, "key-offset", "" + p));
            Fixtures.assertSame("shift " + p, base, shifted, 1e-12);
        }
        Tensor moved = run(q, k, v, true, Map.of("alpha", "0.5", "query-offset", "2"));
        assertTrue(maxDiff(base, moved) > 1e-3, "a relative shift must change the output");
    }

    /**
     * ... and only through |m − n|: reversing the order of all tokens (m ↦ N − 1 − m for queries and keys) maps
     * every distance to itself, so the non-causal output is the reversed output. RoPE, whose logit sees the signed
     * m − n, does not have this symmetry (negative control).
     */
    @Test
    void outputIsSymmetricInTheDistance() {
        Fixtures f = new Fixtures(96);
        Tensor q = f.uniform(DType.FLOAT64, 1, 2, 7, 8), k = f.uniform(DType.FLOAT64, 1, 2, 7, 8);
        Tensor v = f.uniform(DType.FLOAT64, 1, 2, 7, 3);
        Map<String, String> p = Map.of("alpha", "0.5");
        Fixtures.assertSame("reversed", reversed(run(q, k, v, false, p)), run(reversed(q), reversed(k), reversed(v), false,
            p), 1e-12);
        Tensor rope = ropeAttention(q, k, v);
        Tensor ropeOfReversed = ropeAttention(reversed(q), reversed(k), reversed(v));
        assertTrue(maxDiff(reversed(rope), ropeOfReversed) > 1e-3, "RoPE sees the sign of m - n");
    }

    /** φ ≡ 0 (a zero phase slice): cos(0) = 1, content-only dot-product attention on the amplitude slice. */
    @Test
    void zeroPhaseReducesToContentOnlyAttention() {
        Fixtures f = new Fixtures(97);
        Tensor q = f.uniform(DType.FLOAT64, 2, 2, 6, 10), k = f.uniform(DType.FLOAT64, 2, 2, 9, 10);
        Tensor v = f.uniform(DType.FLOAT64, 2, 2, 9, 4);
        Tensor qa = Tensor.zeros(DType.FLOAT64, 2, 2, 6, 5), ka = Tensor.zeros(DType.FLOAT64, 2, 2, 9, 5);
        Tensor qz = q.copy();
        for (int b = 0; b < 2; b++) {
            for (int h = 0; h < 2; h++) {
                for (int i = 0; i < 6; i++) {
                    for (int e = 0; e < 10; e++) {
                        if (e < 5) {
                            qa.set(q.get(b, h, i, e), b, h, i, e);
                        } else {
                            qz.set(0, b, h, i, e);
                        }
                    }
                }
                for (int j = 0; j < 9; j++) {
                    for (int e = 0; e < 5; e++) {
                        ka.set(k.get(b, h, j, e), b, h, j, e);
                    }
                }
            }
        }
        for (boolean causal : new boolean[] {false, true}) {
            Fixtures.assertSame("causal=" + causal, Float64Attention.sdpa(qa, ka, v, 1 / Math.sqrt(5), causal),
                run(qz, k, v, causal, Map.of("key-offset", "4")), 1e-12);
        }
    }

    /** Query i sees keys j ≤ i: changing later keys and values leaves row i unchanged. */
    @Test
    void causalMaskIsRespected() {
        Fixtures f = new Fixtures(98);
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 6, 8), k = f.uniform(DType.FLOAT64, 1, 1, 6, 8);
        Tensor v = f.uniform(DType.FLOAT64, 1, 1, 6, 3);
        Tensor before = run(q, k, v, true, Map.of());
        Tensor k2 = k.copy(), v2 = v.copy();
        for (int e = 0; e < 8; e++) {
            k2.set(5, 0, 0, 4, e);
        }
        for (int e = 0; e < 3; e++) {
            v2.set(-7, 0, 0, 5, e);
        }
        Tensor after = run(q, k2, v2, true, Map.of());
        for (int i = 0; i < 4; i++) {
            for (int e = 0; e < 3; e++) {
                assertEquals(before.get(0, 0, i, e), after.get(0, 0, i, e), 1e-15, "row " + i);
            }
        }
        assertTrue(Math.abs(before.get(0, 0, 5, 0) - after.get(0, 0, 5, 0)) > 1e-3, "row 5 sees the change");
        for (int e = 0; e < 3; e++) {
            assertEquals(v.get(0, 0, 0, e), before.get(0, 0, 0, e), 1e-15, "row 0 sees only key 0");
        }
    }

    @Test
    void rejectsBadShapesAndOptions() {
        Tensor q = Tensor.zeros(DType.FLOAT64, 1, 2, 4, 8), v = Tensor.zeros(DType.FLOAT64, 1, 2, 4, 3);
        Fixtures.assertArgument("q", () -> run(Tensor.zeros(DType.FLOAT64, 2, 4, 8), q, v, false, Map.of()));
        Fixtures.assertArgument("k", () -> run(q, Tensor.zeros(DType.FLOAT64, 1, 2, 4, 6), v, false, Map.of()));
        Fixtures.assertArgument("v", () -> run(q, q, Tensor.zeros(DType.FLOAT64, 1, 2, 5, 3), false, Map.of()));
        Fixtures.assertArgument("--opt theta", () -> run(q, q, v, false, Map.of("theta", "0.3")));
        Fixtures.assertArgument("--opt theta", () -> run(q, q, v, false, Map.of("theta", "1")));
        Fixtures.assertArgument("--opt alpha", () -> run(q, q, v, false, Map.of("alpha", "0")));
        Fixtures.assertArgument("--opt query-offset", () -> run(q, q, v, false, Map.of("query-offset", "-1")));
        Fixtures.assertArgument("softCap", () -> tapa.attend(new AttentionCall(q, q, v,
            AttentionOptions.builder().softCap(30.0).build(), Map.of()), Fixtures.BACKEND));
        assertArrayEquals(new int[] {1, 2, 0, 3}, run(Tensor.zeros(DType.FLOAT64, 1, 2, 0, 8), q, v, false, Map.of())
            .shape());
    }

    /**
     * The paper's distance-bias experiment (Appendix I, Theorems 2.2 and 3.2), by Monte Carlo: q and k iid over
     * tokens, each channel c + N(0, 1) with a common mean c = 0.5 (so E[q_d k_d] = μ₀/2 > 0, Assumption 2.1),
     * D = 16. For distances λ in a short range [1, 100] and a long range [10000, 10100], the difference of mean
     * scores Δ = E[s(short)] − E[s(long)] is estimated from 20000 draws per range with its standard error σ_Δ.
     * RoPE (base 10⁴, logit q'·k'/√D): Δ > 10 σ_Δ, a systematic preference for near tokens. TAPA (α = 0.1,
     * θ = 0.5, scores read back exactly from the mechanism): |Δ| < 4 σ_Δ, no systematic distance decay.
     */
    @Test
    void expectedScoreHasNoDistanceDecayUnlikeRope() {
        int d = 16, perDistance = 200;
        SplittableRandom random = new SplittableRandom(2509_12635L);
        double[][] rope = new double[2][], tapaScores = new double[2][];
        for (int range = 0; range < 2; range++) {
            int from = range == 0 ? 1 : 10_000;
            double[] r = new double[100 * perDistance], t = new double[100 * perDistance];
            for (int lambda = from; lambda < from + 100; lambda++) {
                Tensor q = shifted(random, perDistance, 1, d), k = shifted(random, perDistance, 1, d);
                double[] rs = ropeScores(q, k, lambda), ts = tapaScores(q, k, lambda);
                System.arraycopy(rs, 0, r, (lambda - from) * perDistance, perDistance);
                System.arraycopy(ts, 0, t, (lambda - from) * perDistance, perDistance);
            }
            rope[range] = r;
            tapaScores[range] = t;
        }
        double[] ropeDelta = delta(rope), tapaDelta = delta(tapaScores);
        System.out.println(String.format(Locale.ROOT, "distance bias: RoPE delta %.4f +- %.4f, TAPA delta %.4f +- %.4f",
            ropeDelta[0], ropeDelta[1], tapaDelta[0], tapaDelta[1]));
        assertTrue(ropeDelta[0] > 10 * ropeDelta[1], "RoPE near-far gap " + ropeDelta[0] + " +- " + ropeDelta[1]);
        assertTrue(Math.abs(tapaDelta[0]) < 4 * tapaDelta[1], "TAPA near-far gap " + tapaDelta[0] + " +- " + tapaDelta[1]);
    }

    // ----------------------------------------------------------------------------------------------- helpers

    /** [n, 1, 1, d] of 0.5 + N(0, 1): n independent single-token draws. */
    private static Tensor shifted(SplittableRandom random, int n, int tokens, int d) {
        Tensor t = Tensor.zeros(DType.FLOAT64, n, 1, tokens, d);
        for (int i = 0; i < t.size(); i++) {
            t.setFlat(i, 0.5 + gaussian(random));
        }
        return t;
    }

    private static double gaussian(SplittableRandom random) {
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    /** RoPE logits q'·k'/√D of query at position λ and key at 0, per draw. */
    private static double[] ropeScores(Tensor q, Tensor k, int lambda) {
        PositionalResult r = new RotaryPositionEmbedding().encode(PositionalCall.tokens(q, k).withOffsets(lambda, 0),
            Fixtures.BACKEND);
        int d = q.dim(3);
        double[] s = new double[q.dim(0)];
        for (int b = 0; b < s.length; b++) {
            for (int e = 0; e < d; e++) {
                s[b] += r.q().get(b, 0, 0, e) * r.k().get(b, 0, 0, e);
            }
            s[b] /= Math.sqrt(d);
        }
        return s;
    }

    /**
     * TAPA scores s(λ, 0) read back from the mechanism: keys {k at 0, a zero key at 1 (score 0)}, values {1, 0}, so
     * the output is the weight σ(s) and s = log(w / (1 − w)).
     */
    private double[] tapaScores(Tensor q, Tensor k, int lambda) {
        int n = q.dim(0), d = q.dim(3);
        Tensor keys = Tensor.zeros(DType.FLOAT64, n, 1, 2, d), values = Tensor.zeros(DType.FLOAT64, n, 1, 2, 1);
        for (int b = 0; b < n; b++) {
            for (int e = 0; e < d; e++) {
                keys.set(k.get(b, 0, 0, e), b, 0, 0, e);
            }
            values.set(1, b, 0, 0, 0);
        }
        Tensor w = run(q, keys, values, false, Map.of("query-offset", "" + lambda));
        double[] s = new double[n];
        for (int b = 0; b < n; b++) {
            double p = w.get(b, 0, 0, 0);
            s[b] = Math.log(p / (1 - p));
        }
        return s;
    }

    /** {mean(short) − mean(long), its standard error}. */
    private static double[] delta(double[][] ranges) {
        double[] mean = new double[2], var = new double[2];
        for (int r = 0; r < 2; r++) {
            for (double x : ranges[r]) {
                mean[r] += x;
            }
            mean[r] /= ranges[r].length;
            for (double x : ranges[r]) {
                var[r] += (x - mean[r]) * (x - mean[r]);
            }
            var[r] /= ranges[r].length - 1;
        }
        return new double[] {mean[0] - mean[1], Math.sqrt(var[0] / ranges[0].length + var[1] / ranges[1].length)};
    }

    private static Tensor ropeAttention(Tensor q, Tensor k, Tensor v) {
        PositionalResult r = new RotaryPositionEmbedding().encode(PositionalCall.tokens(q, k), Fixtures.BACKEND);
        return Float64Attention.sdpa(r.q(), r.k(), v, 1 / Math.sqrt(q.dim(3)), false);
    }

    /** x [B, H, N, D] with the token axis reversed. */
    private static Tensor reversed(Tensor x) {
        Tensor out = Tensor.zeros(x.dtype(), x.shape());
        int n = x.dim(2);
        for (int b = 0; b < x.dim(0); b++) {
            for (int h = 0; h < x.dim(1); h++) {
                for (int i = 0; i < n; i++) {
                    for (int e = 0; e < x.dim(3); e++) {
                        out.set(x.get(b, h, i, e), b, h, n - 1 - i, e);
                    }
                }
            }
        }
        return out;
    }

    private static double maxDiff(Tensor a, Tensor b) {
        double m = 0;
        for (int i = 0; i < a.size(); i++) {
            m = Math.max(m, Math.abs(a.getFlat(i) - b.getFlat(i)));
        }
        return m;
    }
}

package org.attune.positional.rotary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;

import org.attune.api.diagnostics.DiagnosticCall;
import org.attune.api.diagnostics.DiagnosticReport;
import org.junit.jupiter.api.Test;

/**
 * The causal-mask diagnostic on 8 tokens of width 32, 4000 sequences. Monte Carlo tolerances are stated in
 * units of the report's own largest standard error σ: "constant" or "Toeplitz" means every entry within 5σ of
 * the value it should equal; "position-dependent" means a gap above 8σ.
 */
class CausalMaskBiasTest {
    private static final int S = 8;

    private static DiagnosticReport run(String... pairs) {
        Map<String, String> p = new HashMap<>(Map.of("length", "" + S, "dim", "32", "samples", "4000"));
        for (int i = 0; i < pairs.length; i += 2) {
            p.put(pairs[i], pairs[i + 1]);
        }
        return new CausalMaskBias().run(new DiagnosticCall(Map.of(), p), Fixtures.BACKEND);
    }

    /** Without the mask the layers treat iid tokens exchangeably: E[s_ij] is one constant for i ≠ j, 1 for i = j. */
    @Test
    void bidirectionalNoPeOnIidInputsGivesAConstantExpectedPattern() {
        for (String layer : new String[] {"1", "2", "3"}) {
            DiagnosticReport r = run("causal", "false", "layer", layer);
            Map<String, Double> v = r.values();
            for (String name : new String[] {"score", "weight"}) {
                double sigma = v.get(name + ".stderr"), mean = 0;
                for (int i = 0; i < S; i++) {
                    for (int j = 0; j < S; j++) {
                        mean += i == j ? 0 : v.get(name + "[" + i + "," + j + "]") / (S * (S - 1));
                    }
                }
                for (int i = 0; i < S; i++) {
                    for (int j = 0; j < S; j++) {
                        if (i != j) {
                            double x = v.get(name + "[" + i + "," + j + "]");
                            assertTrue(Math.abs(x - mean) <= 5 * sigma, name + "[" + i + "," + j + "] = " + x + " vs "
                                + mean + " +- " + sigma + " at layer " + layer);
                        }
                    }
                }
            }
            for (int i = 0; i < S; i++) {
                assertEquals(1, v.get("score[" + i + "," + i + "]"), 1e-9, "h_i . h_i");
            }
        }
    }

    /**
     * With the mask, from the second layer on, the expected score depends on position and favours nearby pairs:
     * the mean at offset 1 exceeds the mean at offset S − 1 and the spread is far above noise. At the first layer
     * the scores are those of the iid inputs, constant off the diagonal.
     */
    @Test
    void causalNoPeShowsAPositionDependentPatternFavouringNearbyPairs() {
        DiagnosticReport first = run("layer", "1");
        assertTrue(first.values().get("score.spread") <= 10 * first.values().get("score.stderr"), first.summary());
        for (String layer : new String[] {"2", "3"}) {
            DiagnosticReport r = run("layer", layer);
            Map<String, Double> v = r.values();
            double sigma = v.get("score.stderr");
            assertTrue(v.get("score.spread") > 8 * sigma, r.summary());
            assertTrue(v.get("score.offset[1]") - v.get("score.offset[" + (S - 1) + "]") > 8 * sigma, r.summary());
            assertTrue(v.get("score.diagonal-variance") > 4 * sigma * sigma, "not even relative: " + r.summary());
        }
    }

    /**
     * Pure RoPE: E[R(i)h_i · R(j)h_j] = E[h_iᵀ R(j − i) h_j] depends on j − i only, a Toeplitz pattern (with a
     * common component, α = 0.5, so that it is not constant). After a causal layer it is no longer relative: the
     * variance along diagonals rises far above the noise floor σ².
     */
    @Test
    void expectedPureRopeScoreIsToeplitzAndTheCausalMaskBreaksIt() {
        DiagnosticReport pure = run("pe", "rope", "alpha", "0.5", "layer", "1", "causal", "false");
        Map<String, Double> v = pure.values();
        double sigma = v.get("score.stderr");
        for (int i = 0; i < S; i++) {
            for (int j = 0; j < S; j++) {
                double x = v.get("score[" + i + "," + j + "]"), diagonal = v.get("score.offset[" + (i - j) + "]");
                assertTrue(Math.abs(x - diagonal) <= 5 * sigma, "score[" + i + "," + j + "] = " + x + " vs diagonal "
                    + diagonal + " +- " + sigma);
            }
        }
        assertTrue(v.get("score.diagonal-variance") <= sigma * sigma, pure.summary());
        assertTrue(v.get("score.spread") > 8 * sigma, "RoPE's pattern is not constant: " + pure.summary());

        DiagnosticReport masked = run("pe", "rope", "alpha", "0.5", "layer", "2");
        double s2 = masked.values().get("score.stderr");
        assertTrue(masked.values().get("score.diagonal-variance") > 20 * s2 * s2, masked.summary());
    }

    @Test
    void sameSeedSameReportOtherSeedOtherDraws() {
        DiagnosticReport a = run("samples", "50"), b = run("samples", "50"), c = run("samples", "50", "seed", "9");
        assertEquals(a.values(), b.values());
        assertTrue(!a.values().equals(c.values()));
    }

    @Test
    void rejectsBadParameters() {
        Fixtures.assertArgument("--opt dim", () -> run("dim", "7"));
        Fixtures.assertArgument("--opt samples", () -> run("samples", "1"));
        Fixtures.assertArgument("--opt alpha", () -> run("alpha", "1.5"));
        Fixtures.assertArgument("--opt pe", () -> run("pe", "alibi"));
        Fixtures.assertArgument("--opt causal", () -> run("causal", "yes"));
        Fixtures.assertArgument("--opt layer", () -> run("layer", "0"));
        Fixtures.assertArgument("--opt base", () -> run("pe", "rope", "base", "1"));
    }
}

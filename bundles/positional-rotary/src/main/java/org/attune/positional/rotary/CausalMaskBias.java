package org.attune.positional.rotary;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

import org.attune.api.backend.ComputeBackend;
import org.attune.api.diagnostics.Diagnostic;
import org.attune.api.diagnostics.DiagnosticCall;
import org.attune.api.diagnostics.DiagnosticMethod;
import org.attune.api.diagnostics.DiagnosticReport;
import org.attune.api.method.Parameters;
import org.attune.api.tensor.InvalidInputException;
import org.osgi.service.component.annotations.Component;

/**
 * The positional pattern the causal mask alone puts into attention, and how it bends RoPE's relative pattern,
 * by Monte Carlo over parameter-free attention layers on inputs without any causal dependency.
 * Kim et al., "Behind RoPE: How Does Causal Mask Encode Positional Information?", arXiv:2509.21042, section 3
 * (the theory's setting) and the authors' simulation ({@code concept/simulation.ipynb},
 * {@code concept/simulation_rope.ipynb} in starmpcc/causal_mask_encodes_positional):
 * <pre>
 *   x_t = (g_t + l·c) / ‖g_t + l·c‖,   g_t, c ~ N(0, I_E) independent, l = √(α/(1 − α))   (α = 1: x_t = c/‖c‖)
 *   per layer:  h_t = x_t / ‖x_t‖,   q_t = k_t = R(t) h_t  (RoPE, rotate-half, θ_d = base^(−2d/E)) or h_t (NoPE)
 *               s_ij = q_i·k_j,   w_ij = softmax_{j ≤ i (causal) or all j}(s_ij),   x_i ← x_i + Σ_j w_ij h_j
 * </pre>
 * α is the share of a component common to all tokens of a sequence (α = 0: iid tokens). At the reported layer
 * it estimates, over {@code samples} sequences, the expected score E[s_ij] and weight E[w_ij] for every allowed
 * pair (j ≤ i when causal), and reports them as {@code score[i,j]} and {@code weight[i,j]} with, for
 * {@code score} and {@code weight} each:
 * <ul>
 * <li>{@code .offset[d]}: the mean over the diagonal i − j = d (the pattern as a function of the offset);</li>
 * <li>{@code .diagonal-variance}: relative-ness, the mean over diagonals with at least two allowed entries of the
 * variance of the expected values along the diagonal (the paper's diagonal-mean-subtracted pattern, squared);
 * 0 for a Toeplitz pattern such as the pure-RoPE score;</li>
 * <li>{@code .spread}: max − min of the expected values over allowed pairs i ≠ j (0 for a constant pattern);</li>
 * <li>{@code .stderr}: the largest Monte Carlo standard error of an entry, the noise floor of the above.</li>
 * </ul>
 * Without the mask the layers treat tokens exchangeably and the expected pattern is constant off the diagonal;
 * with it, from the second layer on, expected scores fall with i − j (nearby pairs favoured) and, with RoPE,
 * stop being constant along diagonals. Reads no input tensors. Parameters: {@code length} S (default 50),
 * {@code dim} E (64), {@code samples} (1000), {@code layer} reported (2), {@code alpha} (0), {@code causal}
 * (true), {@code pe} none or rope (none), {@code base} (10000), {@code seed} (0). Cost O(samples·layer·S²·E).
 */
@Component(service = Diagnostic.class)
@DiagnosticMethod(id = "causal-mask-bias", name = "Causal-mask positional bias", family = "rotary",
    paper = "Behind RoPE: How Does Causal Mask Encode Positional Information?", arxiv = "2509.21042", year = 2025,
    cost = "O(samples layer n^2 d)",
    options = {"length=tokens per sequence; default 50", "dim=embedding width, even; default 64",
        "samples=Monte Carlo sequences; default 1000", "layer=layer whose pattern is reported (1 = first); default 2",
        "alpha=share of a component common to the sequence, in [0, 1]; default 0 (iid tokens)",
        "causal=true or false; default true", "pe=none (NoPE) or rope; default none",
        "base=RoPE base; default 10000", "seed=seed of the draws; default 0"})
public final class CausalMaskBias implements Diagnostic {

    @Override
    public DiagnosticReport run(DiagnosticCall call, ComputeBackend backend) {
        Parameters p = call.parameters();
        int s = p.integer("length", 50, 1), e = p.integer("dim", 64, 2), samples = p.integer("samples", 1000, 2);
        int layers = p.integer("layer", 2, 1);
        if (e % 2 != 0) {
            throw new InvalidInputException("--opt dim", "expected an even width, got " + e);
        }
        double alpha = p.number("alpha", 0);
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new InvalidInputException("--opt alpha", "expected a share in [0, 1], got " + alpha);
        }
        boolean causal = p.flag("causal", true);
        String pe = p.text("pe", "none").strip().toLowerCase(Locale.ROOT);
        if (!pe.equals("none") && !pe.equals("rope")) {
            throw new InvalidInputException("--opt pe", "expected none or rope, got '" + pe + "'");
        }
        double base = p.number("base", 10000);
        if (!(base > 1)) {
            throw new InvalidInputException("--opt base", "expected a number > 1, got " + base);
        }
        RotaryTables rope = pe.equals("rope") ? new RotaryTables(RotaryTables.standard(e, base), 1) : null;
        SplittableRandom random = new SplittableRandom(p.integer("seed", 0));
        double common = alpha == 1 ? 1 : Math.sqrt(alpha / (1 - alpha)), own = alpha == 1 ? 0 : 1;

        Moments score = new Moments(s), weight = new Moments(s);
        double[][] x = new double[s][e], h = new double[s][e], qk = new double[s][e], sc = new double[s][s];
        double[][] w = new double[s][s];
        double[] c = new double[e];
        for (int n = 0; n < samples; n++) {
            for (int d = 0; d < e; d++) {
                c[d] = random.nextGaussian();
            }
            for (int t = 0; t < s; t++) {
                for (int d = 0; d < e; d++) {
                    x[t][d] = own * random.nextGaussian() + common * c[d];
                }
                normalise(x[t], x[t]);
            }
            for (int layer = 1; layer <= layers; layer++) {
                for (int t = 0; t < s; t++) {
                    normalise(x[t], h[t]);
                    System.arraycopy(h[t], 0, qk[t], 0, e);
                    if (rope != null) {
                        rope.rotate(qk[t], 0, t, RotaryConvention.HALF);
                    }
                }
                for (int i = 0; i < s; i++) {
                    int last = causal ? i : s - 1;
                    double max = Double.NEGATIVE_INFINITY, z = 0;
                    for (int j = 0; j <= last; j++) {
                        double dot = 0;
                        for (int d = 0; d < e; d++) {
                            dot += qk[i][d] * qk[j][d];
                        }
                        sc[i][j] = dot;
                        max = Math.max(max, dot);
                    }
                    for (int j = 0; j <= last; j++) {
                        w[i][j] = Math.exp(sc[i][j] - max);
                        z += w[i][j];
                    }
                    for (int j = 0; j <= last; j++) {
                        w[i][j] /= z;
                    }
                }
                for (int i = 0; i < s; i++) {
                    int last = causal ? i : s - 1;
                    for (int j = 0; j <= last; j++) {
                        for (int d = 0; d < e; d++) {
                            x[i][d] += w[i][j] * h[j][d];
                        }
                    }
                }
            }
            score.add(sc, causal);
            weight.add(w, causal);
        }
        Map<String, Double> values = new LinkedHashMap<>();
        score.report("score", samples, causal, values);
        weight.report("weight", samples, causal, values);
        String summary = String.format(Locale.ROOT, "layer %d, %s %s, alpha %s, %d sequences of %d tokens (width %d):"
                + " score spread %.4g, diagonal variance %.3g, near (i-j=1) %.4g vs far (i-j=%d) %.4g, stderr %.2g",
            layers, causal ? "causal" : "bidirectional", pe.equals("rope") ? "RoPE" : "NoPE", alpha, samples, s, e,
            values.get("score.spread"), values.get("score.diagonal-variance"),
            values.getOrDefault("score.offset[1]", Double.NaN), s - 1,
            values.getOrDefault("score.offset[" + (s - 1) + "]", Double.NaN), values.get("score.stderr"));
        return new DiagnosticReport(values, summary);
    }

    /** Running sums of a pattern and of its square over the allowed pairs. */
    private static final class Moments {
        private final double[][] sum, squares;

        Moments(int s) {
            sum = new double[s][s];
            squares = new double[s][s];
        }

        void add(double[][] m, boolean causal) {
            for (int i = 0; i < sum.length; i++) {
                for (int j = 0; j <= (causal ? i : sum.length - 1); j++) {
                    sum[i][j] += m[i][j];
                    squares[i][j] += m[i][j] * m[i][j];
                }
            }
        }

        /** name[i,j], name.offset[d], name.diagonal-variance, name.spread, name.stderr. */
        void report(String name, int samples, boolean causal, Map<String, Double> values) {
            int s = sum.length;
            double[][] mean = new double[s][s];
            double stderr = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < s; i++) {
                for (int j = 0; j <= (causal ? i : s - 1); j++) {
                    mean[i][j] = sum[i][j] / samples;
                    double variance = Math.max(0, (squares[i][j] - samples * mean[i][j] * mean[i][j]) / (samples - 1));
                    stderr = Math.max(stderr, Math.sqrt(variance / samples));
                    values.put(name + "[" + i + "," + j + "]", mean[i][j]);
                    if (i != j) {
                        min = Math.min(min, mean[i][j]);
                        max = Math.max(max, mean[i][j]);
                    }
                }
            }
            double varianceSum = 0;
            int diagonals = 0;
            for (int d = causal ? 0 : 1 - s; d < s; d++) {
                int from = Math.max(0, d), count = s - Math.abs(d);
                double m = 0;
                for (int i = from; i < from + count; i++) {
                    m += mean[i][i - d];
                }
                m /= count;
                values.put(name + ".offset[" + d + "]", m);
                if (count >= 2) {
                    double v = 0;
                    for (int i = from; i < from + count; i++) {
                        v += (mean[i][i - d] - m) * (mean[i][i - d] - m);
                    }
                    varianceSum += v / count;
                    diagonals++;
                }
            }
            values.put(name + ".diagonal-variance", diagonals == 0 ? 0 : varianceSum / diagonals);
            values.put(name + ".spread", s < 2 ? 0 : max - min);
            values.put(name + ".stderr", stderr);
        }
    }

    private static void normalise(double[] v, double[] out) {
        double n = 0;
        for (double a : v) {
            n += a * a;
        }
        n = Math.sqrt(n) + 1e-12;
        for (int d = 0; d < v.length; d++) {
            out[d] = v[d] / n;
        }
    }
}

package org.attune.attention.core;

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
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * The approximation error of PAMM on the Q, K and V projections of one attention call, the error that
 * {@link PammAttention}'s forward-exact pass does not show.
 * Khalaf et al., "QKV Projections Require a Fraction of Their Memory", arXiv:2506.02939,
 * computed by {@link PointApproximation}: for each projection input X ∈ {x_q, x_k, x_v}
 * (the token embeddings merge(q), merge(k), merge(v), flattened to [b = B·N, E]) and an upstream gradient G
 * [b, E] (input {@code grad_q}, {@code grad_k}, {@code grad_v} when given, else seeded standard normal, one
 * Box–Muller cosine draw per entry from {@code SplittableRandom(seed + 1)}), it reports
 * <pre>
 *   compression  = b / k                      activation-error = ‖X − X̃‖_F / ‖X‖_F
 *   dropped      = η                          gradient-error   = ‖Xᵀ G − ∇W̃‖_F / ‖Xᵀ G‖_F
 * </pre>
 * as values {@code q.compression}, {@code q.dropped}, {@code q.activation-error}, {@code q.gradient-error} and the
 * same for {@code k} and {@code v}. Inputs {@code q}, {@code k}, {@code v} as for attention; parameters
 * {@code ratio} r ∈ (0, 1] (default 1/512, the paper's setting), {@code epsilon} ε (default infinity) and
 * {@code seed} (default 0) of the draw of the generating points. r = 1 reports zero errors.
 */
@Component(service = Diagnostic.class)
@DiagnosticMethod(id = "pamm-error", name = "PAMM approximation error", family = "core",
    paper = "QKV Projections Require a Fraction of Their Memory", arxiv = "2506.02939", year = 2025, cost = "O(n k d)",
    options = {
        "ratio=fraction r of the tokens kept as generating points, in (0, 1]; default 1/512",
        "epsilon=neighbourhood gate: tokens with residual above epsilon*|A_i| are dropped; default infinity",
        "seed=seed of the draw of the points (and, + 1, of the Gaussian upstream gradient); default 0"})
public final class PammError implements Diagnostic {

    @Override
    public DiagnosticReport run(DiagnosticCall call, ComputeBackend backend) {
        Parameters params = call.parameters();
        double ratio = params.number("ratio", 1.0 / 512);
        if (!(ratio > 0 && ratio <= 1)) {
            throw new InvalidInputException("--opt ratio", "must be in (0, 1], got " + ratio);
        }
        double epsilon = params.number("epsilon", Double.POSITIVE_INFINITY);
        if (!(epsilon >= 0)) {
            throw new InvalidInputException("--opt epsilon", "must be >= 0, got " + epsilon);
        }
        long seed = params.longInteger("seed", 0);
        Map<String, Double> values = new LinkedHashMap<>();
        StringBuilder summary = new StringBuilder();
        SplittableRandom gradients = new SplittableRandom(seed + 1);
        for (String name : new String[] {"q", "k", "v"}) {
            Tensor t = call.inputs().get(name);
            if (t == null) {
                throw new InvalidInputException(name, "missing; pass q, k and v [batch, heads, seq, dim]");
            }
            t.requireShape(name, "[batch, heads, seq, dim]", -1, -1, -1, -1);
            t.requireDType(name, DType.FLOAT32, DType.FLOAT64);
            double[][] x = rows(HeadLayout.merge(t));
            if (x.length == 0) {
                continue;
            }
            double[][] g = gradient(call.inputs().get("grad_" + name), x.length, x[0].length, gradients, name);
            PointApproximation.Compressed c = PointApproximation.compress(x, ratio, epsilon, seed);
            double activation = relative(x, c.reconstruction());
            double gradient = relative(transposeTimes(x, g), c.weightGradient(g));
            values.put(name + ".compression", (double) x.length / c.points().length);
            values.put(name + ".dropped", (double) c.dropped());
            values.put(name + ".activation-error", activation);
            values.put(name + ".gradient-error", gradient);
            summary.append(String.format(Locale.ROOT, "%s: %d tokens -> %d points, dropped %d, |X - X~|/|X| = %.3e,"
                + " |grad - grad~|/|grad| = %.3e%n", name, x.length, c.points().length, c.dropped(), activation, gradient));
        }
        return new DiagnosticReport(values, summary.toString().strip());
    }

    /** [B, N, E] → [B·N][E]. */
    private static double[][] rows(Tensor x) {
        int b = x.dim(0) * x.dim(1), e = x.dim(2);
        double[][] r = new double[b][e];
        for (int i = 0; i < b; i++) {
            for (int c = 0; c < e; c++) {
                r[i][c] = x.getFlat(i * e + c);
            }
        }
        return r;
    }

    private static double[][] gradient(Tensor given, int b, int e, SplittableRandom random, String name) {
        double[][] g = new double[b][e];
        if (given != null) {
            given.requireShape("grad_" + name, "[" + b + ", " + e + "] (tokens of " + name + " by its embedding width)", b,
                e);
            for (int i = 0; i < b; i++) {
                for (int c = 0; c < e; c++) {
                    g[i][c] = given.get(i, c);
                }
            }
            return g;
        }
        for (int i = 0; i < b; i++) {
            for (int c = 0; c < e; c++) {
                g[i][c] = Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
            }
        }
        return g;
    }

    private static double[][] transposeTimes(double[][] x, double[][] g) {
        double[][] out = new double[x[0].length][g[0].length];
        for (int i = 0; i < x.length; i++) {
            for (int r = 0; r < x[i].length; r++) {
                for (int c = 0; c < g[i].length; c++) {
                    out[r][c] += x[i][r] * g[i][c];
                }
            }
        }
        return out;
    }

    private static double relative(double[][] exact, double[][] approx) {
        double diff = 0, norm = 0;
        for (int i = 0; i < exact.length; i++) {
            for (int c = 0; c < exact[i].length; c++) {
                double d = exact[i][c] - approx[i][c];
                diff += d * d;
                norm += exact[i][c] * exact[i][c];
            }
        }
        return norm == 0 ? 0 : Math.sqrt(diff / norm);
    }
}

package org.attune.equivariance.canonicalization;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.attune.api.backend.BinaryOp;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.backend.UnaryOp;
import org.attune.api.diagnostics.Diagnostic;
import org.attune.api.diagnostics.DiagnosticCall;
import org.attune.api.diagnostics.DiagnosticMethod;
import org.attune.api.diagnostics.DiagnosticReport;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Which point-wise activations commute with which representations. Pacini, Dong, Lepri and Santin, "A
 * Characterization Theorem for Equivariant Networks with Point-wise Activations", arXiv:2401.09235. A layer with
 * a point-wise σ is equivariant for a representation ρ in the given coordinates iff σ(ρ(g)·x) = ρ(g)·σ(x) for all
 * x and all g, and it suffices to check generators (commuting matrices compose and invert). For continuous non-affine
 * σ the invertible matrices M with σ∘M = M∘σ are exactly the monomial matrices (one nonzero per row and column)
 * whose nonzero entries λ satisfy σ(λt) = λσ(t) for all t:
 * <pre>
 *   Λ_σ = (0, ∞)     relu, leaky-relu, abs        (positively homogeneous): positive monomial matrices
 *   Λ_σ = {−1, 1}    tanh                          (odd, not homogeneous):  signed permutations
 *   Λ_σ = {1}        sigmoid, silu, gelu, elu, softplus                     permutations only
 *   every M          identity                      (linear)
 * </pre>
 * Hence a representation admits every non-linear σ of this list iff it is a permutation representation, and a
 * non-monomial ρ(g) (a rotation other than by multiples of 90° in the plane, a Wigner-D matrix) admits none; a
 * compact connected group, whose image in the monomial matrices is a connected compact group, acts trivially.
 *
 * <p>The check: inputs {@code rho} [G, d, d] (or [d, d]) holding ρ of the generators; it draws x uniform in [−3, 3]^d
 * ({@code samples} of them, {@code SplittableRandom(seed)}), computes σ through the backend in float64 and reports
 * <pre>
 *   error     = max_{g, x} max_i |σ(ρ(g)x) − ρ(g)σ(x)|_i / max(1, max_i |ρ(g)σ(x)|_i)
 *   commutes  = 1 if error ≤ {@value #TOLERANCE} else 0       (the measurement)
 *   predicted = 1 if every ρ(g) is monomial with entries in Λ_σ else 0   (the theorem, entries within 1e-9·max|ρ(g)|)
 *   agrees    = 1 if commutes = predicted;  monomial = 1 if every ρ(g) is monomial;  generators = G
 * </pre>
 * and, in the summary, the class of each generator (permutation, signed permutation, positive monomial, monomial,
 * not monomial). Parameters: {@code activation} (default relu), {@code slope} (leaky-relu, in (0, 1), default 0.01),
 * {@code samples} (default 64), {@code seed} (default 0).
 */
@Component(service = Diagnostic.class)
@DiagnosticMethod(id = "pointwise-characterization", name = "Point-wise activation characterization",
    family = "canonicalization",
    paper = "A Characterization Theorem for Equivariant Networks with Point-wise Activations", arxiv = "2401.09235",
    year = 2024, cost = "O(G·samples·d²)",
    options = {"activation=relu, leaky-relu, abs, tanh, sigmoid, silu, gelu, elu, softplus or identity (default relu)",
        "slope=negative slope of leaky-relu, in (0, 1) (default 0.01)", "samples=random x per generator (default 64)",
        "seed=seed of the samples (default 0)"})
public final class PointwiseActivationCharacterization implements Diagnostic {
    /**
     * Largest residual counted as commuting: admissible monomial matrices leave only rounding (0 for permutations and
     * positive scalings, a few ulps for tanh with signs), inadmissible ones residuals of order 1.
     */
    public static final double TOLERANCE = 1e-12;

    /** Relative size below which an entry of ρ(g) counts as zero when classifying it. */
    static final double ZERO = 1e-9;

    @Override
    public DiagnosticReport run(DiagnosticCall call, ComputeBackend backend) {
        Tensor rho = call.inputs().get("rho");
        if (rho == null || !rho.dtype().isFloating() || (rho.rank() != 2 && rho.rank() != 3)
            || rho.dim(-1) != rho.dim(-2) || rho.dim(-1) < 1) {
            throw new InvalidInputException("rho", "expected floating [generators, d, d] or [d, d], got "
                + (rho == null ? "none" : rho.dtype().shortName() + " " + Arrays.toString(rho.shape())));
        }
        Map<String, String> p = call.params();
        String activation = p.getOrDefault("activation", "relu").strip();
        double slope = slope(p);
        Scalars lambda = scalars(activation);
        int samples = new PointCloud(rho, null, p).positive("samples", 64);
        long seed = seed(p);
        int d = rho.dim(-1);
        Tensor gens = rho.to(DType.FLOAT64).reshape(-1, d, d);
        int count = gens.dim(0);
        SplittableRandom random = new SplittableRandom(seed);
        double error = 0;
        boolean predicted = true;
        boolean monomial = true;
        StringBuilder classes = new StringBuilder();
        for (int g = 0; g < count; g++) {
            Tensor m = gens.select(g).copy();
            Tensor x = Tensor.zeros(DType.FLOAT64, samples, d);
            for (int i = 0; i < x.size(); i++) {
                x.setFlat(i, random.nextDouble(-3, 3));
            }
            // rows: (ρx)ᵀ = xᵀρᵀ
            Tensor left = activate(backend, activation, slope, backend.matmul(x, m, false, true, null));
            Tensor right = backend.matmul(activate(backend, activation, slope, x), m, false, true, null);
            for (int s = 0; s < samples; s++) {
                double diff = 0;
                double scale = 1;
                for (int i = 0; i < d; i++) {
                    diff = Math.max(diff, Math.abs(left.get(s, i) - right.get(s, i)));
                    scale = Math.max(scale, Math.abs(right.get(s, i)));
                }
                error = Math.max(error, Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff / scale);
            }
            Monomial kind = Monomial.of(m);
            monomial &= kind.monomial;
            predicted &= lambda == Scalars.ALL || kind.monomial && lambda.admit(kind.entries);
            classes.append(g == 0 ? "" : ", ").append("g").append(g).append(": ").append(kind.describe());
        }
        boolean commutes = error <= TOLERANCE;
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("error", error);
        values.put("commutes", commutes ? 1.0 : 0.0);
        values.put("predicted", predicted ? 1.0 : 0.0);
        values.put("agrees", commutes == predicted ? 1.0 : 0.0);
        values.put("monomial", monomial ? 1.0 : 0.0);
        values.put("generators", (double) count);
        String summary = activation + " (Λ = " + lambda.text + ") " + (commutes ? "commutes" : "does not commute")
            + " with " + count + " generator" + (count == 1 ? "" : "s") + " of dimension " + d + " (error "
            + String.format("%.3g", error) + "); the theorem predicts it " + (predicted ? "does" : "does not")
            + (commutes == predicted ? "" : " (DISAGREES)") + "; " + classes;
        return new DiagnosticReport(values, summary);
    }

    /** The admissible scalars Λ_σ = {λ ≠ 0 : σ(λt) = λσ(t) for all t}. */
    private enum Scalars {
        POSITIVE("(0, ∞)"), SIGNS("{−1, 1}"), ONE("{1}"), ALL("ℝ \\ {0}, and every matrix");

        final String text;

        Scalars(String text) {
            this.text = text;
        }

        boolean admit(double[] entries) {
            for (double e : entries) {
                boolean ok = switch (this) {
                    case POSITIVE -> e > 0;
                    case SIGNS -> Math.abs(Math.abs(e) - 1) <= ZERO;
                    case ONE -> Math.abs(e - 1) <= ZERO;
                    case ALL -> true;
                };
                if (!ok) {
                    return false;
                }
            }
            return true;
        }
    }

    private static Scalars scalars(String activation) {
        return switch (activation) {
            case "relu", "leaky-relu", "abs" -> Scalars.POSITIVE;
            case "tanh" -> Scalars.SIGNS;
            case "sigmoid", "silu", "gelu", "elu", "softplus" -> Scalars.ONE;
            case "identity" -> Scalars.ALL;
            default -> throw new InvalidInputException("activation", "expected one of relu, leaky-relu, abs, tanh, "
                + "sigmoid, silu, gelu, elu, softplus, identity; got '" + activation + "'");
        };
    }

    /** σ(x) element-wise through the backend. */
    private static Tensor activate(ComputeBackend backend, String activation, double slope, Tensor x) {
        return switch (activation) {
            case "relu" -> backend.unary(UnaryOp.RELU, x, null);
            case "leaky-relu" -> backend.binary(BinaryOp.MAX, x,
                backend.binary(BinaryOp.MUL, x, Tensor.scalar(x.dtype(), slope), null), null);
            case "abs" -> backend.unary(UnaryOp.ABS, x, null);
            case "tanh" -> backend.unary(UnaryOp.TANH, x, null);
            case "sigmoid" -> backend.unary(UnaryOp.SIGMOID, x, null);
            case "silu" -> backend.binary(BinaryOp.MUL, x, backend.unary(UnaryOp.SIGMOID, x, null), null);
            case "gelu" -> backend.unary(UnaryOp.GELU, x, null);
            case "elu" -> backend.unary(UnaryOp.ELU, x, null);
            case "softplus" -> backend.unary(UnaryOp.SOFTPLUS, x, null);
            default -> x.copy();
        };
    }

    /** The class of one matrix: monomial or not, and its nonzero entries when it is. */
    private record Monomial(boolean monomial, double[] entries) {
        static Monomial of(Tensor m) {
            int d = m.dim(0);
            double max = 0;
            for (int i = 0; i < m.size(); i++) {
                max = Math.max(max, Math.abs(m.getFlat(i)));
            }
            double[] entries = new double[d];
            int[] perColumn = new int[d];
            for (int i = 0; i < d; i++) {
                int nonzero = 0;
                for (int j = 0; j < d; j++) {
                    double v = m.get(i, j);
                    if (Math.abs(v) > ZERO * max) {
                        nonzero++;
                        perColumn[j]++;
                        entries[i] = v;
                    }
                }
                if (nonzero != 1) {
                    return new Monomial(false, new double[0]);
                }
            }
            for (int c : perColumn) {
                if (c != 1) {
                    return new Monomial(false, new double[0]);
                }
            }
            return new Monomial(true, entries);
        }

        String describe() {
            if (!monomial) {
                return "not monomial";
            }
            if (Scalars.ONE.admit(entries)) {
                return "permutation";
            }
            if (Scalars.SIGNS.admit(entries)) {
                return "signed permutation";
            }
            return Scalars.POSITIVE.admit(entries) ? "positive monomial" : "monomial";
        }
    }

    private static double slope(Map<String, String> p) {
        String s = p.getOrDefault("slope", "0.01");
        try {
            double v = Double.parseDouble(s.strip());
            if (v > 0 && v < 1) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidInputException("slope", "expected a number in (0, 1), got '" + s + "'");
    }

    private static long seed(Map<String, String> p) {
        String s = p.getOrDefault("seed", "0");
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            throw new InvalidInputException("seed", "expected an integer, got '" + s + "'");
        }
    }
}

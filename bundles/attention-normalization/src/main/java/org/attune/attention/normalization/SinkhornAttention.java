package org.attune.attention.normalization;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Entropic Sinkhorn attention: the attention matrix is the entropic optimal-transport plan between the queries
 * and the keys, found by Sinkhorn iterations in the log domain, instead of a row softmax.
 * Sander et al., "Sinkformers: Transformers with Doubly Stochastic Attention", arXiv:2110.11773 (Sinkhorn's algorithm
 * on K⁰ = exp(C), alternating row and column normalisation); log-domain form of Cuturi, "Sinkhorn Distances",
 * arXiv:1306.0895, and Peyré and Cuturi, "Computational Optimal Transport", arXiv:1803.00567 (log-domain Sinkhorn).
 * <pre>
 *   log P_ij = s_ij / ε + f_i + g_j,   marginals  a_i = 1 (rows),  b_j = Nq / Nk (columns)
 *   g = 0;  f_i = log a_i − LSE_j(s_ij / ε + g_j)                                (row normalisation)
 *   repeat T − 1 times:  g_j = log b_j − LSE_i(s_ij / ε + f_i);  f_i = log a_i − LSE_j(s_ij / ε + g_j)
 *   out_i = Σ_j P_ij v_j
 * </pre>
 * q [B, H, Nq, D], k [B, Hkv, Nk, D], v [B, Hkv, Nk, Dv] → [B, H, Nq, Dv]; inputs not modified. Logits s, bias
 * and scale as in {@link ScoreMatrix}. T counts the row normalisations, with a column normalisation between each
 * two, so rows sum to 1 exactly and the output is a convex combination of values; columns reach Nq/Nk as T grows.
 * T = 1 is the row softmax, i.e. scaled dot-product attention with logits s/ε (the Sinkformer paper's remark
 * that one iteration is the Transformer). Options {@code iterations} T (default 3) and {@code epsilon} ε
 * (default 1). Masks and the causal flag are not
 * defined (the marginals need whole rows and columns) and are rejected. Equivariant under permutations of the
 * queries and invariant under joint permutations of keys and values.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "sinkhorn", name = "Sinkhorn Attention (Sinkformer)", family = "normalization",
    paper = "Sinkformers: Transformers with Doubly Stochastic Attention", arxiv = "2110.11773", year = 2022,
    cost = "O(T n^2)",
    options = {
        "iterations=row normalisations T with a column normalisation between each two (log domain); 1 is softmax attention; default 3",
        "epsilon=entropic regularisation: the plan is proportional to exp(s / epsilon); default 1"},
    symmetries = {"permutation:tokens"})
public final class SinkhornAttention implements AttentionMechanism {
    /** Option: the number of iterations. */
    static final String ITERATIONS = "iterations";
    /** Option: the entropic regularisation. */
    static final String EPSILON = "epsilon";

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        ScoreMatrix s = ScoreMatrix.of(call.q(), call.k(), call.v(), call.options(), backend, "sinkhorn", false);
        int iterations = call.intParam(ITERATIONS, 3);
        if (iterations < 1) {
            throw new InvalidInputException("--opt " + ITERATIONS, "must be at least 1, got " + iterations);
        }
        double epsilon = call.doubleParam(EPSILON, 1);
        if (!(epsilon > 0 && Double.isFinite(epsilon))) {
            throw new InvalidInputException("--opt " + EPSILON, "must be a finite number > 0, got " + epsilon);
        }
        Tensor w = s.weights(plane -> plan(plane, iterations, epsilon));
        return s.values(w, call.v(), backend);
    }

    /** Replaces the logits by the plan after {@code iterations} row normalisations: row sums 1, column sums → Nq/Nk. */
    static void plan(double[][] s, int iterations, double epsilon) {
        int nq = s.length;
        if (nq == 0) {
            return;
        }
        int nk = s[0].length;
        double logB = Math.log((double) nq / nk);
        double[] f = new double[nq];
        double[] g = new double[nk];
        double[] column = new double[nq];
        double[] row = new double[nk];
        for (int t = 0; t < iterations; t++) {
            for (int j = 0; j < nk && t > 0; j++) {
                for (int i = 0; i < nq; i++) {
                    column[i] = s[i][j] / epsilon + f[i];
                }
                g[j] = logB - logSumExp(column);
            }
            for (int i = 0; i < nq; i++) {
                for (int j = 0; j < nk; j++) {
                    row[j] = s[i][j] / epsilon + g[j];
                }
                f[i] = -logSumExp(row);
            }
        }
        for (int i = 0; i < nq; i++) {
            for (int j = 0; j < nk; j++) {
                s[i][j] = Math.exp(s[i][j] / epsilon + f[i] + g[j]);
            }
        }
    }

    private static double logSumExp(double[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (double e : x) {
            max = Math.max(max, e);
        }
        double sum = 0;
        for (double e : x) {
            sum += Math.exp(e - max);
        }
        return max + Math.log(sum);
    }
}

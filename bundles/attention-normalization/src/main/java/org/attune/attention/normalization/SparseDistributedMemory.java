package org.attune.attention.normalization;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Sparse Distributed Memory read: each key is written to every binary address within Hamming radius r of it, the
 * query reads every address within r of itself, so key j counts with the size of the intersection of the two
 * Hamming balls.
 * Bricken and Pehlevan, "Attention Approximates Sparse Distributed Memory", arXiv:2111.05498 (the SDM read
 * operation and its circle-intersection weights), after Kanerva's SDM (1988).
 * <pre>
 *   a = [x &gt; 0] ∈ {0,1}^n for q_i and k_j (n = D),   d_ij = Hamming(a(q_i), a(k_j)) = (n − sign(q_i)·sign(k_j)) / 2
 *   c(d) = |{x ∈ {0,1}^n : Hamming(x, a) ≤ r, Hamming(x, b) ≤ r}|  for Hamming(a, b) = d
 *        = Σ_{u=0..d} Σ_{t=0..n−d} C(d, u) C(n − d, t) [u + t ≤ r] [d − u + t ≤ r]
 *   out_i = Σ_j c(d_ij) v_j / Σ_j c(d_ij)        (over the allowed keys; zero row when every c is 0)
 * </pre>
 * The finite memory of m random hard locations has expected count m·2^−n·c(d); the normalised read cancels the
 * constant, so this is the read of the paper's infinite-memory (continuum) limit. c is computed in log space
 * (log-sum-exp of log-binomials), so n may be large. q [B, H, Nq, D], k [B, Hkv, Nk, D], v [B, Hkv, Nk, Dv] →
 * [B, H, Nq, Dv]; inputs not modified; mask and causal as in {@link ScoreMatrix}. There are no logits, so a
 * bias or scale is rejected. Option {@code radius} r (default ⌊n/2⌋); r ≥ n reads the plain mean of the allowed
 * values. Without mask or causal mask it is equivariant under permutations of the queries and invariant under
 * joint permutations of keys and values.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "sdm", name = "Sparse Distributed Memory read", family = "normalization",
    paper = "Attention Approximates Sparse Distributed Memory", arxiv = "2111.05498", year = 2021, cost = "O(n^2)",
    options = {"radius=Hamming radius r of the read and write balls, 0..D; default floor(D/2)"},
    symmetries = {"permutation:tokens"})
public final class SparseDistributedMemory implements AttentionMechanism {
    static final String RADIUS = "radius";

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        AttentionOptions o = call.options();
        if (o.bias().isPresent()) {
            throw new InvalidInputException("bias", "not defined for sdm, which has no logits; pass none");
        }
        if (o.scale().isPresent()) {
            throw new InvalidInputException("scale", "not defined for sdm, which has no logits; pass none");
        }
        ScoreMatrix.validate(call.q(), call.k(), call.v(), o, "sdm", true);
        int n = call.q().dim(3);
        int r = call.intParam(RADIUS, n / 2);
        if (r < 0) {
            throw new InvalidInputException("--opt " + RADIUS, "must be >= 0, got " + r);
        }
        double[] logCount = logIntersections(n, r);
        ScoreMatrix s = ScoreMatrix.of(signs(call.q()), signs(call.k()), call.v(), o.toBuilder().scale(1.0).build(),
            backend, "sdm", true);
        Tensor w = s.weights(plane -> {
            for (double[] row : plane) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = row[j] == Double.NEGATIVE_INFINITY ? row[j] : logCount[(int) Math.round((n - row[j]) / 2)];
                }
            }
            PlaneSoftmax.rows(plane);
        });
        return s.values(w, call.v(), backend);
    }

    /** log c(d) for d = 0..n (−∞ where the balls do not meet). */
    static double[] logIntersections(int n, int r) {
        double[] logFactorial = new double[n + 1];
        for (int i = 1; i <= n; i++) {
            logFactorial[i] = logFactorial[i - 1] + Math.log(i);
        }
        double[] log = new double[n + 1];
        double[] terms = new double[(n + 1) * (n + 1)];
        for (int d = 0; d <= n; d++) {
            int count = 0;
            for (int u = 0; u <= d; u++) {
                for (int t = 0; t <= n - d; t++) {
                    if (u + t <= r && d - u + t <= r) {
                        terms[count++] = logFactorial[d] - logFactorial[u] - logFactorial[d - u]
                            + logFactorial[n - d] - logFactorial[t] - logFactorial[n - d - t];
                    }
                }
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < count; c++) {
                max = Math.max(max, terms[c]);
            }
            double sum = 0;
            for (int c = 0; c < count; c++) {
                sum += Math.exp(terms[c] - max);
            }
            log[d] = count == 0 ? Double.NEGATIVE_INFINITY : max + Math.log(sum);
        }
        return log;
    }

    /** ±1 by the sign of each element (x &gt; 0 → +1, else −1), so that q·k = n − 2·Hamming. */
    private static Tensor signs(Tensor x) {
        Tensor s = Tensor.zeros(x.dtype(), x.shape());
        for (int i = 0; i < x.size(); i++) {
            s.setFlat(i, x.getFlat(i) > 0 ? 1 : -1);
        }
        return s;
    }
}

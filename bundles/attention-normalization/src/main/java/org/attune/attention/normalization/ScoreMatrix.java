package org.attune.attention.normalization;

import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.AttentionProblem;
import org.attune.api.backend.BinaryOp;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;

/**
 * The logits of one attention call and the weights that a normalisation makes of them, for the methods of
 * this family, which differ only in how a plane of logits becomes a plane of weights:
 * <pre>
 *   s[b,h,i,j] = scale · q[b,h,i,:]·k[b,g,j,:] + bias[b,h,i,j],   g = h / (H / Hkv)
 *   allowed[b,h,i,j] = mask[b,h,i,j] ∧ (¬causal ∨ j ≤ i)
 *   out[b,h,i,:] = Σ_j w[b,h,i,j] · v[b,g,j,:]
 * </pre>
 * q [B, H, Nq, D], k [B, Hkv, Nk, D], v [B, Hkv, Nk, Dv] with Hkv dividing H, validated by
 * {@link AttentionProblem} (same messages as the backends); scale (default 1/√D), mask and bias have the meaning
 * of {@link AttentionOptions}. The two products run on the backend; the normalisation works on one [Nq, Nk]
 * plane at a time in float64, a disallowed entry reading as −∞. The options this family does not define
 * (window, ALiBi slopes, soft cap, sinks) are rejected rather than ignored.
 */
final class ScoreMatrix {
    /** How one [Nq, Nk] plane of logits (−∞ where not allowed) becomes weights, written in place. */
    @FunctionalInterface
    interface Normalisation {
        void weigh(double[][] plane);
    }

    private final AttentionProblem problem;
    private final Tensor logits;
    private final Tensor mask;
    private final boolean causal;

    private ScoreMatrix(AttentionProblem problem, Tensor logits, Tensor mask, boolean causal) {
        this.problem = problem;
        this.logits = logits;
        this.mask = mask;
        this.causal = causal;
    }

    /**
     * Validates the inputs and computes the logits.
     *
     * @param method the method's id, for messages
     * @param masks  whether the method defines masked rows; if not, mask and causal are rejected
     * @throws InvalidInputException naming the argument and the expected shape
     */
    static ScoreMatrix of(Tensor q, Tensor k, Tensor v, AttentionOptions o, ComputeBackend backend, String method,
                          boolean masks) {
        AttentionProblem p = validate(q, k, v, o, method, masks);
        Tensor grouped = q.reshape(p.batch(), p.kvHeads(), p.groupSize() * p.nq(), p.d());
        Tensor e = backend.matmul(grouped, k, false, true, null).reshape(p.batch(), p.queryHeads(), p.nq(), p.nk());
        if (p.scale() != 1) {
            e = backend.binary(BinaryOp.MUL, e, Tensor.scalar(e.dtype(), p.scale()), null);
        }
        if (o.bias().isPresent()) {
            Tensor bias = o.bias().get();
            e = backend.binary(BinaryOp.ADD, e, bias.dtype() == e.dtype() ? bias : bias.to(e.dtype()), null);
        }
        return new ScoreMatrix(p, e, o.mask().orElse(null), o.causal());
    }

    /**
     * Validates q, k, v and the options without computing anything, for methods of the family that need no logits.
     *
     * @throws InvalidInputException naming the argument and the expected shape
     */
    static AttentionProblem validate(Tensor q, Tensor k, Tensor v, AttentionOptions o, String method, boolean masks) {
        AttentionProblem p = AttentionProblem.of(q, k, v, o, null);
        rejectUndefined(o, method);
        if (!masks && o.mask().isPresent()) {
            throw new InvalidInputException("mask", "not defined for " + method + ", whose normalisation needs whole"
                + " rows, columns or axes; pass none");
        }
        if (!masks && o.causal()) {
            throw new InvalidInputException("causal", "not defined for " + method + ", whose normalisation needs whole"
                + " rows, columns or axes; pass none");
        }
        return p;
    }

    private static void rejectUndefined(AttentionOptions o, String method) {
        if (o.windowLeft().isPresent() || o.windowRight().isPresent()) {
            throw new InvalidInputException("window", "not defined for " + method + "; pass none");
        }
        if (o.alibiSlopes().isPresent()) {
            throw new InvalidInputException("alibiSlopes", "not defined for " + method + "; pass none");
        }
        if (o.softCap().isPresent()) {
            throw new InvalidInputException("softCap", "not defined for " + method + "; pass none");
        }
        if (o.sinks().isPresent()) {
            throw new InvalidInputException("sinks", "not defined for " + method + "; pass none");
        }
    }

    /** The validated sizes. */
    AttentionProblem problem() {
        return problem;
    }

    /**
     * How the [Nq, Nk] plane of query head h in batch b becomes weights, written in place, for normalisations that
     * need more than the logits (e.g. the norms of that head's queries and keys).
     */
    @FunctionalInterface
    interface HeadNormalisation {
        void weigh(int b, int h, double[][] plane);
    }

    /** Weights [B, H, Nq, Nk] in the logits' type: each plane's logits (−∞ where not allowed) normalised by {@code n}. */
    Tensor weights(Normalisation n) {
        return weights((b, h, plane) -> n.weigh(plane));
    }

    /** Weights [B, H, Nq, Nk] in the logits' type: plane (b, h) of logits (−∞ where not allowed) normalised by {@code n}. */
    Tensor weights(HeadNormalisation n) {
        int bN = problem.batch(), hN = problem.queryHeads(), nq = problem.nq(), nk = problem.nk();
        Tensor w = Tensor.zeros(logits.dtype(), bN, hN, nq, nk);
        int[] ms = problem.maskStrides();
        double[][] plane = new double[nq][nk];
        for (int b = 0; b < bN; b++) {
            for (int h = 0; h < hN; h++) {
                int base = (b * hN + h) * nq * nk;
                for (int i = 0; i < nq; i++) {
                    for (int j = 0; j < nk; j++) {
                        boolean allowed = (!causal || j <= i) && (mask == null
                            || mask.getBooleanFlat(b * ms[0] + h * ms[1] + i * ms[2] + j * ms[3]));
                        plane[i][j] = allowed ? logits.getFlat(base + i * nk + j) : Double.NEGATIVE_INFINITY;
                    }
                }
                n.weigh(b, h, plane);
                for (int i = 0; i < nq; i++) {
                    for (int j = 0; j < nk; j++) {
                        w.setFlat(base + i * nk + j, plane[i][j]);
                    }
                }
            }
        }
        return w;
    }

    /** Σ_j w[b,h,i,j] v[b,g,j,:]: w [B, H, Nq, Nk], v [B, Hkv, Nk, Dv] → [B, H, Nq, Dv]. */
    Tensor values(Tensor w, Tensor v, ComputeBackend backend) {
        Tensor grouped = w.reshape(problem.batch(), problem.kvHeads(), problem.groupSize() * problem.nq(), problem.nk());
        return backend.matmul(grouped, v, false, false, null)
            .reshape(problem.batch(), problem.queryHeads(), problem.nq(), problem.dv());
    }
}

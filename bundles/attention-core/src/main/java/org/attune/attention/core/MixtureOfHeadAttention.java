package org.attune.attention.core;

import java.nio.file.Path;
import java.util.Locale;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Mixture-of-Head attention (MoH): multi-head attention whose heads are experts, each token weighting a few
 * always-on shared heads and its top-K routed heads before the output projection.
 * Jin, Zhu, Ning and Yuan, "MoH: Multi-Head Attention as Mixture-of-Head Attention", arXiv:2410.11842, §3
 * (two-stage routing), as the authors' {@code MoHAttention.forward} computes it (SkyworkAI/MoH, checked there):
 * <pre>
 *   head_h = Attention(Q_h, K_h, V_h)                                      (as {@link MultiHeadAttention})
 *   r = softmax(x W_r) ∈ R^{H−S},  mask = top-K(r),  g_routed = r ⊙ mask / max(Σ r ⊙ mask, ε)
 *   g_shared = S · softmax(x W_s) ∈ R^S,   [a_s, a_r] = 2 · softmax(x W_a)
 *   out = Concat_h(g_h · head_h) W_o + b_o,   g = [a_s · g_shared, a_r · g_routed]
 * </pre>
 * x = merge(q) is the query token's embedding [E]; the first S heads (after {@code heads} splits E) are shared,
 * the other H − S routed; with no routed heads g = g_shared (no W_a), and a single shared head has g_shared = 1
 * (no W_s). ε is the float32 machine epsilon of the code's clamp; ties in the top-K go to the lower head index.
 * Shapes, options and weights of Q, K, V, W_o as for {@link MultiHeadAttention}. Router weights (option
 * {@code router}): {@code seeded} (default; Xavier uniform from {@code SplittableRandom(seed + 1)}, order W_r
 * [E, H−S], W_a [E, 2], W_s [E, S], each drawn only when used), {@code uniform} (all router weights zero: every
 * softmax uniform) or {@code files} (wr.npy, wa.npy, ws.npy beside the weights of {@code weights=DIR}). With
 * {@code shared = heads} and a uniform router every gate is 1 and MoH is exactly multi-head attention. A fully
 * masked query row gives b_o. Without mask, bias or causal mask it is equivariant under permutations of the
 * queries and invariant under joint permutations of keys and values.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "moh", name = "Mixture-of-Head Attention", family = "core",
    paper = "MoH: Multi-Head Attention as Mixture-of-Head Attention", arxiv = "2410.11842", year = 2024,
    cost = "O(n^2)",
    options = {
        "heads=number of attention heads after projection; must divide E = H*D; default the heads of q",
        "shared=number S of always-active shared heads (the first S); default heads / 2",
        "routed=number K of routed heads each token activates among the other heads - S; default ceil((heads - S) / 2)",
        "router=seeded (Xavier uniform from seed + 1, order wr, wa, ws), uniform (zero router weights) or files (wr.npy, wa.npy, ws.npy); default seeded",
        "seed=seed of the Xavier-uniform weights (SplittableRandom, order wq, wk, wv, wo); default 0",
        "weights=directory holding wq.npy, wk.npy, wv.npy, wo.npy [E, E], optional biases, and the router files"},
    symmetries = {"permutation:tokens"})
public final class MixtureOfHeadAttention implements AttentionMechanism {
    static final String SHARED = "shared";
    static final String ROUTED = "routed";
    static final String ROUTER = "router";
    /** The clamp of the routed gates' normaliser: float32 machine epsilon, as in the code. */
    static final double EPSILON = Math.ulp(1.0f);

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        ProjectedAttention.Projected p = ProjectedAttention.project(call, backend, true, heads -> heads,
            ProjectedAttention.HEADS);
        int heads = p.q().dim(1);
        int shared = call.intParam(SHARED, heads / 2);
        if (shared < 0 || shared > heads) {
            throw new InvalidInputException("--opt " + SHARED, "must be in [0, heads = " + heads + "], got " + shared);
        }
        int routed = call.intParam(ROUTED, (heads - shared + 1) / 2);
        if (routed < 0 || routed > heads - shared || (shared == 0 && routed == 0)) {
            throw new InvalidInputException("--opt " + ROUTED, "must be in [" + (shared == 0 ? 1 : 0) + ", heads - shared"
                + " = " + (heads - shared) + "], got " + routed);
        }
        Tensor x = HeadLayout.merge(call.q());
        int e = x.dim(2);
        WeightSource router = router(call);
        Tensor wr = routed > 0 ? matrix(router, "wr", e, heads - shared, x) : null;
        Tensor wa = routed > 0 && shared > 0 ? matrix(router, "wa", e, 2, x) : null;
        Tensor ws = shared > 1 ? matrix(router, "ws", e, shared, x) : null;
        Tensor o = backend.attention(p.q(), p.k(), p.v(), call.options(), null);
        Tensor lr = wr == null ? null : backend.matmul(x, wr, false, false, null);
        Tensor la = wa == null ? null : backend.matmul(x, wa, false, false, null);
        Tensor ls = ws == null ? null : backend.matmul(x, ws, false, false, null);
        int bN = o.dim(0), nq = o.dim(2), dh = o.dim(3);
        double[] g = new double[heads];
        for (int b = 0; b < bN; b++) {
            for (int i = 0; i < nq; i++) {
                gates(row(ls, b, i), row(la, b, i), row(lr, b, i), shared, routed, g);
                for (int h = 0; h < heads; h++) {
                    int base = ((b * heads + h) * nq + i) * dh;
                    for (int c = 0; c < dh; c++) {
                        o.setFlat(base + c, g[h] * o.getFlat(base + c));
                    }
                }
            }
        }
        return HeadLayout.split(p.weights().output(HeadLayout.merge(o), backend), call.q().dim(1));
    }

    /** The gates g [heads] of one token from its router logits (null where the router has no such part). */
    static void gates(double[] shared, double[] type, double[] routed, int s, int k, double[] g) {
        double[] gs = new double[s];
        if (s == 1) {
            gs[0] = 1;
        } else if (s > 1) {
            double[] soft = softmax(shared);
            for (int h = 0; h < s; h++) {
                gs[h] = s * soft[h];
            }
        }
        System.arraycopy(gs, 0, g, 0, s);
        if (k == 0) {
            return;
        }
        double[] r = softmax(routed);
        boolean[] chosen = new boolean[r.length];
        for (int n = 0; n < k; n++) {
            int best = -1;
            for (int h = 0; h < r.length; h++) {
                if (!chosen[h] && (best < 0 || r[h] > r[best])) {
                    best = h;
                }
            }
            chosen[best] = true;
        }
        double sum = 0;
        for (int h = 0; h < r.length; h++) {
            sum += chosen[h] ? r[h] : 0;
        }
        double z = Math.max(sum, EPSILON);
        double as = 1, ar = 1;
        if (s > 0) {
            double[] a = softmax(type);
            as = 2 * a[0];
            ar = 2 * a[1];
        }
        for (int h = 0; h < s; h++) {
            g[h] *= as;
        }
        for (int h = 0; h < r.length; h++) {
            g[s + h] = chosen[h] ? ar * r[h] / z : 0;
        }
    }

    private static double[] softmax(double[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (double e : x) {
            max = Math.max(max, e);
        }
        double sum = 0;
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.exp(x[i] - max);
            sum += y[i];
        }
        for (int i = 0; i < x.length; i++) {
            y[i] /= sum;
        }
        return y;
    }

    /** Row [b, i, :] of logits [B, Nq, n], or null. */
    private static double[] row(Tensor logits, int b, int i) {
        if (logits == null) {
            return null;
        }
        int n = logits.dim(2);
        double[] r = new double[n];
        for (int c = 0; c < n; c++) {
            r[c] = logits.getFlat((b * logits.dim(1) + i) * n + c);
        }
        return r;
    }

    private static WeightSource router(AttentionCall call) {
        String router = call.param(ROUTER, "seeded").trim().toLowerCase(Locale.ROOT);
        return switch (router) {
            case "uniform" -> null;
            case "seeded" -> new SeededWeights(call.longParam(WeightSource.SEED, 0) + 1);
            case "files" -> {
                String dir = call.param(WeightSource.WEIGHTS, null);
                if (dir == null) {
                    throw new InvalidInputException("--opt " + ROUTER, "router=files needs --opt weights=DIR");
                }
                yield new WeightFiles(Path.of(dir));
            }
            default -> throw new InvalidInputException("--opt " + ROUTER, "expected seeded, uniform or files, got '"
                + call.param(ROUTER, "") + "'");
        };
    }

    /** The router matrix {@code name} [rows, cols] in the type of x; zero for the uniform router. */
    private static Tensor matrix(WeightSource router, String name, int rows, int cols, Tensor x) {
        return router == null ? Tensor.zeros(x.dtype(), rows, cols) : router.matrix(name, rows, cols).to(x.dtype());
    }
}

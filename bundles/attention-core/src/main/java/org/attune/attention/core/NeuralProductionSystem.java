package org.attune.attention.core;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Neural production system rule attention: one production step, in which attention between slots and rule
 * embeddings selects a (primary slot, rule) pair, a second attention from the primary slot selects a contextual
 * slot, and the selected rule's MLP updates the primary slot alone.
 * Goyal, Didolkar, Ke, Blundell, Beaudoin, Heess, Mozer and Bengio, "Neural Production Systems: Learning
 * Rule-Governed Visual Dynamics", arXiv:2103.01937 (sequential rule application, steps 2–4 as the re-implementation below numbers them;
 * the paper's text could not be read here, so no equation numbers are cited), inference form (argmax, the
 * forward value of the straight-through Gumbel selection):
 * <pre>
 *   l_ir = (x_i W_q)·(e_r W_k) / √d,        (p, r*) = argmax_{i, r} l_ir
 *   c_j  = (x_p U_q)·(y_j U_k) / √d,        c = argmax_j c_j
 *   x'_p = x_p + MLP_r*([x_p ; z_c]),       MLP_r(h) = relu(h W1_r + b1_r) W2_r + b2_r
 *   x'_i = x_i  for i ≠ p
 * </pre>
 * The slots are the query tokens, x = merge(q) [B, S, E]; the contextual candidates are the key tokens y =
 * merge(k) [B, N, Ek] whose values z = merge(v) [B, N, Ev] the rule reads (pass the slots as q, k and v for the
 * paper's self-selection, where the primary slot may select itself). e [R, Dr] are learned rule embeddings. Ties go
 * to the first index in (slot, rule) row-major order. Checked against the authors' code (anirudh9119/
 * neural_production_systems {@code RuleNetwork.py}: {@code ArgMax} forward is one-hot, scores are query-key
 * products over rule embeddings scaled by 1/√d, rule MLPs are two-layer {@code GroupMLP}s of width 128) and a
 * public re-implementation of Algorithm 1 ({@code SequentialNPS}, residual update of the primary slot only); the
 * authors' code carries several experimental "application options", and this is the sequential form of the
 * paper's Algorithm 1. One call is one production stage; stages are repeated calls.
 * <p>q [B, H, S, D], k [B, Hk, N, Dk], v [B, Hv, N, Dv] → [B, H, S, D]; inputs not modified. Options
 * {@code rules} R (default 4), {@code rule-dim} Dr (default E), {@code dqk} d (default 32), {@code hidden}
 * (default 128), {@code weights=DIR} with rules.npy [R, Dr], wq.npy [E, d], wk.npy [Dr, d], uq.npy [E, d],
 * uk.npy [Ek, d], and per rule r (0-based) w1_r.npy [E + Ev, hidden], w2_r.npy [hidden, E] and optional
 * b1_r.npy, b2_r.npy; or else {@code seed} (default 0, {@link SeededWeights}, in that order, zero biases).
 * Masks, bias and the causal flag are not defined (selection is over whole sets) and are rejected. Permuting the
 * slots permutes the output; permuting keys and values together leaves it (up to ties).
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "production-system", name = "Neural Production System rule attention", family = "core",
    paper = "Neural Production Systems: Learning Rule-Governed Visual Dynamics", arxiv = "2103.01937", year = 2021,
    cost = "O(n R d)",
    options = {
        "rules=number R of rules; default 4",
        "rule-dim=width Dr of the rule embeddings; default E = H*D",
        "dqk=width d of the selection queries and keys; default 32",
        "hidden=hidden width of each rule MLP; default 128",
        "seed=seed of the Xavier-uniform weights (SplittableRandom, order rules, wq, wk, uq, uk, w1_r, w2_r per rule); default 0",
        "weights=directory holding rules.npy, wq.npy, wk.npy, uq.npy, uk.npy, w1_<r>.npy, w2_<r>.npy and optional b1_<r>, b2_<r>"},
    symmetries = {"permutation:tokens"})
public final class NeuralProductionSystem implements AttentionMechanism {

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        ProjectedAttention.Embedded x = ProjectedAttention.embed(call, false);
        AttentionOptions o = call.options();
        if (o.mask().isPresent() || o.causal() || o.bias().isPresent()) {
            throw new InvalidInputException(o.mask().isPresent() ? "mask" : o.causal() ? "causal" : "bias",
                "not defined for production-system, whose selection is over whole sets; pass none");
        }
        AttentionScores.rejectUndefined(o, "production-system");
        int e = x.width(), ek = x.xk().dim(2), ev = x.xv().dim(2);
        int rules = positive(call, "rules", 4);
        int dr = positive(call, "rule-dim", e);
        int d = positive(call, "dqk", 32);
        int hidden = positive(call, "hidden", 128);
        WeightSource w = WeightSource.of(call);
        Tensor emb = w.matrix("rules", rules, dr).to(x.xq().dtype());
        Tensor wq = w.matrix("wq", e, d).to(x.xq().dtype());
        Tensor wk = w.matrix("wk", dr, d).to(x.xq().dtype());
        Tensor uq = w.matrix("uq", e, d).to(x.xq().dtype());
        Tensor uk = w.matrix("uk", ek, d).to(x.xq().dtype());
        Tensor[] w1 = new Tensor[rules];
        Tensor[] w2 = new Tensor[rules];
        Tensor[] b1 = new Tensor[rules];
        Tensor[] b2 = new Tensor[rules];
        for (int r = 0; r < rules; r++) {
            w1[r] = w.matrix("w1_" + r, e + ev, hidden);
            w2[r] = w.matrix("w2_" + r, hidden, e);
            b1[r] = w.bias("b1_" + r, hidden);
            b2[r] = w.bias("b2_" + r, e);
        }
        Tensor slotQueries = backend.matmul(x.xq(), wq, false, false, null);
        Tensor ruleKeys = backend.matmul(emb, wk, false, false, null);
        Tensor primaryQueries = backend.matmul(x.xq(), uq, false, false, null);
        Tensor contextKeys = backend.matmul(x.xk(), uk, false, false, null);
        Tensor out = x.xq().copy();
        int batch = out.dim(0), slots = out.dim(1), n = x.xk().dim(1);
        for (int b = 0; b < batch; b++) {
            if (slots == 0) {
                break;
            }
            if (n == 0) {
                throw new InvalidInputException("k", "needs at least one contextual token when there are slots");
            }
            int p = 0, rule = 0;
            double best = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < slots; i++) {
                for (int r = 0; r < rules; r++) {
                    double l = dot(slotQueries, b, i, ruleKeys, -1, r, d);
                    if (l > best) {
                        best = l;
                        p = i;
                        rule = r;
                    }
                }
            }
            int c = 0;
            best = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                double l = dot(primaryQueries, b, p, contextKeys, b, j, d);
                if (l > best) {
                    best = l;
                    c = j;
                }
            }
            double[] in = new double[e + ev];
            for (int f = 0; f < e; f++) {
                in[f] = x.xq().get(b, p, f);
            }
            for (int f = 0; f < ev; f++) {
                in[e + f] = x.xv().get(b, c, f);
            }
            double[] h = new double[hidden];
            for (int t = 0; t < hidden; t++) {
                double s = b1[rule] == null ? 0 : b1[rule].get(t);
                for (int f = 0; f < in.length; f++) {
                    s += in[f] * w1[rule].get(f, t);
                }
                h[t] = Math.max(0, s);
            }
            for (int f = 0; f < e; f++) {
                double s = b2[rule] == null ? 0 : b2[rule].get(f);
                for (int t = 0; t < hidden; t++) {
                    s += h[t] * w2[rule].get(t, f);
                }
                out.set(in[f] + s, b, p, f);
            }
        }
        return HeadLayout.split(out, call.q().dim(1));
    }

    /** The unscaled product of row i of a [B, ·, d] (or [·, d] when ba = −1) and row j of c; 1/√d does not move the argmax. */
    private static double dot(Tensor a, int ba, int i, Tensor c, int bc, int j, int d) {
        double s = 0;
        for (int f = 0; f < d; f++) {
            double x = ba < 0 ? a.get(i, f) : a.get(ba, i, f);
            double y = bc < 0 ? c.get(j, f) : c.get(bc, j, f);
            s += x * y;
        }
        return s;
    }

    private static int positive(AttentionCall call, String name, int dflt) {
        int value = call.intParam(name, dflt);
        if (value <= 0) {
            throw new InvalidInputException("--opt " + name, "must be positive, got " + value);
        }
        return value;
    }
}

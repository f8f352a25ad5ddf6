package org.attune.attention.normalization;

import java.util.SplittableRandom;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * MESH (Minimize Entropy of Sinkhorn) attention, the forward pass of one slot-attention read: the attention is
 * the entropic optimal-transport plan between inputs and slots, computed after a few gradient steps on the cost
 * that lower the plan's entropy, so that tied slots are separated.
 * Zhang, Zhang, Lacoste-Julien, Snoek and Burghouts, "Unlocking Slot Attention by Changing Optimal Transport
 * Costs", arXiv:2301.13197 (MESH; the paper's text could not be read here, so no equation numbers are cited), as the
 * authors' code computes it (davzha/MESH {@code mesh.py}
 * {@code sinkhorn} and {@code minimize_entropy_of_sinkhorn}, called from {@code slot_attention.py}; checked there):
 * <pre>
 *   C_ik = −s_ki,   s = scale · q kᵀ + bias   (slot k = query row, input i = key)      marginals a_i = S/N, b_k = 1
 *   sinkhorn(C, u, v, τ):  X = −C/τ;  repeat n:  u_i = log a_i − LSE_k(X_ik + v_k),  v_k = log b_k − LSE_i(X_ik + u_i)
 *                          T = exp(X + u + v)
 *   C⁰ = C + 0.001·ξ,  ξ ~ N(0, 1)
 *   repeat M times:  (T, u, v) = sinkhorn(Cᵗ, u, v, 1);  H = mean_{i,k} −T_ik log T_ik   (T clamped to [1e-20, 1])
 *                    G = ∂H/∂Cᵗ (through the n unrolled iterations, u and v of the previous step held fixed)
 *                    Cᵗ⁺¹ = Cᵗ − η · (G + 1e-20) / max(‖G + 1e-20‖_F, 1e-12)
 *   (T, ·, ·) = sinkhorn(Cᴹ, u, v, τ),   out_k = Σ_i T_ik v_i
 * </pre>
 * u and v start at 0 and are carried from step to step and into the final plan (the code's {@code reuse_u_v}).
 * The gradient is computed exactly by reverse-mode differentiation of the unrolled log-domain iterations, each
 * (b, h) plane separately (the code's per-sample normalisation). Every slot's weights sum to b_k = 1, so each
 * output row is a convex combination of the values; the inputs' marginals reach S/N as n grows. Documented
 * choices: the code learns the marginals with two small MLPs (softmax × {@code scale_marginals} = S); a
 * forward-only method has no such weights, so they are the uniform a_i = S/N, b_k = 1 those MLPs start near.
 * The cost is the catalogue's negated dot product (the paper's view of slot attention as transport); the code's
 * default configuration uses the l2 distance, which this method does not offer. ξ is drawn per call from
 * {@code SplittableRandom(seed)}, row-major over (b, h, slot, input), one Box–Muller cosine draw per entry.
 * <p>q (slots) [B, H, S, D], k (inputs) [B, Hkv, N, D], v [B, Hkv, N, Dv] → [B, H, S, Dv]; inputs not modified.
 * Options {@code iterations} n (default 5), {@code mesh-iterations} M (default 4), {@code lr} η (default 8),
 * {@code temperature} τ of the final plan (default 1), {@code perturbation} (the 0.001, default 0.001) and
 * {@code seed} (default 0), from the authors' {@code mesh.yaml}. M = 0 with perturbation 0 is plain entropic
 * Sinkhorn. Masks and the causal flag are rejected (the marginals need whole rows and columns). Without the
 * perturbation it is equivariant under permutations of the slots and invariant under joint permutations of keys
 * and values; the seeded perturbation breaks ties, which is its purpose.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "mesh", name = "MESH (Minimize Entropy of Sinkhorn)", family = "normalization",
    paper = "Unlocking Slot Attention by Changing Optimal Transport Costs", arxiv = "2301.13197", year = 2023,
    cost = "O(M n S N)",
    options = {
        "iterations=log-domain Sinkhorn iterations n per plan; default 5",
        "mesh-iterations=entropy-descent steps M on the cost; default 4",
        "lr=step size eta of the normalised entropy gradient; default 8",
        "temperature=tau of the final plan exp(-C / tau); default 1",
        "perturbation=scale of the seeded Gaussian noise added to the cost; default 0.001",
        "seed=seed of the noise (SplittableRandom, Box-Muller); default 0"},
    symmetries = {"permutation:tokens(perturbation=0)"})
public final class MeshAttention implements AttentionMechanism {
    static final String ITERATIONS = "iterations";
    static final String MESH_ITERATIONS = "mesh-iterations";
    static final String LR = "lr";
    static final String TEMPERATURE = "temperature";
    static final String PERTURBATION = "perturbation";
    static final String SEED = "seed";

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        int n = call.intParam(ITERATIONS, 5);
        if (n < 1) {
            throw new InvalidInputException("--opt " + ITERATIONS, "must be at least 1, got " + n);
        }
        int m = call.intParam(MESH_ITERATIONS, 4);
        if (m < 0) {
            throw new InvalidInputException("--opt " + MESH_ITERATIONS, "must be at least 0, got " + m);
        }
        double lr = finite(call, LR, 8);
        double tau = finite(call, TEMPERATURE, 1);
        if (!(tau > 0)) {
            throw new InvalidInputException("--opt " + TEMPERATURE, "must be > 0, got " + tau);
        }
        double perturbation = finite(call, PERTURBATION, 0.001);
        SplittableRandom random = new SplittableRandom(call.longParam(SEED, 0));
        ScoreMatrix s = ScoreMatrix.of(call.q(), call.k(), call.v(), call.options(), backend, "mesh", false);
        Tensor w = s.weights(plane -> plan(plane, n, m, lr, tau, perturbation, random));
        return s.values(w, call.v(), backend);
    }

    private static double finite(AttentionCall call, String name, double dflt) {
        double x = call.doubleParam(name, dflt);
        if (!Double.isFinite(x)) {
            throw new InvalidInputException("--opt " + name, "must be a finite number, got " + call.param(name, ""));
        }
        return x;
    }

    /** The MESH plan of one plane of logits s [S][N] (slot k, input i), written in place as T[k][i]. */
    static void plan(double[][] s, int n, int m, double lr, double tau, double perturbation, SplittableRandom random) {
        int slots = s.length;
        int inputs = slots == 0 ? 0 : s[0].length;
        if (slots == 0 || inputs == 0) {
            return;
        }
        double logA = Math.log((double) slots / inputs);
        double[][] x = new double[slots][inputs];
        for (int k = 0; k < slots; k++) {
            for (int i = 0; i < inputs; i++) {
                double u1 = 1 - random.nextDouble();
                double xi = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * random.nextDouble());
                x[k][i] = s[k][i] - perturbation * xi;
            }
        }
        double[] u = new double[inputs];
        double[] v = new double[slots];
        for (int t = 0; t < m; t++) {
            double[][] us = new double[n + 1][];
            double[][] vs = new double[n + 1][];
            us[0] = u;
            vs[0] = v;
            for (int r = 1; r <= n; r++) {
                us[r] = rowPotential(x, vs[r - 1], logA);
                vs[r] = columnPotential(x, us[r]);
            }
            double[][] g = entropyGradient(x, us, vs, n);
            // X = −C, so the step C − η Ĝ on the cost is X + η Ĝ on the logits
            double norm = 0;
            for (double[] row : g) {
                for (int i = 0; i < inputs; i++) {
                    row[i] += 1e-20;
                    norm += row[i] * row[i];
                }
            }
            norm = Math.max(Math.sqrt(norm), 1e-12);
            for (int k = 0; k < slots; k++) {
                for (int i = 0; i < inputs; i++) {
                    x[k][i] += lr * g[k][i] / norm;
                }
            }
            u = us[n];
            v = vs[n];
        }
        for (int k = 0; k < slots; k++) {
            for (int i = 0; i < inputs; i++) {
                x[k][i] /= tau;
            }
        }
        for (int r = 0; r < n; r++) {
            u = rowPotential(x, v, logA);
            v = columnPotential(x, u);
        }
        for (int k = 0; k < slots; k++) {
            for (int i = 0; i < inputs; i++) {
                s[k][i] = Math.exp(x[k][i] + u[i] + v[k]);
            }
        }
    }

    /** u_i = log a_i − LSE_k(X_ki + v_k). */
    private static double[] rowPotential(double[][] x, double[] v, double logA) {
        double[] u = new double[x[0].length];
        double[] col = new double[x.length];
        for (int i = 0; i < u.length; i++) {
            for (int k = 0; k < x.length; k++) {
                col[k] = x[k][i] + v[k];
            }
            u[i] = logA - logSumExp(col);
        }
        return u;
    }

    /** v_k = log b_k − LSE_i(X_ki + u_i), b_k = 1. */
    private static double[] columnPotential(double[][] x, double[] u) {
        double[] v = new double[x.length];
        double[] row = new double[u.length];
        for (int k = 0; k < v.length; k++) {
            for (int i = 0; i < row.length; i++) {
                row[i] = x[k][i] + u[i];
            }
            v[k] = -logSumExp(row);
        }
        return v;
    }

    /**
     * ∂H/∂C for H = mean −T log T of T = exp(X + u_n + v_n), by reverse-mode through the n iterations from the
     * fixed start (u_0, v_0); X = −C (τ = 1 inside the descent), so ∂H/∂C = −∂H/∂X.
     */
    private static double[][] entropyGradient(double[][] x, double[][] us, double[][] vs, int n) {
        int slots = x.length, inputs = x[0].length;
        double[][] gx = new double[slots][inputs];
        double[] gu = new double[inputs];
        double[] gv = new double[slots];
        double count = (double) slots * inputs;
        for (int k = 0; k < slots; k++) {
            for (int i = 0; i < inputs; i++) {
                double t = Math.exp(x[k][i] + us[n][i] + vs[n][k]);
                double gt = t >= 1e-20 && t <= 1 ? -(Math.log(t) + 1) / count : 0;
                double gl = gt * t;
                gx[k][i] = gl;
                gu[i] += gl;
                gv[k] += gl;
            }
        }
        for (int r = n; r >= 1; r--) {
            for (int k = 0; k < slots; k++) {
                double lse = 0;
                double max = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < inputs; i++) {
                    max = Math.max(max, x[k][i] + us[r][i]);
                }
                for (int i = 0; i < inputs; i++) {
                    lse += Math.exp(x[k][i] + us[r][i] - max);
                }
                lse = max + Math.log(lse);
                for (int i = 0; i < inputs; i++) {
                    double p = Math.exp(x[k][i] + us[r][i] - lse);
                    gx[k][i] -= gv[k] * p;
                    gu[i] -= gv[k] * p;
                }
            }
            double[] gvPrev = new double[slots];
            double[] col = new double[slots];
            for (int i = 0; i < inputs; i++) {
                for (int k = 0; k < slots; k++) {
                    col[k] = x[k][i] + vs[r - 1][k];
                }
                double lse = logSumExp(col);
                for (int k = 0; k < slots; k++) {
                    double p = Math.exp(col[k] - lse);
                    gx[k][i] -= gu[i] * p;
                    gvPrev[k] -= gu[i] * p;
                }
            }
            gv = gvPrev;
            gu = new double[inputs];
        }
        for (double[] row : gx) {
            for (int i = 0; i < inputs; i++) {
                row[i] = -row[i];
            }
        }
        return gx;
    }

    private static double logSumExp(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double e : z) {
            max = Math.max(max, e);
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return max;
        }
        double sum = 0;
        for (double e : z) {
            sum += Math.exp(e - max);
        }
        return max + Math.log(sum);
    }
}

package org.attune.attention.core;

import java.util.SplittableRandom;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.Broadcast;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Random Feature Attention (RFA): the softmax kernel exp(x·y / σ²) of unit-norm queries and keys replaced by
 * the inner product of random Fourier features, so attention becomes a ratio of two linear maps.
 * Peng, Pappas, Yogatama, Schwartz, Smith and Kong, "Random Feature Attention", arXiv:2103.02143, §2.2–§3.1
 * (random Fourier features after Rahimi and Recht, 2007).
 * <pre>
 *   x̂ = x / ‖x‖  (0 for x = 0),   w_1 … w_F ~ N(0, σ⁻² I_D)  i.i.d.,  one draw per call shared by all batches and heads
 *   φ(x) = F^(−1/2) [sin(w_1·x̂), …, sin(w_F·x̂), cos(w_1·x̂), …, cos(w_F·x̂)]        E[φ(x)·φ(y)] = exp(−‖x̂ − ŷ‖² / 2σ²)
 *   a_ij = φ(q_i)·φ(k_j) · [mask_ij ∧ (¬causal ∨ j ≤ i)]
 *   out_i = Σ_j a_ij v_j / Σ_j a_ij                    (0 when the denominator is 0, e.g. a fully masked row)
 * </pre>
 * As F → ∞, a_ij → exp(−1/σ²) · exp(q̂_i·k̂_j / σ²), so out_i converges to softmax_j(q̂_i·k̂_j / σ²) v_j, softmax
 * attention of the normalised queries and keys at temperature σ². For finite F the denominator is an unbiased
 * estimate that can be small or negative, as in the paper. The paper evaluates the unmasked ratio in linear
 * time as φ(q_i)ᵀ(Σ_j φ(k_j) v_jᵀ) / φ(q_i)·Σ_j φ(k_j) (and the causal one as a prefix sum); this
 * implementation forms the [Nq, Nk] matrix a on the backend so that any mask applies, which equals the
 * linear forms up to rounding. Its learned gating (§3.2) is not part of this operator.
 * q [B, H, Nq, D], k [B, Hkv, Nk, D], v [B, Hkv, Nk, Dv] with Hkv dividing H → [B, H, Nq, Dv]; inputs not
 * modified. Options: {@code features} F (default 128), {@code sigma} σ (default 1), {@code seed} of the draw
 * (default 0; w_f[c] = random.nextGaussian() / σ from {@code SplittableRandom(seed)}, row-major [F, D]).
 * Mask and causal apply; bias, scale, window, ALiBi slopes, soft cap and sinks have no meaning for the
 * feature kernel and are rejected. Permutation-equivariant in the queries and invariant under joint
 * permutations of keys and values (the draw does not depend on the tokens).
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "rfa", name = "Random Feature Attention", family = "core",
    paper = "Random Feature Attention", arxiv = "2103.02143", year = 2021, cost = "O(n^2*F) as computed here; O(n*F*D) in the paper's linear form",
    options = {
        "features=number F of random frequencies (2F features); default 128",
        "sigma=kernel width: the limit is softmax(q.k / sigma^2) of unit-norm q, k; default 1",
        "seed=seed of the Gaussian frequencies (SplittableRandom.nextGaussian / sigma, row-major [F, D]); default 0"},
    symmetries = {"permutation:tokens"})
public final class RandomFeatureAttention implements AttentionMechanism {
    /** Option: the number of random frequencies F. */
    static final String FEATURES = "features";
    /** Option: the kernel width σ. */
    static final String SIGMA = "sigma";

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        HeadLayout layout = HeadLayout.of(call);
        if (layout.dk() != layout.dq()) {
            throw InvalidInputException.shape("k", "[" + layout.batch() + ", kv_heads, seq_k, " + layout.dq()
                + "] (the head dimension of q)", call.k().shape());
        }
        AttentionOptions o = call.options();
        rejectUndefined(o);
        int features = call.intParam(FEATURES, 128);
        if (features <= 0) {
            throw new InvalidInputException("--opt " + FEATURES, "must be a positive integer, got " + features);
        }
        double sigma = call.doubleParam(SIGMA, 1.0);
        if (!(sigma > 0) || Double.isInfinite(sigma)) {
            throw new InvalidInputException("--opt " + SIGMA, "must be a positive finite number, got " + sigma);
        }
        double[][] w = frequencies(call.longParam(WeightSource.SEED, 0), features, layout.dq(), sigma);
        Tensor a = AttentionScores.dot(features(call.q(), w), features(call.k(), w), 1, backend);
        normaliseRows(a, AttentionScores.allowed(a.shape(), o));
        return AttentionScores.values(a, call.v(), backend);
    }

    private static void rejectUndefined(AttentionOptions o) {
        String why = "not defined for rfa (the feature kernel has no logits)";
        if (o.bias().isPresent()) {
            throw new InvalidInputException("bias", why + "; pass none");
        }
        if (o.scale().isPresent()) {
            throw new InvalidInputException("scale", why + "; use --opt sigma");
        }
        AttentionScores.rejectUndefined(o, "rfa");
    }

    /** w [F][D]: w[f][c] = nextGaussian() / σ from one SplittableRandom(seed), row-major. */
    static double[][] frequencies(long seed, int features, int dim, double sigma) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] w = new double[features][dim];
        for (double[] row : w) {
            for (int c = 0; c < dim; c++) {
                row[c] = random.nextGaussian() / sigma;
            }
        }
        return w;
    }

    /** φ of every row of x [B, H, S, D] → [B, H, S, 2F], computed in float64, stored in the type of x. */
    private static Tensor features(Tensor x, double[][] w) {
        int f = w.length, d = x.dim(3), rows = x.size() / Math.max(1, d);
        Tensor phi = Tensor.zeros(x.dtype(), x.dim(0), x.dim(1), x.dim(2), 2 * f);
        double[] row = new double[d];
        double norm = 1 / Math.sqrt(f);
        for (int r = 0; r < rows; r++) {
            double len = 0;
            for (int c = 0; c < d; c++) {
                row[c] = x.getFlat(r * d + c);
                len += row[c] * row[c];
            }
            double inv = len == 0 ? 0 : 1 / Math.sqrt(len);
            for (int i = 0; i < f; i++) {
                double z = 0;
                for (int c = 0; c < d; c++) {
                    z += w[i][c] * row[c];
                }
                z *= inv;
                phi.setFlat(r * 2 * f + i, norm * Math.sin(z));
                phi.setFlat(r * 2 * f + f + i, norm * Math.cos(z));
            }
        }
        return phi;
    }

    /** a ← a ⊙ allowed, each row divided by its sum (a zero sum leaves a zero row), in place; float64 sums. */
    private static void normaliseRows(Tensor a, Tensor allowed) {
        int[] s = a.shape();
        int nk = s[3];
        int[] strides = allowed == null ? null : Broadcast.strides("mask", allowed.shape(), s);
        boolean[] mask = allowed == null ? null : allowed.booleanData();
        double[] row = new double[nk];
        int r = 0;
        for (int b = 0; b < s[0]; b++) {
            for (int h = 0; h < s[1]; h++) {
                for (int i = 0; i < s[2]; i++, r++) {
                    double sum = 0;
                    for (int j = 0; j < nk; j++) {
                        boolean ok = mask == null || mask[allowed.offset() + b * strides[0]
                            + h * strides[1] + i * strides[2] + j * strides[3]];
                        row[j] = ok ? a.getFlat(r * nk + j) : 0;
                        sum += row[j];
                    }
                    for (int j = 0; j < nk; j++) {
                        a.setFlat(r * nk + j, sum == 0 ? 0 : row[j] / sum);
                    }
                }
            }
        }
    }
}

package org.attune.attention.normalization;

import java.util.Arrays;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Adaptive Filter Attention, isotropic form: tokens are noisy measurements of one latent trajectory of the linear
 * SDE dx = A x dt + B dw with A diagonal in a complex eigenbasis, λ_m = −α + iω_m (one decay α for every mode,
 * isotropic process noise σ², key measurement noise η², query anchor noise γ²); each key is propagated to the
 * query's time and weighted by its propagated precision, robustly reweighted by its residual.
 * Racioppo, "Attention as an Adaptive Filter", arXiv:2509.04154 (v3, § 3.5 "Expanding the Squared Residuals" and
 * § 3.6 "Key Simplification: Isotropic Decay and Noise"; the closed-form Lyapunov covariance in
 * {@link PropagatedCovariance}). The paper's equations could not be read from the reference corpora (only its
 * abstract and contents), so no equation numbers are cited; the formulas below are the author's code's.
 * With t_i = i, t_j = j, Δt = t_i − t_j and z_m = x_m + i·x_{m+D/2} (the half layout of the author's code):
 * <pre>
 *   q̃_i = e^{−iω t_i} q_i,   k̃_j = e^{−iω t_j} k_j,   ṽ_j = e^{−iω t_j} v_j,   E_ij = e^{−α|Δt|}
 *   |R_ij|² = |q_i − E_ij e^{iωΔt} k_j|² = |q̃_i|² + E_ij² |k̃_j|² − 2 E_ij Re(q̃_iᴴ k̃_j)
 *   V_ij = σ² (1 − e^{−2α|Δt|}) / (2α) + η² e^{−2α|Δt|} + γ²
 *   s_ij = τ² [ −ln V_ij − ln(1 + |R_ij|² / (ν d V_ij)) ]        (robust; −|R_ij|² / (ν d V_ij) when robust=false)
 *   A_ij = softmax_j(s_ij),   d = D/2 complex modes
 *   out_i = e^{iω t_i} Σ_j A_ij E_ij ṽ_j = Σ_j A_ij e^{λΔt} v_j
 * </pre>
 * so exp(s_ij) = [P_ij / (1 + P_ij |R_ij|² / (ν d))]^{τ²}, the propagated precision P_ij = 1/V_ij times a
 * Cauchy-type robust weight (a Gaussian one exp(−P_ij |R_ij|² / (ν d)) when robust=false). Transcribed from the
 * author's last isotropic implementation (PCR-git/Adaptive-Filter-Attention, "AFA, Dec 21" folder,
 * {@code MultiheadIsotropicAFA}, {@code compute_residual_norm_isotropic}, {@code compute_covariance_matrix_safe},
 * {@code compute_attention_matrix} with the Lyapunov additive and multiplicative biases and the robust weight;
 * values rotated and the weights scaled by E before the sum, as there); the learned projections, residual gate and
 * output layer of that module are not part of the mechanism. The dynamics and noise (learned per head there) are
 * options shared by all heads here. For A → 0 (α = 0, ω = 0) and σ² = 0, V is constant and with keys of equal norm
 * the Gaussian weights are softmax(2 q·k / (ν d V)): dot-product attention; with α = 0 and σ² = 0 alone the logits
 * are rotary attention's (at negated positions, since keys are carried forward by e^{+iωΔt}).
 * q [B, H, Nq, D], k [B, Hkv, Nk, D], v [B, Hkv, Nk, D] (keys and values measure the same state, so D even and
 * equal for both) → [B, H, Nq, D]; inputs not modified; computed in float64 and returned in the input type. Mask and
 * causal flag as in {@link ScoreMatrix} (a fully masked row is zero); the scale and bias options are rejected (ν
 * and τ take the scale's place). Rows of A are non-negative and sum to 1; the output rows are A ⊙ E sums, which
 * sum to less than 1 when α &gt; 0, as the decayed estimate of the paper.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "afa", name = "Adaptive Filter Attention", family = "normalization",
    paper = "Attention as an Adaptive Filter", arxiv = "2509.04154", year = 2025, cost = "O(n^2 d)",
    options = {
        "decay=alpha >= 0, minus the real part shared by every eigenvalue; default 0",
        "omega=comma-separated rotation frequencies omega_m (1 value for all modes, or D/2 values); default the"
            + " rotary frequencies base^(-2m/D)",
        "base=base of the default frequencies; default 10000 (not with omega)",
        "process-noise=sigma^2 >= 0; default 1",
        "measurement-noise=eta^2 >= 0 of the keys; default 1",
        "anchor-noise=gamma^2 >= 0 of the queries; default 0 (eta^2 + gamma^2 > 0)",
        "nu=robustness threshold nu > 0 of the residual weight; default 1",
        "tau=temperature tau; the logits are multiplied by tau^2; default 1",
        "robust=true (Cauchy-type residual weight, the default) or false (Gaussian)"})
public final class AdaptiveFilterAttention implements AttentionMechanism {
    static final String DECAY = "decay";
    static final String OMEGA = "omega";
    static final String BASE = "base";
    static final String PROCESS_NOISE = "process-noise";
    static final String MEASUREMENT_NOISE = "measurement-noise";
    static final String ANCHOR_NOISE = "anchor-noise";
    static final String NU = "nu";
    static final String TAU = "tau";
    static final String ROBUST = "robust";

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        Filter f = filter(call, backend);
        int nq = f.scores.problem().nq(), nk = f.scores.problem().nk();
        Tensor transported = f.weights.copy();
        for (int plane = 0; plane < f.weights.size() / Math.max(1, nq * nk); plane++) {
            for (int i = 0; i < nq; i++) {
                for (int j = 0; j < nk; j++) {
                    int at = (plane * nq + i) * nk + j;
                    transported.setFlat(at, transported.getFlat(at) * f.covariance.transport(i - j));
                }
            }
        }
        Tensor estimate = f.scores.values(transported, f.values, backend);
        return rotate(estimate, f.omega, +1).to(call.q().dtype());
    }

    /** The normalised weights A [B, H, Nq, Nk] in float64, before the transport factor E. */
    Tensor weights(AttentionCall call, ComputeBackend backend) {
        return filter(call, backend).weights;
    }

    private record Filter(ScoreMatrix scores, Tensor weights, Tensor values, double[] omega,
                          PropagatedCovariance covariance) {
    }

    private static Filter filter(AttentionCall call, ComputeBackend backend) {
        AttentionOptions o = call.options();
        ScoreMatrix.validate(call.q(), call.k(), call.v(), o, "afa", true);
        if (o.scale().isPresent()) {
            throw new InvalidInputException("scale", "not defined for afa, whose logits have no dot-product scale;"
                + " set --opt nu or --opt tau instead");
        }
        if (o.bias().isPresent()) {
            throw new InvalidInputException("bias", "not defined for afa; pass none");
        }
        int d = call.q().dim(3);
        if (d % 2 != 0) {
            throw new InvalidInputException("q", "afa pairs channels m and m + D/2 into complex modes, so D must be"
                + " even; got shape " + Arrays.toString(call.q().shape()));
        }
        if (call.v().dim(3) != d) {
            throw new InvalidInputException("v", "expected shape [B, Hkv, Nk, " + d + "] (values measure the state"
                + " the keys measure), got " + Arrays.toString(call.v().shape()));
        }
        double[] omega = frequencies(call, d / 2);
        PropagatedCovariance cov = new PropagatedCovariance(call.doubleParam(DECAY, 0),
            call.doubleParam(PROCESS_NOISE, 1), call.doubleParam(MEASUREMENT_NOISE, 1), call.doubleParam(ANCHOR_NOISE, 0));
        double nu = call.doubleParam(NU, 1);
        if (!(nu > 0) || !Double.isFinite(nu)) {
            throw new InvalidInputException("--opt " + NU, "must be finite and > 0, got " + nu);
        }
        double tau = call.doubleParam(TAU, 1);
        if (!Double.isFinite(tau)) {
            throw new InvalidInputException("--opt " + TAU, "must be finite, got " + tau);
        }
        String robustText = call.param(ROBUST, "true").strip();
        if (!robustText.equals("true") && !robustText.equals("false")) {
            throw new InvalidInputException("--opt " + ROBUST, "expected true or false, got '" + robustText + "'");
        }
        boolean robust = robustText.equals("true");

        Tensor q = rotate(call.q().to(DType.FLOAT64), omega, -1);
        Tensor k = rotate(call.k().to(DType.FLOAT64), omega, -1);
        Tensor v = rotate(call.v().to(DType.FLOAT64), omega, -1);
        ScoreMatrix s = ScoreMatrix.of(q, k, v, o.toBuilder().scale(1.0).build(), backend, "afa", true);
        double[][][] qn = squaredNorms(q), kn = squaredNorms(k);
        int group = s.problem().groupSize();
        double spread = nu * (d / 2);
        double tau2 = tau * tau;
        Tensor w = s.weights((b, h, plane) -> {
            for (int i = 0; i < plane.length; i++) {
                for (int j = 0; j < plane[i].length; j++) {
                    if (plane[i][j] == Double.NEGATIVE_INFINITY) {
                        continue;
                    }
                    double e = cov.transport(i - j);
                    double r2 = Math.max(0, qn[b][h][i] + e * e * kn[b][h / group][j] - 2 * e * plane[i][j]);
                    double var = cov.at(i - j);
                    double x = r2 / (spread * var);
                    plane[i][j] = -tau2 * (Math.log(var) + (robust ? Math.log1p(x) : x));
                }
            }
            PlaneSoftmax.rows(plane);
        });
        return new Filter(s, w, v, omega, cov);
    }

    /** ω_m, m &lt; modes: the {@code omega} list (one value or one per mode), else base^(−2m/D). */
    private static double[] frequencies(AttentionCall call, int modes) {
        double[] omega = new double[modes];
        String list = call.param(OMEGA, null);
        if (list == null) {
            double base = call.doubleParam(BASE, 10000);
            if (!(base > 0) || !Double.isFinite(base)) {
                throw new InvalidInputException("--opt " + BASE, "must be finite and > 0, got " + base);
            }
            for (int m = 0; m < modes; m++) {
                omega[m] = Math.pow(base, -(double) m / modes);
            }
            return omega;
        }
        if (call.param(BASE, null) != null) {
            throw new InvalidInputException("--opt " + BASE, "not used when --opt omega gives the frequencies; pass one");
        }
        String[] parts = list.split(",");
        if (parts.length != 1 && parts.length != modes) {
            throw new InvalidInputException("--opt " + OMEGA, "expected 1 or D/2 = " + modes + " comma-separated"
                + " numbers, got '" + list + "'");
        }
        for (int m = 0; m < modes; m++) {
            String p = parts[parts.length == 1 ? 0 : m].strip();
            try {
                omega[m] = Double.parseDouble(p);
            } catch (NumberFormatException e) {
                throw new InvalidInputException("--opt " + OMEGA, "expected numbers, got '" + list + "'");
            }
            if (!Double.isFinite(omega[m])) {
                throw new InvalidInputException("--opt " + OMEGA, "frequencies must be finite, got '" + list + "'");
            }
        }
        return omega;
    }

    /** t [B, H, N, D] float64 with mode m of token n multiplied by e^{sign·iω_m n}: a new tensor. */
    private static Tensor rotate(Tensor t, double[] omega, int sign) {
        Tensor out = Tensor.zeros(DType.FLOAT64, t.shape());
        int n = t.dim(2), d = t.dim(3), half = d / 2;
        int rows = t.size() / Math.max(1, d);
        for (int r = 0; r < rows; r++) {
            int pos = r % Math.max(1, n);
            int at = r * d;
            for (int m = 0; m < half; m++) {
                double angle = sign * omega[m] * pos;
                double c = Math.cos(angle), s = Math.sin(angle);
                double re = t.getFlat(at + m), im = t.getFlat(at + m + half);
                // + 0.0: a zero row (fully masked) stays +0, not the −0 of 0·(−sin)
                out.setFlat(at + m, re * c - im * s + 0.0);
                out.setFlat(at + m + half, re * s + im * c + 0.0);
            }
        }
        return out;
    }

    /** |x[b,h,n,:]|² for t [B, H, N, D]. */
    private static double[][][] squaredNorms(Tensor t) {
        int bN = t.dim(0), hN = t.dim(1), n = t.dim(2), d = t.dim(3);
        double[][][] out = new double[bN][hN][n];
        for (int b = 0; b < bN; b++) {
            for (int h = 0; h < hN; h++) {
                for (int i = 0; i < n; i++) {
                    double sum = 0;
                    for (int e = 0; e < d; e++) {
                        double x = t.getFlat(((b * hN + h) * n + i) * d + e);
                        sum += x * x;
                    }
                    out[b][h][i] = sum;
                }
            }
        }
        return out;
    }
}

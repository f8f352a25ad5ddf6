package org.attune.attention.normalization;

import java.util.Arrays;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Gaussian Adaptive Attention (GAAM): each input is re-weighted by a product of Gaussian densities of its own
 * standardised value along one axis, normalised along that axis; there is no query–key product.
 * Ioannides et al., "Gaussian Adaptive Attention is All You Need: Robust Contextual Representations Across
 * Multiple Modalities", arXiv:2401.11143 (GAAM).
 * <pre>
 *   μ = mean_axis(x),   σ² = var_axis(x) + ε   (unbiased variance, ε = 1e-8)
 *   g_i = exp(−((x − (μ + δ_i)) / σ)² / (2 c_i²)) / √(2π c_i²),   i = 1..G
 *   w = Π_i g_i / max(Σ_axis Π_i g_i, ε),     out = x ⊙ w
 * </pre>
 * x = q [B, H, N, D] (each head separately, features per head as the paper's multi-head split), → [B, H, N, D];
 * k [B, Hkv, Nk, D] and v are validated like every attention call and not read. Transcribed from the official
 * code (gioannides/Gaussian-Adaptive-Attention, {@code GaussianAdaptiveAttention.forward}, checked there):
 * {@code torch.var} is unbiased, ε = 1e-8 is added to the variance and clamps the normaliser; with one token
 * (N = 1) the unbiased variance is 0/0 there, here it is taken as 0. Options: {@code axis} (tokens, the default,
 * or features), {@code gaussians} G (default 1), {@code offsets} δ and {@code c} (comma-separated, G values each,
 * defaults 0 and 1; learned parameters in the paper, shared here by all heads). The official module's padding
 * value is not supported; masks and the causal flag are rejected. The weights are invariant to adding a constant
 * to x along the axis and to scaling it by a positive factor; along the token axis permuting the queries
 * permutes the output.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "gaam", name = "Gaussian Adaptive Attention", family = "normalization",
    paper = "Gaussian Adaptive Attention is All You Need: Robust Contextual Representations Across Multiple Modalities",
    arxiv = "2401.11143", year = 2024, cost = "O(n d G)",
    options = {
        "axis=tokens or features: the axis of q along which the statistics and the normalisation run; default tokens",
        "gaussians=number G of Gaussians whose densities multiply; default 1",
        "offsets=comma-separated mean offsets delta_i, G values; default all 0",
        "c=comma-separated scales c_i, G values, non-zero; default all 1"},
    symmetries = {"permutation:tokens"})
public final class GaussianAdaptiveAttention implements AttentionMechanism {
    static final String AXIS = "axis";
    static final String GAUSSIANS = "gaussians";
    static final String OFFSETS = "offsets";
    static final String SCALES = "c";
    /** ε of the official code: added to the variance and the least normaliser. */
    static final double EPSILON = 1e-8;

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        ScoreMatrix.validate(call.q(), call.k(), call.v(), call.options(), "gaam", false);
        String axis = call.param(AXIS, "tokens");
        if (!axis.equals("tokens") && !axis.equals("features")) {
            throw new InvalidInputException("--opt " + AXIS, "expected tokens or features, got '" + axis + "'");
        }
        int g = call.intParam(GAUSSIANS, 1);
        if (g < 1) {
            throw new InvalidInputException("--opt " + GAUSSIANS, "must be at least 1, got " + g);
        }
        double[] offsets = list(call, OFFSETS, g, 0);
        double[] scales = list(call, SCALES, g, 1);
        for (double c : scales) {
            if (c == 0 || !Double.isFinite(c)) {
                throw new InvalidInputException("--opt " + SCALES, "scales must be finite and non-zero, got " + c);
            }
        }
        Tensor x = call.q();
        int b = x.dim(0), h = x.dim(1), n = x.dim(2), d = x.dim(3);
        boolean tokens = axis.equals("tokens");
        int length = tokens ? n : d;
        int lines = tokens ? d : n;
        int stride = tokens ? d : 1;
        Tensor out = Tensor.zeros(x.dtype(), x.shape());
        double[] line = new double[length];
        double[] w = new double[length];
        for (int bh = 0; bh < b * h; bh++) {
            for (int l = 0; l < lines; l++) {
                int start = bh * n * d + (tokens ? l : l * d);
                for (int t = 0; t < length; t++) {
                    line[t] = x.getFlat(start + t * stride);
                }
                weigh(line, offsets, scales, w);
                for (int t = 0; t < length; t++) {
                    out.setFlat(start + t * stride, line[t] * w[t]);
                }
            }
        }
        return out;
    }

    /** The normalised Gaussian-product weights of one line of values. */
    static void weigh(double[] x, double[] offsets, double[] scales, double[] w) {
        int n = x.length;
        double mean = 0;
        for (double e : x) {
            mean += e / n;
        }
        double ss = 0;
        for (double e : x) {
            ss += (e - mean) * (e - mean);
        }
        double sigma = Math.sqrt((n > 1 ? ss / (n - 1) : 0) + EPSILON);
        double sum = 0;
        for (int t = 0; t < n; t++) {
            double p = 1;
            for (int i = 0; i < offsets.length; i++) {
                double y = (x[t] - (mean + offsets[i])) / sigma;
                p *= Math.exp(-y * y / (2 * scales[i] * scales[i])) / Math.sqrt(2 * Math.PI * scales[i] * scales[i]);
            }
            w[t] = p;
            sum += p;
        }
        double z = Math.max(sum, EPSILON);
        for (int t = 0; t < n; t++) {
            w[t] /= z;
        }
    }

    private static double[] list(AttentionCall call, String name, int g, double dflt) {
        String s = call.param(name, null);
        double[] values = new double[g];
        if (s == null) {
            Arrays.fill(values, dflt);
            return values;
        }
        String[] parts = s.split(",");
        if (parts.length != g) {
            throw new InvalidInputException("--opt " + name, "expected " + g + " comma-separated numbers (one per"
                + " Gaussian), got '" + s + "'");
        }
        for (int i = 0; i < g; i++) {
            try {
                values[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new InvalidInputException("--opt " + name, "expected numbers, got '" + s + "'");
            }
        }
        return values;
    }
}

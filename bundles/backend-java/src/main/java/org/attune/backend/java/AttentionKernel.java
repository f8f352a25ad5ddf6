package org.attune.backend.java;

import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.AttentionProblem;
import org.attune.api.tensor.Tensor;

/**
 * Scaled dot-product attention in float64, one query row at a time (Vaswani et al., "Attention Is All You
 * Need", arXiv:1706.03762, eq. 1), with grouped KV heads and every option of {@link AttentionOptions}:
 * <pre>
 *   x_j   = scale · Σ_e q[b,h,i,e] · k[b,g,j,e],                         g = h / (Hq / Hkv)
 *   s_j   = cap(x_j) + bias[b,h,i,j] − m_h · |i − j|,                   cap(x) = c · tanh(x / c), or x
 *   A_i   = { j : mask[b,h,i,j] ∧ (¬causal ∨ j ≤ i) ∧ i − left ≤ j ≤ i + right }
 *   m     = max(sink_h, max_{j∈A_i} s_j)                                 (sink_h = −∞ without sinks)
 *   out_i = Σ_{j∈A_i} e^{s_j − m} · v[b,g,j,:] / (e^{sink_h − m} + Σ_{j∈A_i} e^{s_j − m})
 *   lse_i = m + log(e^{sink_h − m} + Σ_{j∈A_i} e^{s_j − m})
 * </pre>
 * An empty A_i (or one whose logits are all −∞) gives a zero row and lse_i = sink_h (−∞ without sinks). Rows run
 * in parallel over batch × heads.
 */
final class AttentionKernel {
    private AttentionKernel() {
    }

    /**
     * @param p   the validated sizes, scale and broadcast strides
     * @param o   the options that {@code p} was validated against
     * @param q   [B, Hq, Nq, D] row-major; q, k, v are not modified
     * @param k   [B, Hkv, Nk, D]
     * @param v   [B, Hkv, Nk, Dv]
     * @param lse receives the log-sum-exp [B, Hq, Nq], or null
     * @return [B, Hq, Nq, Dv]
     */
    static double[] compute(AttentionProblem p, AttentionOptions o, double[] q, double[] k, double[] v, double[] lse) {
        int hq = p.queryHeads(), hkv = p.kvHeads(), nq = p.nq(), nk = p.nk(), d = p.d(), dv = p.dv();
        int group = p.groupSize();
        double scale = p.scale();
        boolean causal = o.causal();
        Tensor maskT = o.mask().orElse(null);
        boolean[] mask = maskT == null ? null : maskT.booleanData();
        int maskOffset = maskT == null ? 0 : maskT.offset();
        double[] bias = o.bias().map(Tensor::toDoubleArray).orElse(null);
        double[] slopes = o.alibiSlopes().map(Tensor::toDoubleArray).orElse(null);
        double[] sinks = o.sinks().map(Tensor::toDoubleArray).orElse(null);
        double cap = o.softCap().orElse(0);
        long left = o.windowLeft().isPresent() ? o.windowLeft().getAsInt() : Long.MAX_VALUE / 2;
        long right = o.windowRight().isPresent() ? o.windowRight().getAsInt() : Long.MAX_VALUE / 2;
        int[] ms = p.maskStrides();
        int[] bs = p.biasStrides();
        double[] out = new double[p.batch() * hq * nq * dv];
        JavaBackend.rows(p.batch() * hq, p.flops() / 2).forEach(bh -> {
            int b = bh / hq;
            int h = bh % hq;
            int g = h / group;
            int qBase = bh * nq * d;
            int kBase = (b * hkv + g) * nk * d;
            int vBase = (b * hkv + g) * nk * dv;
            double sink = sinks == null ? Double.NEGATIVE_INFINITY : sinks[h];
            double[] s = new double[nk];
            boolean[] allowed = new boolean[nk];
            for (int i = 0; i < nq; i++) {
                double max = sink;
                for (int j = 0; j < nk; j++) {
                    allowed[j] = !(causal && j > i) && j >= i - left && j <= i + right
                        && (mask == null || mask[maskOffset + b * ms[0] + h * ms[1] + i * ms[2] + j * ms[3]]);
                    if (!allowed[j]) {
                        continue;
                    }
                    double dot = 0;
                    for (int e = 0; e < d; e++) {
                        dot += q[qBase + i * d + e] * k[kBase + j * d + e];
                    }
                    double x = scale * dot;
                    s[j] = (cap > 0 ? cap * Math.tanh(x / cap) : x)
                        + (bias == null ? 0 : bias[b * bs[0] + h * bs[1] + i * bs[2] + j * bs[3]])
                        - (slopes == null ? 0 : slopes[h] * Math.abs(i - j));
                    max = Math.max(max, s[j]);
                }
                if (max == Double.NEGATIVE_INFINITY) {
                    if (lse != null) {
                        lse[bh * nq + i] = Double.NEGATIVE_INFINITY;
                    }
                    continue;
                }
                int oBase = (bh * nq + i) * dv;
                double sum = Math.exp(sink - max);
                for (int j = 0; j < nk; j++) {
                    if (!allowed[j]) {
                        continue;
                    }
                    double w = Math.exp(s[j] - max);
                    sum += w;
                    for (int e = 0; e < dv; e++) {
                        out[oBase + e] += w * v[vBase + j * dv + e];
                    }
                }
                for (int e = 0; e < dv; e++) {
                    out[oBase + e] /= sum;
                }
                if (lse != null) {
                    lse[bh * nq + i] = max + Math.log(sum);
                }
            }
        });
        return out;
    }
}

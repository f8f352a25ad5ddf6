package org.attune.backend.java;

import org.attune.api.backend.AttentionProblem;

/**
 * Scaled dot-product attention in float64, one query row at a time (Vaswani et al., "Attention Is All You
 * Need", arXiv:1706.03762, eq. 1), with grouped KV heads, mask, causal mask and additive bias.
 * <pre>
 *   s_j   = scale · Σ_e q[b,h,i,e] · k[b,g,j,e] + bias[b,h,i,j],   g = h / (Hq / Hkv)
 *   A_i   = { j : mask[b,h,i,j] and (not causal or j ≤ i) }
 *   out_i = Σ_{j∈A_i} exp(s_j − m) · v[b,g,j,:] / Σ_{j∈A_i} exp(s_j − m),   m = max_{j∈A_i} s_j
 * </pre>
 * An empty A_i (or one whose logits are all −∞) gives a zero row. Rows run in parallel over batch × heads.
 */
final class AttentionKernel {
    private AttentionKernel() {
    }

    /**
     * @param p          the validated sizes, scale and broadcast strides
     * @param q          [B, Hq, Nq, D] row-major; q, k, v are not modified
     * @param k          [B, Hkv, Nk, D]
     * @param v          [B, Hkv, Nk, Dv]
     * @param causal     top-left causal mask
     * @param mask       the mask's backing array, read at {@code maskOffset} with {@code p.maskStrides()}, or null
     * @param maskOffset offset of the mask's first element
     * @param bias       the bias, compact, read with {@code p.biasStrides()}, or null
     * @return [B, Hq, Nq, Dv]
     */
    static double[] compute(AttentionProblem p, double[] q, double[] k, double[] v, boolean causal, boolean[] mask,
                            int maskOffset, double[] bias) {
        int hq = p.queryHeads(), hkv = p.kvHeads(), nq = p.nq(), nk = p.nk(), d = p.d(), dv = p.dv();
        int group = p.groupSize();
        double scale = p.scale();
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
            double[] s = new double[nk];
            boolean[] allowed = new boolean[nk];
            for (int i = 0; i < nq; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < nk; j++) {
                    allowed[j] = !(causal && j > i)
                        && (mask == null || mask[maskOffset + b * ms[0] + h * ms[1] + i * ms[2] + j * ms[3]]);
                    if (!allowed[j]) {
                        continue;
                    }
                    double dot = 0;
                    for (int e = 0; e < d; e++) {
                        dot += q[qBase + i * d + e] * k[kBase + j * d + e];
                    }
                    s[j] = scale * dot + (bias == null ? 0 : bias[b * bs[0] + h * bs[1] + i * bs[2] + j * bs[3]]);
                    max = Math.max(max, s[j]);
                }
                if (max == Double.NEGATIVE_INFINITY) {
                    continue;
                }
                int oBase = (bh * nq + i) * dv;
                double sum = 0;
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
            }
        });
        return out;
    }
}

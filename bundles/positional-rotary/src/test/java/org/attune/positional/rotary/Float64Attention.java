package org.attune.positional.rotary;

import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;

/**
 * Float64 softmax attention written as loops, sharing nothing with the code under test:
 * oᵢ = Σⱼ softmaxⱼ(scale · logit(i, j)) vⱼ over j ≤ i when causal (query i and key j both counted from 0),
 * with logit(i, j) = qᵢ·kⱼ unless a test supplies its own. Kv head of head h is h·Hkv/H.
 */
final class Float64Attention {
    private Float64Attention() {
    }

    /** The logit of query i and key j in batch b, head h. */
    @FunctionalInterface
    interface Logit {
        double of(int b, int h, int i, int j);
    }

    /** softmax(scale · q kᵀ) v, q [B, H, Nq, D], k [B, Hkv, Nk, D], v [B, Hkv, Nk, Dv] → float64 [B, H, Nq, Dv]. */
    static Tensor sdpa(Tensor q, Tensor k, Tensor v, double scale, boolean causal) {
        int hk = k.dim(1), h = q.dim(1), d = q.dim(3);
        return attend(q.dim(0), h, q.dim(2), v, scale, causal, (b, a, i, j) -> {
            double s = 0;
            for (int e = 0; e < d; e++) {
                s += q.get(b, a, i, e) * k.get(b, a * hk / h, j, e);
            }
            return s;
        });
    }

    /** softmax over j of scale · logit(b, h, i, j), weighting v's rows. */
    static Tensor attend(int batch, int heads, int nq, Tensor v, double scale, boolean causal, Logit logit) {
        int hk = v.dim(1), nk = v.dim(2), dv = v.dim(3);
        Tensor out = Tensor.zeros(DType.FLOAT64, batch, heads, nq, dv);
        for (int b = 0; b < batch; b++) {
            for (int a = 0; a < heads; a++) {
                for (int i = 0; i < nq; i++) {
                    int last = causal ? Math.min(i, nk - 1) : nk - 1;
                    double[] w = new double[last + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= last; j++) {
                        w[j] = scale * logit.of(b, a, i, j);
                        max = Math.max(max, w[j]);
                    }
                    double z = 0;
                    for (int j = 0; j <= last; j++) {
                        w[j] = Math.exp(w[j] - max);
                        z += w[j];
                    }
                    for (int e = 0; e < dv; e++) {
                        double s = 0;
                        for (int j = 0; j <= last; j++) {
                            s += w[j] * v.get(b, a * hk / heads, j, e);
                        }
                        out.set(s / z, b, a, i, e);
                    }
                }
            }
        }
        return out;
    }
}

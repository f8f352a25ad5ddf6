package org.attune.positional.bias;

import org.attune.api.position.PositionalCall;
import org.attune.api.tensor.Tensor;

/**
 * Logit biases that read the content: b [B, H, Nq, Nk] with q's element type, b[z, h, i, j] = scale · f(z, h, i, j,
 * pᵢ, pⱼ), where the scale is the attention's (the bias is added after scaling, while the papers add these terms
 * to the unscaled logit). Keys of grouped heads are read at kv head h·Hkv/H.
 */
final class ContentBias {
    private ContentBias() {
    }

    /** One entry before scaling: z batch, h head, i and j token indices, pi and pj positions. */
    @FunctionalInterface
    interface Entry {
        double value(int z, int h, int i, int j, long pi, long pj);
    }

    static Tensor of(PositionalCall call, String method, Entry f) {
        Tensor q = call.requireQ(method + " reads the queries and keys");
        Embeddings.requireTokens(q, call.k());
        int b = q.dim(0), heads = q.dim(1), nq = q.dim(2), nk = call.k().dim(2);
        double scale = call.scaleFor(q.dim(3));
        Tensor out = Tensor.zeros(q.dtype(), b, heads, nq, nk);
        int flat = 0;
        for (int z = 0; z < b; z++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < nq; i++) {
                    for (int j = 0; j < nk; j++) {
                        out.setFlat(flat++, scale * f.value(z, h, i, j, (long) call.queryOffset() + i,
                            (long) call.keyOffset() + j));
                    }
                }
            }
        }
        return out;
    }

    /** ⟨a, t[row]⟩ for a vector a of t's row length, t float64 [rows, D]. */
    static double dot(double[] a, Tensor t, int row) {
        double s = 0;
        int d = a.length;
        double[] data = t.doubleData();
        int base = t.offset() + row * d;
        for (int e = 0; e < d; e++) {
            s += a[e] * data[base + e];
        }
        return s;
    }

    /** Token (z, h, n) of x [B, H, N, D] as a float64 vector. */
    static double[] token(Tensor x, int z, int h, int n) {
        int d = x.dim(3);
        double[] v = new double[d];
        int base = ((z * x.dim(1) + h) * x.dim(2) + n) * d;
        for (int e = 0; e < d; e++) {
            v[e] = x.getFlat(base + e);
        }
        return v;
    }
}

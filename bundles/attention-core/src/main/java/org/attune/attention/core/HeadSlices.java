package org.attune.attention.core;

import org.attune.api.attention.AttentionCall;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.Tensor;

/**
 * The frame of the Optimised, Efficient and Super attention of Hosseini and Hosseini, "You Need to Pay Better
 * Attention: Rethinking the Mathematics of Attention Mechanism", arXiv:2403.01643 (§3): multi-head attention
 * in which the value projection, and for Efficient and Super also the key projection, is replaced by the
 * head's slice of the input embedding:
 * <pre>
 *   x_q = merge(q), x_k = merge(k), x_v = merge(v)   [B, N, E],  E = H·D,  slice_h(x) = x[:, :, h·Dh … h·Dh + Dh − 1]
 *   Q_h = slice_h(x_q W_q)
 *   K_h = slice_h(x_k W_k)          (projected keys: Optimised)     or   slice_h(x_k)   (Efficient, Super)
 *   V_h = slice_h(x_v)                                              or   slice_h(W_A x_v)  (Super)
 *   out = Concat_h(softmax(scale · Q_h K_hᵀ + bias | mask ∧ causal) V_h) W_o
 * </pre>
 * W_q, W_k, W_o [E, E], no biases, Dh = E / heads, default scale 1/√Dh; W_A [Nk, Nk] mixes the value tokens
 * from the left, one matrix shared by all heads; under a causal mask only its lower triangle is used
 * (W_A[t, s] = 0 for s > t), so no value reaches back from a later token. Weights from {@code weights=DIR}
 * (wq.npy, wk.npy, wo.npy, wa.npy) or drawn from {@code seed} (default 0) in the order wq, (wk), wo, (wa).
 * The heads run through the backend's scaled dot-product attention, so every attention option applies as
 * for {@code sdpa}.
 */
final class HeadSlices {
    private HeadSlices() {
    }

    /**
     * Runs the frame.
     *
     * @param projectKeys K_h from x_k W_k (Optimised) rather than from x_k itself
     * @param mixValues   V_h from W_A x_v (Super) rather than from x_v
     */
    static Tensor attend(AttentionCall call, ComputeBackend backend, boolean projectKeys, boolean mixValues) {
        ProjectedAttention.Embedded x = ProjectedAttention.embed(call, true);
        int heads = x.heads();
        int e = x.width();
        WeightSource source = WeightSource.of(call);
        Tensor wq = source.matrix("wq", e, e).to(x.xq().dtype());
        Tensor wk = projectKeys ? source.matrix("wk", e, e).to(x.xq().dtype()) : null;
        Tensor wo = source.matrix("wo", e, e).to(x.xq().dtype());
        AttentionOptions o = call.options();
        Tensor xv = x.xv();
        if (mixValues) {
            xv = mixed(source.matrix("wa", xv.dim(1), xv.dim(1)), xv, o.causal(), backend);
        }
        Tensor qh = HeadLayout.split(backend.matmul(x.xq(), wq, false, false, null), heads);
        Tensor kh = HeadLayout.split(projectKeys ? backend.matmul(x.xk(), wk, false, false, null) : x.xk(), heads);
        Tensor vh = HeadLayout.split(xv, heads);
        Tensor merged = HeadLayout.merge(backend.attention(qh, kh, vh, o, null));
        return HeadLayout.split(backend.matmul(merged, wo, false, false, null), call.q().dim(1));
    }

    /** W_A x[b] for every batch, W_A [N, N] (its lower triangle when causal), x [B, N, E]. */
    private static Tensor mixed(Tensor wa, Tensor x, boolean causal, ComputeBackend backend) {
        int n = wa.dim(0);
        Tensor w = wa;
        if (causal) {
            double[] t = wa.toDoubleArray().clone();
            for (int r = 0; r < n; r++) {
                for (int c = r + 1; c < n; c++) {
                    t[r * n + c] = 0;
                }
            }
            w = Tensor.of(t, n, n);
        }
        w = w.to(x.dtype());
        Tensor y = Tensor.zeros(x.dtype(), x.shape());
        for (int b = 0; b < x.dim(0); b++) {
            backend.matmul(w, x.select(b), false, false, y.select(b));
        }
        return y;
    }
}

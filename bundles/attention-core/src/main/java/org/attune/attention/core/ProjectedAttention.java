package org.attune.attention.core;

import org.attune.api.attention.AttentionCall;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;

/**
 * Attention between input and output projections, the frame shared by the multi-head family
 * (Vaswani et al., arXiv:1706.03762, §3.2.2):
 * <pre>
 *   x_q = merge(q) [B, Nq, Eq],  x_k = merge(k) [B, Nk, Ek],  x_v = merge(v) [B, Nk, Ev]     ({@link HeadLayout})
 *   Q = split(x_q W_q + b_q, heads),  K = split(x_k W_k + b_k, Hkv),  V = split(x_v W_v + b_v, Hkv)
 *   out = split(merge(core(Q, K, V)) W_o + b_o, H)                                     ({@link Projections})
 * </pre>
 * with E = Eq = H·D the query embedding, {@code heads} (option, default H) dividing E, Dh = E / heads, and
 * Hkv dividing {@code heads}. The result has the layout of q, [B, H, Nq, D]. The options (mask, bias, causal,
 * scale) reach the core unchanged: mask and bias broadcast to [B, heads, Nq, Nk], and the default scale is
 * 1/√Dh. A fully masked query row leaves the core's row zero, so its output is b_o (zero when seeded).
 */
final class ProjectedAttention {
    /** Option: the number of attention heads after projection. */
    static final String HEADS = "heads";

    /** The attention between the projections. */
    @FunctionalInterface
    interface Core {
        /** Q [B, heads, Nq, Dh], K and V [B, Hkv, Nk, Dh] → [B, heads, Nq, Dh]. */
        Tensor attend(Tensor q, Tensor k, Tensor v, AttentionOptions options, ComputeBackend backend);
    }

    /** How many kv heads a method uses for a given number of attention heads. */
    @FunctionalInterface
    interface KvHeads {
        int of(int heads);
    }

    /** Scaled dot-product attention on the backend, the core of multi-head attention. */
    static final Core SDPA = (q, k, v, o, backend) -> backend.attention(q, k, v, o, null);

    private ProjectedAttention() {
    }

    /**
     * Runs the frame.
     *
     * @param sameWidths require Ek = Ev = Eq (self-attention form, square projections) rather than any widths
     * @param kvHeads    the kv heads for the attention heads; must divide them ({@code option} names the option)
     * @param option     the option that sets the kv heads, for messages
     */
    static Tensor attend(AttentionCall call, ComputeBackend backend, boolean sameWidths, KvHeads kvHeads, String option,
                         Core core) {
        Projected p = project(call, backend, sameWidths, kvHeads, option);
        Tensor o = core.attend(p.q(), p.k(), p.v(), call.options(), backend);
        return HeadLayout.split(p.weights().output(HeadLayout.merge(o), backend), call.q().dim(1));
    }

    /**
     * The input half of the frame: validates the call and projects q, k and v into heads, for methods whose
     * output stage is not the frame's {@code merge(·) W_o + b_o}.
     *
     * @param sameWidths require Ek = Ev = Eq (self-attention form, square projections) rather than any widths
     * @param kvHeads    the kv heads for the attention heads; must divide them ({@code option} names the option)
     * @param option     the option that sets the kv heads, for messages
     */
    static Projected project(AttentionCall call, ComputeBackend backend, boolean sameWidths, KvHeads kvHeads,
                             String option) {
        Embedded x = embed(call, sameWidths);
        int heads = x.heads();
        int hkv = kvHeads.of(heads);
        if (hkv <= 0 || heads % hkv != 0) {
            throw new InvalidInputException("--opt " + option, "must be a positive divisor of heads = " + heads + ", got "
                + hkv);
        }
        int e = x.width();
        int dh = x.headDim();
        Projections w = Projections.forCall(call, e, x.xk().dim(2), x.xv().dim(2), e, hkv * dh, x.xq().dtype());
        Tensor qh = HeadLayout.split(w.query(x.xq(), backend), heads);
        Tensor kh = HeadLayout.split(w.key(x.xk(), backend), hkv);
        Tensor vh = HeadLayout.split(w.value(x.xv(), backend), hkv);
        return new Projected(qh, kh, vh, w);
    }

    /**
     * Validates a call for the frame and returns its token embeddings, for methods that build their own
     * projections: x_q [B, Nq, E], x_k [B, Nk, Ek], x_v [B, Nk, Ev] and the option {@code heads}.
     *
     * @param sameWidths require Ek = Ev = Eq (self-attention form, square projections) rather than any widths
     * @throws InvalidInputException naming the argument and the expected shape, or {@code --opt heads}
     */
    static Embedded embed(AttentionCall call, boolean sameWidths) {
        Tensor q = call.q();
        Tensor k = call.k();
        Tensor v = call.v();
        q.requireShape("q", "[batch, heads, seq_q, dim]", -1, -1, -1, -1);
        q.requireDType("q", DType.FLOAT32, DType.FLOAT64);
        int b = q.dim(0);
        int h = q.dim(1);
        int e = h * q.dim(3);
        String widths = sameWidths ? " with kv_heads·dim = " + e + " (the embedding width H·D of q)" : "";
        k.requireShape("k", "[" + b + ", kv_heads, seq_k, dim]" + widths + " (rank 4, the batch of q)", b, -1, -1, -1);
        int nk = k.dim(2);
        v.requireShape("v", "[" + b + ", v_heads, " + nk + ", dim_v]" + widths + " (the batch and length of k)", b, -1,
            nk, -1);
        HeadLayout.sameType("k", k, q.dtype());
        HeadLayout.sameType("v", v, q.dtype());
        int ek = k.dim(1) * k.dim(3);
        int ev = v.dim(1) * v.dim(3);
        if (sameWidths && ek != e) {
            throw InvalidInputException.shape("k", "[" + b + ", kv_heads, seq_k, dim]" + widths, k.shape());
        }
        if (sameWidths && ev != e) {
            throw InvalidInputException.shape("v", "[" + b + ", v_heads, " + nk + ", dim_v]" + widths, v.shape());
        }
        int heads = call.intParam(HEADS, h);
        if (heads <= 0 || e % heads != 0) {
            throw new InvalidInputException("--opt " + HEADS, "must be a positive divisor of the embedding width E = "
                + e + " (H·D of q), got " + heads);
        }
        return new Embedded(HeadLayout.merge(q), HeadLayout.merge(k), HeadLayout.merge(v), heads);
    }

    /**
     * The token embeddings of one validated call.
     *
     * @param xq    x_q [B, Nq, E], E = H·D of q
     * @param xk    x_k [B, Nk, Ek]
     * @param xv    x_v [B, Nk, Ev]
     * @param heads the attention heads after projection (option {@code heads}, default H); divides E
     */
    record Embedded(Tensor xq, Tensor xk, Tensor xv, int heads) {
        /** E, the query embedding width. */
        int width() {
            return xq.dim(2);
        }

        /** Dh = E / heads. */
        int headDim() {
            return width() / heads;
        }
    }

    /**
     * The projected heads of one call and the projections that made them.
     *
     * @param q       Q [B, heads, Nq, Dh]
     * @param k       K [B, Hkv, Nk, Dh]
     * @param v       V [B, Hkv, Nk, Dh]
     * @param weights W_q, W_k, W_v, W_o and biases, in the call's element type
     */
    record Projected(Tensor q, Tensor k, Tensor v, Projections weights) {
    }
}

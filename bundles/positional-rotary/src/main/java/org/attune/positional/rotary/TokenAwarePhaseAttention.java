package org.attune.positional.rotary;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.AttentionProblem;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.Broadcast;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Token-aware phase attention: RoPE's rotation replaced by a phase that multiplies the content logit, so that
 * positions enter only through the distance |m − n| and the expected score has no distance bias.
 * Wang et al., "Positional Encoding via Token-Aware Phase Attention", arXiv:2509.12635, eq. (12) (the special
 * case (13) of the general form (9) with quadratic phase (10)):
 * <pre>
 *   q = (q_A, q_P), k = (k_A, k_P)            q_A, k_A the first θD channels, q_P, k_P the last (1 − θ)D
 *   s(m, n) = q_Aᵀk_A / √(θD) · cos(2π·|m − n|^α · q_Pᵀk_P / √((1 − θ)D))
 *   out_m = Σ_n softmax_n(s(m, n) + bias | mask, causal) v_n
 * </pre>
 * Query i sits at position m = query-offset + i, key j at n = key-offset + j. With a zero phase slice (φ ≡ 0) it
 * is dot-product attention on the amplitude slice at scale 1/√(θD). The paper pretrains with α = 0.1, θ = 0.5
 * (section 4.1), the defaults here. An explicit {@code scale} replaces 1/√(θD); mask, bias, causal, window,
 * ALiBi slopes and sinks of {@link AttentionOptions} act on s as on SDPA logits; a soft cap is rejected, since
 * where it would act on s is not defined by the paper.
 * q [B, H, Nq, D], k [B, Hkv, Nk, D], v [B, Hkv, Nk, Dv] → [B, H, Nq, Dv]; inputs not modified. The two
 * products q_A k_Aᵀ and q_P k_Pᵀ are backend matmuls in float64; softmax and the value product are the
 * backend's attention on zero-width logits with s as the bias.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "tapa", name = "TAPA", family = "rotary",
    paper = "Positional Encoding via Token-Aware Phase Attention", arxiv = "2509.12635", year = 2025, cost = "O(n^2 d)",
    options = {"alpha=exponent of the distance |m-n| in the phase, > 0; default 0.1",
        "theta=fraction of the head channels in the amplitude slice, in (0, 1), theta*dim an integer; default 0.5",
        "query-offset=position of the first query; default 0",
        "key-offset=position of the first key; default 0"})
public final class TokenAwarePhaseAttention implements AttentionMechanism {

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        AttentionOptions o = call.options();
        AttentionProblem.of(call.q(), call.k(), call.v(), o, null);
        if (o.softCap().isPresent()) {
            throw new InvalidInputException("softCap", "not defined for TAPA, whose logit is a product (eq. (12)); omit it");
        }
        Tensor q = call.q(), k = call.k();
        int d = q.dim(3);
        double alpha = call.doubleParam("alpha", 0.1);
        if (!(alpha > 0) || !Double.isFinite(alpha)) {
            throw new InvalidInputException("--opt alpha", "expected a finite number > 0, got " + alpha);
        }
        double theta = call.doubleParam("theta", 0.5);
        long amplitude = Math.round(theta * d);
        if (!(theta > 0 && theta < 1) || Math.abs(theta * d - amplitude) > 1e-9 || amplitude < 1 || amplitude >= d) {
            throw new InvalidInputException("--opt theta", "expected theta in (0, 1) with theta*dim an integer in [1, "
                + (d - 1) + "] for dim " + d + ", got " + theta);
        }
        int a = (int) amplitude;
        int queryOffset = offset(call, "query-offset"), keyOffset = offset(call, "key-offset");
        double ampScale = o.scale().isPresent() ? o.scale().getAsDouble() : 1 / Math.sqrt(a);
        double phaseScale = 1 / Math.sqrt(d - a);

        Tensor amp = backend.matmul(channels(q, 0, a, q.dim(1)), channels(k, 0, a, q.dim(1)), false, true, null);
        Tensor phase = backend.matmul(channels(q, a, d, q.dim(1)), channels(k, a, d, q.dim(1)), false, true, null);
        int batch = q.dim(0), heads = q.dim(1), nq = q.dim(2), nk = k.dim(2);
        Tensor s = Tensor.zeros(q.dtype(), batch, heads, nq, nk);
        for (int f = 0; f < s.size(); f++) {
            int i = f / nk % nq;
            long distance = Math.abs((long) queryOffset + i - ((long) keyOffset + f % nk));
            double turns = distance == 0 ? 0 : Math.pow(distance, alpha) * phaseScale * phase.getFlat(f);
            s.setFlat(f, ampScale * amp.getFlat(f) * Math.cos(2 * Math.PI * turns));
        }
        if (o.bias().isPresent()) {
            s = plus(s, o.bias().get());
        }
        Tensor zq = Tensor.zeros(q.dtype(), batch, heads, nq, 1), zk = Tensor.zeros(q.dtype(), batch, k.dim(1), nk, 1);
        return backend.attention(zq, zk, call.v(), o.toBuilder().scale(1.0).bias(s).build(), null);
    }

    private static int offset(AttentionCall call, String name) {
        int p = call.intParam(name, 0);
        if (p < 0) {
            throw new InvalidInputException("--opt " + name, "expected a position >= 0, got " + p);
        }
        return p;
    }

    /** Channels [from, to) of x [B, Hx, N, D] in float64, kv heads repeated to {@code heads} (head h reads h·Hx/heads). */
    private static Tensor channels(Tensor x, int from, int to, int heads) {
        int b = x.dim(0), hx = x.dim(1), n = x.dim(2), w = to - from;
        Tensor out = Tensor.zeros(DType.FLOAT64, b, heads, n, w);
        for (int z = 0; z < b; z++) {
            for (int h = 0; h < heads; h++) {
                for (int t = 0; t < n; t++) {
                    for (int e = 0; e < w; e++) {
                        out.set(x.get(z, h * hx / heads, t, from + e), z, h, t, e);
                    }
                }
            }
        }
        return out;
    }

    /** s + bias, the bias broadcast to s's shape [B, H, Nq, Nk]. */
    private static Tensor plus(Tensor s, Tensor bias) {
        int[] strides = Broadcast.strides("bias", bias.shape(), s.shape());
        int[] shape = s.shape();
        int[] index = new int[shape.length];
        for (int f = 0; f < s.size(); f++) {
            int ib = 0;
            for (int x = 0; x < shape.length; x++) {
                ib += index[x] * strides[x];
            }
            s.setFlat(f, s.getFlat(f) + bias.getFlat(ib));
            for (int x = shape.length - 1; x >= 0 && ++index[x] == shape[x]; x--) {
                index[x] = 0;
            }
        }
        return s;
    }
}

package org.attune.attention.core;

import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.BinaryOp;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.Broadcast;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;

/**
 * Attention scores [B, H, Nq, Nk] and how they become an output, for methods whose score is not the plain
 * scaled dot product and so cannot use {@link ComputeBackend#attention}:
 * <pre>
 *   α[b,h,i,:] = softmax_j( e[b,h,i,j] + bias[b,h,i,j]  |  mask[b,h,i,j] ∧ (¬causal ∨ j ≤ i) )
 *   out[b,h,i,:] = Σ_j α[b,h,i,j] · v[b, h / (H/Hkv), j, :]
 * </pre>
 * with the semantics of {@link AttentionOptions}: mask and bias broadcast to [B, H, Nq, Nk], true = may
 * attend, a fully masked row gives α = 0 and a zero output row. Grouped kv heads are read without copying
 * by folding the group into the query axis: [B, H, Nq, ·] = [B, Hkv, G·Nq, ·].
 */
final class AttentionScores {
    private AttentionScores() {
    }

    /** e = scale · q kᵀ, q [B, H, Nq, D], k [B, Hkv, Nk, D] → [B, H, Nq, Nk]. */
    static Tensor dot(Tensor q, Tensor k, double scale, ComputeBackend backend) {
        int b = q.dim(0), h = q.dim(1), nq = q.dim(2), hkv = k.dim(1), nk = k.dim(2);
        Tensor grouped = q.reshape(b, hkv, h / hkv * nq, q.dim(3));
        Tensor e = backend.matmul(grouped, k, false, true, null).reshape(b, h, nq, nk);
        return scaled(e, scale, backend);
    }

    /** scale · e; e itself when the scale is 1. */
    static Tensor scaled(Tensor e, double scale, ComputeBackend backend) {
        return scale == 1 ? e : backend.binary(BinaryOp.MUL, e, Tensor.scalar(e.dtype(), scale), null);
    }

    /** e + bias, when the options hold a bias (either float type). */
    static Tensor biased(Tensor e, AttentionOptions o, ComputeBackend backend) {
        if (o.bias().isEmpty()) {
            return e;
        }
        Tensor bias = o.bias().get();
        bias.requireDType("bias", DType.FLOAT32, DType.FLOAT64);
        Broadcast.strides("bias", bias.shape(), e.shape());
        return backend.binary(BinaryOp.ADD, e, bias.dtype() == e.dtype() ? bias : bias.to(e.dtype()), null);
    }

    /** α: the softmax of e over the keys allowed by mask and causal. */
    static Tensor weights(Tensor e, AttentionOptions o, ComputeBackend backend) {
        return backend.softmax(e, -1, allowed(e.shape(), o), null);
    }

    /** Σ_j α[b,h,i,j] v[b,g,j,:], α [B, H, Nq, Nk], v [B, Hkv, Nk, Dv] → [B, H, Nq, Dv]. */
    static Tensor values(Tensor alpha, Tensor v, ComputeBackend backend) {
        int b = alpha.dim(0), h = alpha.dim(1), nq = alpha.dim(2), hkv = v.dim(1);
        Tensor grouped = alpha.reshape(b, hkv, h / hkv * nq, alpha.dim(3));
        return backend.matmul(grouped, v, false, false, null).reshape(b, h, nq, v.dim(3));
    }

    /**
     * Rejects the options these scores do not compute (window, ALiBi slopes, soft cap, sinks), naming each, for
     * methods that build their own scores instead of calling {@link ComputeBackend#attention}.
     *
     * @param method the method's id, for messages
     */
    static void rejectUndefined(AttentionOptions o, String method) {
        if (o.windowLeft().isPresent() || o.windowRight().isPresent()) {
            throw new InvalidInputException("window", "not defined for " + method + "; pass none, or a mask");
        }
        if (o.alibiSlopes().isPresent()) {
            throw new InvalidInputException("alibiSlopes", "not defined for " + method + "; pass none");
        }
        if (o.softCap().isPresent()) {
            throw new InvalidInputException("softCap", "not defined for " + method + "; pass none");
        }
        if (o.sinks().isPresent()) {
            throw new InvalidInputException("sinks", "not defined for " + method + "; pass none");
        }
    }

    /** mask ∧ causal as one boolean tensor broadcastable to {@code shape} [B, H, Nq, Nk], or null for neither. */
    static Tensor allowed(int[] shape, AttentionOptions o) {
        int nq = shape[2];
        int nk = shape[3];
        if (o.mask().isEmpty()) {
            return o.causal() ? lowerTriangle(nq, nk) : null;
        }
        Tensor mask = o.mask().get();
        mask.requireDType("mask", DType.BOOL);
        int[] strides = Broadcast.strides("mask", mask.shape(), shape);
        if (!o.causal()) {
            return mask;
        }
        boolean[] from = mask.booleanData();
        boolean[] to = new boolean[shape[0] * shape[1] * nq * nk];
        int f = 0;
        for (int b = 0; b < shape[0]; b++) {
            for (int h = 0; h < shape[1]; h++) {
                for (int i = 0; i < nq; i++) {
                    for (int j = 0; j < nk; j++, f++) {
                        to[f] = j <= i && from[mask.offset() + b * strides[0] + h * strides[1] + i * strides[2]
                            + j * strides[3]];
                    }
                }
            }
        }
        return Tensor.of(to, shape);
    }

    private static Tensor lowerTriangle(int nq, int nk) {
        boolean[] t = new boolean[nq * nk];
        for (int i = 0; i < nq; i++) {
            for (int j = 0; j <= i && j < nk; j++) {
                t[i * nk + j] = true;
            }
        }
        return Tensor.of(t, nq, nk);
    }
}

package org.attune.api.backend;

import org.attune.api.tensor.Broadcast;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;

/**
 * The validated sizes of one {@link ComputeBackend#attention} call, shared by all backends so that they
 * accept and reject exactly the same inputs with the same messages.
 *
 * @param batch       B
 * @param queryHeads  Hq
 * @param kvHeads     Hkv, dividing Hq
 * @param nq          query length
 * @param nk          key length
 * @param d           query/key head dimension
 * @param dv          value head dimension
 * @param scale       the logit scale in effect
 * @param maskStrides strides reading the mask as [B, Hq, Nq, Nk] (0 on broadcast axes), or null
 * @param biasStrides strides reading the bias as [B, Hq, Nq, Nk], or null
 */
public record AttentionProblem(int batch, int queryHeads, int kvHeads, int nq, int nk, int d, int dv, double scale,
                               int[] maskStrides, int[] biasStrides) {

    /** Query heads per KV head, Hq / Hkv. */
    public int groupSize() {
        return queryHeads / kvHeads;
    }

    /** Output shape [B, Hq, Nq, Dv]. */
    public int[] outputShape() {
        return new int[] {batch, queryHeads, nq, dv};
    }

    /** 4·B·Hq·Nq·Nk·D FLOP of the two products, the usual attention FLOP count (non-causal). */
    public double flops() {
        return 2.0 * batch * queryHeads * nq * (double) nk * (d + dv);
    }

    /**
     * Validates the inputs of an attention call.
     *
     * @throws InvalidInputException naming the argument and the expected shape
     */
    public static AttentionProblem of(Tensor q, Tensor k, Tensor v, AttentionOptions o, Tensor out) {
        q.requireShape("q", "[batch, heads, seq_q, dim]", -1, -1, -1, -1);
        k.requireShape("k", "[batch, kv_heads, seq_k, dim] (rank 4)", -1, -1, -1, -1);
        v.requireShape("v", "[batch, kv_heads, seq_k, dim_v] (rank 4)", -1, -1, -1, -1);
        q.requireDType("q", DType.FLOAT32, DType.FLOAT64);
        int b = q.dim(0), hq = q.dim(1), nq = q.dim(2), d = q.dim(3);
        k.requireShape("k", "[" + b + ", kv_heads, seq_k, " + d + "] (batch and dim of q)", b, -1, -1, d);
        int hkv = k.dim(1), nk = k.dim(2);
        v.requireShape("v", "[" + b + ", " + hkv + ", " + nk + ", dim_v] (batch, heads and length of k)", b, hkv, nk, -1);
        if (hkv == 0 || hq % hkv != 0) {
            throw new InvalidInputException("k", "kv_heads = " + hkv + " must divide the query heads " + hq
                + " (grouped-query attention)");
        }
        if (k.dtype() != q.dtype() || v.dtype() != q.dtype()) {
            throw new InvalidInputException("k", "q, k and v must share one dtype, got q " + q.dtype() + ", k "
                + k.dtype() + ", v " + v.dtype());
        }
        int[] full = {b, hq, nq, nk};
        int[] maskStrides = null;
        if (o.mask().isPresent()) {
            Tensor m = o.mask().get();
            m.requireDType("mask", DType.BOOL);
            maskStrides = Broadcast.strides("mask", m.shape(), full);
        }
        int[] biasStrides = null;
        if (o.bias().isPresent()) {
            Tensor bias = o.bias().get();
            bias.requireDType("bias", DType.FLOAT32, DType.FLOAT64);
            biasStrides = Broadcast.strides("bias", bias.shape(), full);
        }
        if (o.windowLeft().orElse(0) < 0 || o.windowRight().orElse(0) < 0) {
            throw new InvalidInputException("window", "widths >= 0, got left " + o.windowLeft() + ", right "
                + o.windowRight());
        }
        if (o.softCap().isPresent() && !(o.softCap().getAsDouble() > 0 && Double.isFinite(o.softCap().getAsDouble()))) {
            throw new InvalidInputException("softCap", "a finite cap > 0, got " + o.softCap().getAsDouble());
        }
        if (o.alibiSlopes().isPresent()) {
            o.alibiSlopes().get().requireShape("alibiSlopes", "[" + hq + "] (one slope per query head)", hq)
                .requireDType("alibiSlopes", DType.FLOAT32, DType.FLOAT64);
        }
        if (o.sinks().isPresent()) {
            o.sinks().get().requireShape("sinks", "[" + hq + "] (one sink logit per query head)", hq)
                .requireDType("sinks", DType.FLOAT32, DType.FLOAT64);
        }
        AttentionProblem p = new AttentionProblem(b, hq, hkv, nq, nk, d, v.dim(3), o.scaleFor(d), maskStrides,
            biasStrides);
        if (out != null) {
            out.requireShape("out", Tensor.format(p.outputShape()), p.outputShape());
            out.requireDType("out", q.dtype());
        }
        return p;
    }

    /** Shape of the log-sum-exp output, [B, Hq, Nq]. */
    public int[] lseShape() {
        return new int[] {batch, queryHeads, nq};
    }
}

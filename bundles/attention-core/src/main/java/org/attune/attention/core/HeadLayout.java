package org.attune.attention.core;

import org.attune.api.attention.AttentionCall;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;

/**
 * The head layout of an attention call, and the moves between heads and token embeddings.
 * <pre>
 *   q [B, H, Nq, Dq],  k [B, Hkv, Nk, Dk],  v [B, Hkv, Nk, Dv],  Hkv divides H, query head h reads kv head h / (H / Hkv)
 *   merge: x[b, s, h·D + e] = t[b, h, s, e]      ([B, H, S, D] → [B, S, H·D], a token's heads concatenated)
 *   split: the inverse, [B, S, E] → [B, heads, S, E / heads]
 * </pre>
 *
 * @param batch   B
 * @param heads   H, the query heads
 * @param kvHeads Hkv, the key/value heads
 * @param nq      query length
 * @param nk      key length
 * @param dq      query head dimension
 * @param dk      key head dimension (may differ from dq where the score allows)
 * @param dv      value head dimension
 * @param dtype   the shared float element type
 */
record HeadLayout(int batch, int heads, int kvHeads, int nq, int nk, int dq, int dk, int dv, DType dtype) {

    /** Query heads per kv head. */
    int groupSize() {
        return heads / kvHeads;
    }

    /**
     * Validates q, k and v of a call whose score allows a key dimension other than the query's.
     *
     * @throws InvalidInputException naming the argument and the expected shape
     */
    static HeadLayout of(AttentionCall call) {
        Tensor q = call.q();
        Tensor k = call.k();
        Tensor v = call.v();
        q.requireShape("q", "[batch, heads, seq_q, dim]", -1, -1, -1, -1);
        q.requireDType("q", DType.FLOAT32, DType.FLOAT64);
        int b = q.dim(0);
        int h = q.dim(1);
        k.requireShape("k", "[" + b + ", kv_heads, seq_k, dim_k] (rank 4, the batch of q)", b, -1, -1, -1);
        int hkv = k.dim(1);
        int nk = k.dim(2);
        v.requireShape("v", "[" + b + ", " + hkv + ", " + nk + ", dim_v] (batch, heads and length of k)", b, hkv, nk, -1);
        if (hkv == 0 || h % hkv != 0) {
            throw new InvalidInputException("k", "kv_heads = " + hkv + " must divide the query heads " + h);
        }
        sameType("k", k, q.dtype());
        sameType("v", v, q.dtype());
        return new HeadLayout(b, h, hkv, q.dim(2), nk, q.dim(3), k.dim(3), v.dim(3), q.dtype());
    }

    /** Throws unless {@code t} has element type {@code dtype}, naming the argument. */
    static void sameType(String argument, Tensor t, DType dtype) {
        if (t.dtype() != dtype) {
            throw new InvalidInputException(argument, "expected dtype " + dtype.shortName() + " (the type of q), got "
                + t.dtype().shortName());
        }
    }

    /** [B, H, S, D] → [B, S, H·D]: each token's heads concatenated. */
    static Tensor merge(Tensor t) {
        int b = t.dim(0), h = t.dim(1), s = t.dim(2), d = t.dim(3);
        Tensor x = Tensor.zeros(t.dtype(), b, s, h * d);
        Object from = data(t);
        Object to = data(x);
        for (int bi = 0; bi < b; bi++) {
            for (int hi = 0; hi < h; hi++) {
                for (int si = 0; si < s; si++) {
                    System.arraycopy(from, t.offset() + ((bi * h + hi) * s + si) * d, to, (bi * s + si) * h * d + hi * d, d);
                }
            }
        }
        return x;
    }

    /** [B, S, E] → [B, heads, S, E / heads], the inverse of {@link #merge}; heads divides E. */
    static Tensor split(Tensor x, int heads) {
        int b = x.dim(0), s = x.dim(1), e = x.dim(2), d = e / heads;
        Tensor t = Tensor.zeros(x.dtype(), b, heads, s, d);
        Object from = data(x);
        Object to = data(t);
        for (int bi = 0; bi < b; bi++) {
            for (int hi = 0; hi < heads; hi++) {
                for (int si = 0; si < s; si++) {
                    System.arraycopy(from, x.offset() + (bi * s + si) * e + hi * d, to, ((bi * heads + hi) * s + si) * d, d);
                }
            }
        }
        return t;
    }

    private static Object data(Tensor t) {
        return t.dtype() == DType.FLOAT32 ? t.floatData() : t.doubleData();
    }
}

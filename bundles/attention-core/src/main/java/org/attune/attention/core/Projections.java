package org.attune.attention.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.attune.api.attention.AttentionCall;
import org.attune.api.backend.BinaryOp;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;

/**
 * The input and output projections of multi-head attention (Vaswani et al., arXiv:1706.03762, §3.2.2),
 * applied to token embeddings as {@code y = x W + b}:
 * <pre>
 *   W_q [Eq, E],  W_k [Ek, Hkv·Dh],  W_v [Ev, Hkv·Dh],  W_o [E, E],   Dh = E / heads
 *   b_q [E], b_k [Hkv·Dh], b_v [Hkv·Dh], b_o [E]   (optional files bq, bk, bv, bo; zero when seeded)
 * </pre>
 * Sources ({@link WeightSource}): files {@code wq.npy, wk.npy, wv.npy, wo.npy} under {@code weights=DIR}, or
 * {@link SeededWeights} drawn in the order wq, wk, wv, wo. Seeded sets are cached per (seed, shapes), a few
 * at a time, and shared by all threads; they are never modified.
 */
final class Projections {
    private static final int CACHED = 8;
    private static final Map<Key, Projections> SEEDED = Collections.synchronizedMap(
        new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Projections> eldest) {
                return size() > CACHED;
            }
        });

    final Tensor wq;
    final Tensor wk;
    final Tensor wv;
    final Tensor wo;
    final Tensor bq;
    final Tensor bk;
    final Tensor bv;
    final Tensor bo;
    private volatile Projections float32;

    private Projections(Tensor wq, Tensor wk, Tensor wv, Tensor wo, Tensor bq, Tensor bk, Tensor bv, Tensor bo) {
        this.wq = wq;
        this.wk = wk;
        this.wv = wv;
        this.wo = wo;
        this.bq = bq;
        this.bk = bk;
        this.bv = bv;
        this.bo = bo;
    }

    /**
     * The projections a call's options name, in {@code dtype}.
     *
     * @param eq      query embedding width Eq
     * @param ek      key embedding width Ek
     * @param ev      value embedding width Ev
     * @param width   attention width E = heads · Dh (also the output width)
     * @param kvWidth key/value width Hkv · Dh
     */
    static Projections forCall(AttentionCall call, int eq, int ek, int ev, int width, int kvWidth, DType dtype) {
        WeightSource source = WeightSource.of(call);
        Projections p = source instanceof SeededWeights
            ? SEEDED.computeIfAbsent(new Key(call.longParam(WeightSource.SEED, 0), eq, ek, ev, width, kvWidth),
                key -> from(source, eq, ek, ev, width, kvWidth))
            : from(source, eq, ek, ev, width, kvWidth);
        return p.in(dtype);
    }

    /** Draws or reads wq, wk, wv, wo (in that order), then the optional biases. */
    static Projections from(WeightSource w, int eq, int ek, int ev, int width, int kvWidth) {
        Tensor wq = w.matrix("wq", eq, width);
        Tensor wk = w.matrix("wk", ek, kvWidth);
        Tensor wv = w.matrix("wv", ev, kvWidth);
        Tensor wo = w.matrix("wo", width, width);
        return new Projections(wq, wk, wv, wo, w.bias("bq", width), w.bias("bk", kvWidth), w.bias("bv", kvWidth),
            w.bias("bo", width));
    }

    /** These projections in {@code dtype} (float64 is the master copy; float32 is converted once). */
    Projections in(DType dtype) {
        if (dtype == wq.dtype()) {
            return this;
        }
        Projections p = float32;
        if (p == null) {
            p = new Projections(wq.to(dtype), wk.to(dtype), wv.to(dtype), wo.to(dtype), to(bq, dtype), to(bk, dtype),
                to(bv, dtype), to(bo, dtype));
            float32 = p;
        }
        return p;
    }

    /** Q = x W_q + b_q for x [B, S, Eq]. */
    Tensor query(Tensor x, ComputeBackend backend) {
        return affine(x, wq, bq, backend);
    }

    /** K = x W_k + b_k for x [B, S, Ek]. */
    Tensor key(Tensor x, ComputeBackend backend) {
        return affine(x, wk, bk, backend);
    }

    /** V = x W_v + b_v for x [B, S, Ev]. */
    Tensor value(Tensor x, ComputeBackend backend) {
        return affine(x, wv, bv, backend);
    }

    /** Y = x W_o + b_o for x [B, S, E]. */
    Tensor output(Tensor x, ComputeBackend backend) {
        return affine(x, wo, bo, backend);
    }

    private static Tensor affine(Tensor x, Tensor w, Tensor b, ComputeBackend backend) {
        Tensor y = backend.matmul(x, w, false, false, null);
        return b == null ? y : backend.binary(BinaryOp.ADD, y, b, null);
    }

    private static Tensor to(Tensor t, DType dtype) {
        return t == null ? null : t.to(dtype);
    }

    private record Key(long seed, int eq, int ek, int ev, int width, int kvWidth) {
    }
}

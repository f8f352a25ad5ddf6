package org.attune.attention.core;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

import org.attune.api.attention.AttentionCall;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Npy;
import org.attune.api.tensor.Tensor;

/**
 * The token stream that queries and keys are projected from when it is not the hidden state whose projection
 * gives the values: the frame of the RndEmbQK, FixedSeqQK and StaticEmbQK variants of Xue, Moosavi and Aletras,
 * "Deconstructing Attention: Investigating Design Principles for Effective Language Modeling", arXiv:2510.11602,
 * §3.4 eqs. (9)–(12) and §3.5 eq. (13):
 * <pre>
 *   Q = split(X_q W_q, heads),  K = split(X_k W_k, heads),  V = split(x_v W_v, heads)
 *   out = split(merge(softmax(scale · Q Kᵀ + bias | mask ∧ causal) V) W_o, H)
 *   X_q = X[:, 0 … Nq−1, :],  X_k = X[:, 0 … Nk−1, :]
 * </pre>
 * X is [Bs, N, Es]: row i is the stream at token position i (the positions the top-left causal mask counts), so
 * N ≥ max(Nq, Nk); Bs = 1 is one stream for every sequence of the batch, Bs = B one per sequence. x_v = merge(v)
 * [B, Nk, Ev] is the hidden state; q and k give only the query and key lengths (and E = H·D of q). W_q, W_k
 * [Es, E], W_v [Ev, E], W_o [E, E] are {@link Projections} (files wq, wk, wv, wo and optional biases under
 * {@code weights=DIR}, or drawn from {@code seed} in the order wq, wk, wv, wo, as for {@code mha}), so with
 * X = merge(q) and k = q the frame is exactly {@link MultiHeadAttention}. The attention of the projected heads is
 * the backend's, so every attention option applies as for {@code sdpa}; default scale 1/√(E/heads).
 */
final class QueryKeyStream {
    /** Option: the .npy file holding the stream X. */
    static final String STREAM = "stream";
    private static final String OPTION = "--opt " + STREAM;

    /** X [Bs, N, Es], float64. */
    private final Tensor x;

    private QueryKeyStream(Tensor x) {
        this.x = x;
    }

    /**
     * The stream in the file of option {@code stream}: [B, N, Es], or also [N, Es] (one stream for the batch)
     * when {@code shared}.
     *
     * @throws InvalidInputException naming {@code --opt stream} when it is absent, unreadable or misshapen
     */
    static QueryKeyStream read(AttentionCall call, boolean shared) {
        String file = call.param(STREAM, null);
        String expected = shared ? "[N, Es] or [1, N, Es]" : "[batch, N, Es]";
        if (file == null) {
            throw new InvalidInputException(OPTION, "required: a .npy file holding the stream " + expected);
        }
        Tensor t;
        try {
            t = Npy.read(Path.of(file));
        } catch (IOException e) {
            throw new InvalidInputException(OPTION, "cannot read " + file + ": " + e.getMessage());
        } catch (InvalidInputException e) {
            throw new InvalidInputException(OPTION, e.getMessage());
        }
        if (!t.dtype().isFloating()) {
            throw new InvalidInputException(OPTION, file + ": expected dtype f32 or f64, got " + t.dtype().shortName());
        }
        if (shared && t.rank() == 2) {
            t = t.reshape(1, t.dim(0), t.dim(1));
        }
        if (t.rank() != 3 || shared && t.dim(0) != 1) {
            throw InvalidInputException.shape(OPTION, expected + " (" + file + ")", t.shape());
        }
        return new QueryKeyStream(t.to(DType.FLOAT64));
    }

    /**
     * A stream of n positions of width e drawn from N(0, σ²): σ · {@code SplittableRandom(seed).nextGaussian()},
     * row-major, so a longer draw extends a shorter one.
     */
    static QueryKeyStream gaussian(long seed, double sigma, int n, int e) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] d = new double[n * e];
        for (int i = 0; i < d.length; i++) {
            d[i] = sigma * random.nextGaussian();
        }
        return new QueryKeyStream(Tensor.of(d, 1, n, e));
    }

    /** Runs the frame of the class comment on a call. */
    Tensor attend(AttentionCall call, ComputeBackend backend) {
        ProjectedAttention.Embedded e = ProjectedAttention.embed(call, false);
        int b = e.xq().dim(0);
        int nq = e.xq().dim(1);
        int nk = e.xv().dim(1);
        if (x.dim(0) != 1 && x.dim(0) != b) {
            throw InvalidInputException.shape(OPTION, "[" + b + ", N, Es] (the batch of q)", x.shape());
        }
        if (x.dim(1) < Math.max(nq, nk)) {
            throw InvalidInputException.shape(OPTION, "[" + x.dim(0) + ", N ≥ " + Math.max(nq, nk)
                + " (a row per query and key position), Es]", x.shape());
        }
        DType dtype = e.xq().dtype();
        int width = e.width();
        int es = x.dim(2);
        Projections w = Projections.forCall(call, es, es, e.xv().dim(2), width, width, dtype);
        int heads = e.heads();
        Tensor qh = HeadLayout.split(w.query(rows(nq, b, dtype), backend), heads);
        Tensor kh = HeadLayout.split(w.key(rows(nk, b, dtype), backend), heads);
        Tensor vh = HeadLayout.split(w.value(e.xv(), backend), heads);
        Tensor o = backend.attention(qh, kh, vh, call.options(), null);
        return HeadLayout.split(w.output(HeadLayout.merge(o), backend), call.q().dim(1));
    }

    /** X[:, 0 … n−1, :] for each of the b sequences, [b, n, Es] in {@code dtype}. */
    private Tensor rows(int n, int b, DType dtype) {
        Tensor t = Tensor.zeros(dtype, b, n, x.dim(2));
        for (int bi = 0; bi < b; bi++) {
            t.select(bi).copyFrom(x.select(x.dim(0) == 1 ? 0 : bi).slice(0, n));
        }
        return t;
    }
}

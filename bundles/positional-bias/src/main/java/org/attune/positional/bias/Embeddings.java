package org.attune.positional.bias;

import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;

/**
 * Absolute encodings added to token embeddings. A tensor [B, H, N, D] holds, for each token, its embedding of
 * width E = H·D split into heads (x[b, n, h·D + e] = t[b, h, n, e], the layout of attention-core); the encoding
 * of position p is a vector PE(p) of width E, so t'[b, h, n, e] = t[b, h, n, e] + PE(offset + n)[h·D + e].
 * Queries and keys with different head counts get encodings of their own widths.
 */
final class Embeddings {
    private Embeddings() {
    }

    /** PE(p)[c] for channel c of an embedding of width E. */
    @FunctionalInterface
    interface Table {
        double value(long position, int channel, int width);
    }

    /** x + PE, token n at position {@code offset + n}; a new tensor of x's shape and element type. */
    static Tensor add(Tensor x, int offset, Table pe) {
        int h = x.dim(1), n = x.dim(2), d = x.dim(3), width = h * d;
        Tensor out = Tensor.zeros(x.dtype(), x.shape());
        for (int b = 0; b < x.dim(0); b++) {
            for (int a = 0; a < h; a++) {
                for (int t = 0; t < n; t++) {
                    int row = ((b * h + a) * n + t) * d;
                    for (int e = 0; e < d; e++) {
                        out.setFlat(row + e, x.getFlat(row + e) + pe.value((long) offset + t, a * d + e, width));
                    }
                }
            }
        }
        return out;
    }

    /** Checks that q and k are [B, H, N, D] with the batch and head dimension of q. */
    static void requireTokens(Tensor q, Tensor k) {
        if (q == null || k == null) {
            throw new InvalidInputException("q", "expected queries and keys [batch, heads, seq, dim]");
        }
        q.requireShape("q", "[batch, heads, seq, dim]", -1, -1, -1, -1);
        k.requireShape("k", "[batch, heads, seq, dim] with the batch and dim of q", q.dim(0), -1, -1, q.dim(3));
    }

    /**
     * Checks the tokens as {@link #requireTokens} does and that k has the embedding width of q (encodings whose one
     * table serves both); returns that width E = H·D.
     */
    static int sharedWidth(Tensor q, Tensor k) {
        requireTokens(q, k);
        int width = q.dim(1) * q.dim(3);
        if (k.dim(1) * k.dim(3) != width) {
            throw new InvalidInputException("k", "expected the embedding width of q, heads*dim = " + width + ", got "
                + k.dim(1) * k.dim(3));
        }
        return width;
    }

    /** Checks that the embedding width H·D of q and of k is divisible by {@code multiple}. */
    static void requireWidth(Tensor q, Tensor k, int multiple) {
        for (Tensor t : new Tensor[] {q, k}) {
            if (t.dim(1) * t.dim(3) % multiple != 0) {
                throw new InvalidInputException(t == q ? "q" : "k", "expected an embedding width heads*dim divisible by "
                    + multiple + ", got " + t.dim(1) * t.dim(3));
            }
        }
    }
}

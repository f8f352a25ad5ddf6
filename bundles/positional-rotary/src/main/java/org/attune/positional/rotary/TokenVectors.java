package org.attune.positional.rotary;

import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;

/**
 * The token vectors of a tensor [B, H, N, D] visited one at a time in float64: each is copied out, transformed
 * in place with its absolute position (offset + token index), and written to a new tensor of the same shape and
 * element type. The input is not modified.
 */
final class TokenVectors {
    private TokenVectors() {
    }

    /** A transformation of one token vector at one position. */
    @FunctionalInterface
    interface Map {
        void apply(double[] v, long position);
    }

    /** The result of {@code f} on every token of {@code x}; token n sits at {@code offset + n}. */
    static Tensor map(Tensor x, int offset, Map f) {
        int d = x.dim(3), n = x.dim(2);
        Tensor out = Tensor.zeros(x.dtype(), x.shape());
        double[] v = new double[d];
        for (int row = 0, rows = x.dim(0) * x.dim(1) * n; row < rows; row++) {
            for (int e = 0; e < d; e++) {
                v[e] = x.getFlat(row * d + e);
            }
            f.apply(v, (long) offset + row % n);
            for (int e = 0; e < d; e++) {
                out.setFlat(row * d + e, v[e]);
            }
        }
        return out;
    }

    /** Checks that q and k are [B, H, N, D] with the same D divisible by {@code multiple}. */
    static void requireDims(Tensor q, Tensor k, int multiple) {
        q.requireShape("q", "[batch, heads, seq, dim]", -1, -1, -1, -1);
        k.requireShape("k", "[batch, heads, seq, dim] with the batch and dim of q", q.dim(0), -1, -1, q.dim(3));
        if (q.dim(3) % multiple != 0) {
            throw new InvalidInputException("q", "expected a head dimension divisible by " + multiple + ", got "
                + q.dim(3));
        }
    }
}

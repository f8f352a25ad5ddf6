package org.attune.positional.bias;

import org.attune.api.position.PositionalCall;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;

/**
 * Logit biases that depend on positions only: b [H, Nq, Nk] (float64) with b[h, i, j] = f(h, pᵢ, pⱼ), query i at
 * pᵢ = queryOffset + i and key j at pⱼ = keyOffset + j. The attention adds b to its scaled logits, broadcast over
 * the batch.
 */
final class BiasTables {
    private BiasTables() {
    }

    /** One entry of the bias. */
    @FunctionalInterface
    interface Entry {
        double value(int head, long queryPosition, long keyPosition);
    }

    /** The bias of a call: heads, lengths and offsets from q and k when present, else from the call's sizes. */
    static Tensor of(PositionalCall call, Entry f) {
        int heads = call.q() != null ? call.q().dim(1) : call.heads();
        int nq = call.q() != null ? call.q().dim(2) : call.nq();
        int nk = call.k() != null ? call.k().dim(2) : call.nk();
        if (heads < 1) {
            throw new InvalidInputException("--heads", "expected an integer >= 1, got " + heads);
        }
        Tensor b = Tensor.zeros(DType.FLOAT64, heads, nq, nk);
        int flat = 0;
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < nq; i++) {
                for (int j = 0; j < nk; j++) {
                    b.setFlat(flat++, f.value(h, (long) call.queryOffset() + i, (long) call.keyOffset() + j));
                }
            }
        }
        return b;
    }
}

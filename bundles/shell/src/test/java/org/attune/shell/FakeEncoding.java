package org.attune.shell;

import java.util.function.BiFunction;

import org.attune.api.backend.ComputeBackend;
import org.attune.api.position.EncodingForm;
import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.PositionalResult;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;

/** A positional encoding of a given form computing {@code f}; records the last call. */
final class FakeEncoding implements PositionalEncoding {
    private final EncodingForm form;
    private final BiFunction<PositionalCall, ComputeBackend, PositionalResult> f;
    PositionalCall lastCall;

    FakeEncoding(EncodingForm form, BiFunction<PositionalCall, ComputeBackend, PositionalResult> f) {
        this.form = form;
        this.f = f;
    }

    /** Rotary form that doubles q and leaves k: logits double, whatever the positions. */
    static FakeEncoding doubling() {
        return new FakeEncoding(EncodingForm.ROTARY, (c, b) -> {
            Tensor q = c.q().copy();
            for (int i = 0; i < q.size(); i++) {
                q.setFlat(i, 2 * q.getFlat(i));
            }
            return PositionalResult.tokens(q, c.k().copy());
        });
    }

    /** Rotary form leaving q and k, with value transform v ↦ −v and output transform o ↦ 3·o (since API 2.1). */
    static FakeEncoding negatingValues() {
        return new FakeEncoding(EncodingForm.ROTARY, (c, b) -> PositionalResult.tokens(c.q().copy(), c.k().copy(),
            v -> scaled(v, -1), o -> scaled(o, 3)));
    }

    private static Tensor scaled(Tensor x, double factor) {
        Tensor y = x.copy();
        for (int i = 0; i < y.size(); i++) {
            y.setFlat(i, factor * y.getFlat(i));
        }
        return y;
    }

    /** Bias form b[h, i, j] = −(h + 1)·(pᵢ − pⱼ): relative, not symmetric. */
    static FakeEncoding tilt() {
        return new FakeEncoding(EncodingForm.BIAS, (c, b) -> {
            int heads = c.q() != null ? c.q().dim(1) : c.heads();
            int nq = c.q() != null ? c.q().dim(2) : c.nq(), nk = c.k() != null ? c.k().dim(2) : c.nk();
            Tensor bias = Tensor.zeros(DType.FLOAT64, heads, nq, nk);
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < nq; i++) {
                    for (int j = 0; j < nk; j++) {
                        bias.set(-(h + 1.0) * ((c.queryOffset() + i) - (c.keyOffset() + j)), h, i, j);
                    }
                }
            }
            return PositionalResult.bias(bias);
        });
    }

    @Override
    public EncodingForm form() {
        return form;
    }

    @Override
    public PositionalResult encode(PositionalCall call, ComputeBackend backend) {
        lastCall = call;
        return f.apply(call, backend);
    }
}

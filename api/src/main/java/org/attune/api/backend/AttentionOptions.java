package org.attune.api.backend;

import java.util.Optional;
import java.util.OptionalDouble;

import org.attune.api.tensor.Tensor;

/**
 * Options of scaled dot-product attention ({@link ComputeBackend#attention}), immutable; build with
 * {@link #builder()}.
 *
 * <ul>
 * <li><b>scale</b>: multiplies the logits; default {@code 1/√d} with d the query/key head dimension.</li>
 * <li><b>causal</b>: query i attends to keys j ≤ i (top-left aligned, as PyTorch's {@code is_causal}).</li>
 * <li><b>mask</b>: a boolean tensor broadcastable to [batch, heads, nq, nk]; {@code true} = may attend
 * (the PyTorch convention). Combined with causal by logical and.</li>
 * <li><b>bias</b>: a float tensor broadcastable to [batch, heads, nq, nk], added to the scaled logits.</li>
 * </ul>
 * A query row whose keys are all masked out produces a zero output row (and a log-sum-exp of −∞): a
 * documented, finite result, as FlashAttention does, where a naive softmax would give NaN.
 */
public final class AttentionOptions {
    private static final AttentionOptions DEFAULTS = new Builder().build();

    private final Double scale;
    private final boolean causal;
    private final Tensor mask;
    private final Tensor bias;

    private AttentionOptions(Builder b) {
        this.scale = b.scale;
        this.causal = b.causal;
        this.mask = b.mask;
        this.bias = b.bias;
    }

    /** No mask, no bias, not causal, default scale. */
    public static AttentionOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options, to change some of them. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.scale = scale;
        b.causal = causal;
        b.mask = mask;
        b.bias = bias;
        return b;
    }

    /** The explicit scale, if one was set. */
    public OptionalDouble scale() {
        return scale == null ? OptionalDouble.empty() : OptionalDouble.of(scale);
    }

    /** The scale to use for head dimension {@code d}: the explicit one or {@code 1/√d}. */
    public double scaleFor(int d) {
        return scale != null ? scale : 1.0 / Math.sqrt(d);
    }

    public boolean causal() {
        return causal;
    }

    public Optional<Tensor> mask() {
        return Optional.ofNullable(mask);
    }

    public Optional<Tensor> bias() {
        return Optional.ofNullable(bias);
    }

    @Override
    public String toString() {
        return "AttentionOptions[scale=" + (scale == null ? "1/sqrt(d)" : scale) + ", causal=" + causal
            + ", mask=" + mask + ", bias=" + bias + "]";
    }

    /** Builds {@link AttentionOptions}. */
    public static final class Builder {
        private Double scale;
        private boolean causal;
        private Tensor mask;
        private Tensor bias;

        private Builder() {
        }

        /** Logit scale; {@code null} restores the default {@code 1/√d}. */
        public Builder scale(Double scale) {
            this.scale = scale;
            return this;
        }

        public Builder causal(boolean causal) {
            this.causal = causal;
            return this;
        }

        /** Boolean mask broadcastable to [batch, heads, nq, nk], true = may attend; {@code null} for none. */
        public Builder mask(Tensor mask) {
            this.mask = mask;
            return this;
        }

        /** Additive bias broadcastable to [batch, heads, nq, nk]; {@code null} for none. */
        public Builder bias(Tensor bias) {
            this.bias = bias;
            return this;
        }

        public AttentionOptions build() {
            return new AttentionOptions(this);
        }
    }
}

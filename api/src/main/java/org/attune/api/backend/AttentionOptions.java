package org.attune.api.backend;

import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

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
 * <li><b>window</b> (left, right): sliding-window (local) attention, query i attends to keys j with
 * {@code i − left ≤ j ≤ i + right} (Beltagy et al., "Longformer", arXiv:2004.05150; Mistral's window is
 * {@code left = W − 1, right = 0} with causal). Either width may be unbounded. Combined with causal and mask by
 * logical and.</li>
 * <li><b>alibiSlopes</b>: per-query-head slopes m_h, a float tensor of shape [heads]; adds
 * {@code −m_h · |i − j|} to the logits (Press et al., "Train Short, Test Long: Attention with Linear Biases",
 * arXiv:2108.12409, eq. in §3: {@code softmax(q_i Kᵀ + m · [−(i−1), …, −1, 0])}, which this equals on the
 * causal keys j ≤ i; the symmetric |i − j| form extends it to non-causal attention).</li>
 * <li><b>softCap</b>: logit soft-capping with cap c &gt; 0: the scaled logit x = scale · q·k becomes
 * {@code c · tanh(x / c)} before bias, ALiBi and masks are applied (Gemma 2, arXiv:2408.00118, §2).</li>
 * <li><b>sinks</b>: learned per-head sink logits s_h, a float tensor of shape [heads]; the sink joins the
 * softmax's denominator and carries no value:
 * {@code out_i = Σ_j e^{S_ij − m} v_j / (e^{s_h − m} + Σ_j e^{S_ij − m})}, {@code m = max(s_h, max_j S_ij)}
 * (attention sinks, Xiao et al., "Efficient Streaming Language Models with Attention Sinks",
 * arXiv:2309.17453; the per-head learned form of gpt-oss).</li>
 * </ul>
 * The full logit is
 * <pre>
 *   S[b,h,i,j] = cap(scale · q[b,h,i,:]·k[b,g,j,:]) + bias[b,h,i,j] − m_h · |i − j|,    cap(x) = c·tanh(x/c) or x
 *   allowed(b,h,i,j) = mask[b,h,i,j] ∧ (¬causal ∨ j ≤ i) ∧ i − left ≤ j ≤ i + right
 * </pre>
 * and the log-sum-exp of a row ({@link ComputeBackend#attentionWithLse}) is
 * {@code lse_i = log(e^{s_h} + Σ_{j allowed} e^{S_ij})} (the sink term only with sinks).
 * A query row whose keys are all masked out produces a zero output row (and a log-sum-exp of −∞, or s_h with
 * sinks): a documented, finite result, as FlashAttention does, where a naive softmax would give NaN.
 */
public final class AttentionOptions {
    private static final AttentionOptions DEFAULTS = new Builder().build();

    private final Double scale;
    private final boolean causal;
    private final Tensor mask;
    private final Tensor bias;
    private final Integer windowLeft;
    private final Integer windowRight;
    private final Tensor alibiSlopes;
    private final Double softCap;
    private final Tensor sinks;

    private AttentionOptions(Builder b) {
        this.scale = b.scale;
        this.causal = b.causal;
        this.mask = b.mask;
        this.bias = b.bias;
        this.windowLeft = b.windowLeft;
        this.windowRight = b.windowRight;
        this.alibiSlopes = b.alibiSlopes;
        this.softCap = b.softCap;
        this.sinks = b.sinks;
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
        b.windowLeft = windowLeft;
        b.windowRight = windowRight;
        b.alibiSlopes = alibiSlopes;
        b.softCap = softCap;
        b.sinks = sinks;
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

    /** The left width of the sliding window (keys j ≥ i − left), if bounded. */
    public OptionalInt windowLeft() {
        return windowLeft == null ? OptionalInt.empty() : OptionalInt.of(windowLeft);
    }

    /** The right width of the sliding window (keys j ≤ i + right), if bounded. */
    public OptionalInt windowRight() {
        return windowRight == null ? OptionalInt.empty() : OptionalInt.of(windowRight);
    }

    /** ALiBi slopes [heads], if set. */
    public Optional<Tensor> alibiSlopes() {
        return Optional.ofNullable(alibiSlopes);
    }

    /** The soft-capping constant c, if set. */
    public OptionalDouble softCap() {
        return softCap == null ? OptionalDouble.empty() : OptionalDouble.of(softCap);
    }

    /** Sink logits [heads], if set. */
    public Optional<Tensor> sinks() {
        return Optional.ofNullable(sinks);
    }

    @Override
    public String toString() {
        return "AttentionOptions[scale=" + (scale == null ? "1/sqrt(d)" : scale) + ", causal=" + causal
            + ", mask=" + mask + ", bias=" + bias + ", window=(" + (windowLeft == null ? "inf" : windowLeft) + ", "
            + (windowRight == null ? "inf" : windowRight) + "), alibiSlopes=" + alibiSlopes + ", softCap="
            + (softCap == null ? "none" : softCap) + ", sinks=" + sinks + "]";
    }

    /** Builds {@link AttentionOptions}. */
    public static final class Builder {
        private Double scale;
        private boolean causal;
        private Tensor mask;
        private Tensor bias;
        private Integer windowLeft;
        private Integer windowRight;
        private Tensor alibiSlopes;
        private Double softCap;
        private Tensor sinks;

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

        /**
         * Sliding window: query i attends to keys {@code i − left ≤ j ≤ i + right}; {@code null} leaves a side
         * unbounded. Widths must be ≥ 0 (checked when the options are used).
         */
        public Builder window(Integer left, Integer right) {
            this.windowLeft = left;
            this.windowRight = right;
            return this;
        }

        /** ALiBi slopes, a float tensor [heads] (one per query head); {@code null} for none. */
        public Builder alibiSlopes(Tensor slopes) {
            this.alibiSlopes = slopes;
            return this;
        }

        /** Soft-capping constant c &gt; 0 (logit ↦ c·tanh(logit/c)); {@code null} for none. */
        public Builder softCap(Double cap) {
            this.softCap = cap;
            return this;
        }

        /** Sink logits, a float tensor [heads] (one per query head); {@code null} for none. */
        public Builder sinks(Tensor sinks) {
            this.sinks = sinks;
            return this;
        }

        public AttentionOptions build() {
            return new AttentionOptions(this);
        }
    }
}

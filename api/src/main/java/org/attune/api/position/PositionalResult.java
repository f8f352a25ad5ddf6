package org.attune.api.position;

import java.util.Optional;

import org.attune.api.tensor.Tensor;

/**
 * What a positional encoding produced: encoded queries and keys (absolute, rotary and conditional forms) or a
 * logit bias broadcastable to [B, H, Nq, Nk] (bias form). Absent parts are null.
 *
 * @param q    encoded queries, or null
 * @param k    encoded keys, or null
 * @param bias additive logit bias, or null
 */
public record PositionalResult(Tensor q, Tensor k, Tensor bias) {

    /** Encoded queries and keys. */
    public static PositionalResult tokens(Tensor q, Tensor k) {
        return new PositionalResult(q, k, null);
    }

    /** A logit bias. */
    public static PositionalResult bias(Tensor bias) {
        return new PositionalResult(null, null, bias);
    }

    public Optional<Tensor> encodedQ() {
        return Optional.ofNullable(q);
    }

    public Optional<Tensor> encodedK() {
        return Optional.ofNullable(k);
    }

    public Optional<Tensor> logitBias() {
        return Optional.ofNullable(bias);
    }
}

package org.attune.api.position;

import java.util.Optional;

import org.attune.api.tensor.Tensor;

/**
 * What a positional encoding produced: encoded queries and keys (token forms) and/or a logit bias
 * [heads, nq, nk] (bias form). Absent parts are null.
 */
public record PositionalResult(Tensor q, Tensor k, Tensor bias) {
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

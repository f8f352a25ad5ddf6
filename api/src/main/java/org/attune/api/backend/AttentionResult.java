package org.attune.api.backend;

import org.attune.api.tensor.Tensor;

/**
 * The result of {@link ComputeBackend#attentionWithLse}: the attention output [B, Hq, Nq, Dv] and the natural
 * log-sum-exp of each query row's logits [B, Hq, Nq] (−∞ for a fully masked row without a sink).
 *
 * @param output the attention output
 * @param lse    the log-sum-exp per query row
 * @since 1.1
 */
public record AttentionResult(Tensor output, Tensor lse) {
}

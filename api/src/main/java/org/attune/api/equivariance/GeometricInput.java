package org.attune.api.equivariance;

import java.util.Map;

import org.attune.api.tensor.Tensor;

/**
 * A geometric graph: coordinates [nodes, dim], features [nodes, channels], and optional edges [2, edges]
 * (int64, row 0 = source, row 1 = target; null = fully connected without self-loops). {@code seed} fixes the
 * method's documented weight initialiser, so the same seed gives the same function.
 */
public record GeometricInput(Tensor coords, Tensor feats, Tensor edges, long seed, Map<String, String> params) {
    public GeometricInput {
        params = Map.copyOf(params == null ? Map.of() : params);
    }
}

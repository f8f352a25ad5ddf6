package org.attune.api.equivariance;

import java.util.Map;

import org.attune.api.method.Parameters;
import org.attune.api.tensor.Tensor;

/**
 * A geometric graph: coordinates [nodes, dim], features [nodes, channels], optional edges [2, edges] (int64,
 * row 0 = source j, row 1 = target i, messages flow j → i; null = fully connected without self-loops), and
 * optional initial velocities [nodes, dim] (null = none; they transform as vectors). {@code seed} fixes the
 * method's documented weight initialiser, so the same seed gives the same function.
 *
 * @param coords     coordinates [nodes, dim]
 * @param feats      invariant (or declared-representation) features [nodes, channels]
 * @param edges      int64 [2, edges], or null
 * @param velocities [nodes, dim], or null
 * @param seed       weight seed
 * @param params     method parameters by name
 */
public record GeometricInput(Tensor coords, Tensor feats, Tensor edges, Tensor velocities, long seed,
                             Map<String, String> params) {
    public GeometricInput {
        params = Map.copyOf(params == null ? Map.of() : params);
    }

    /** A graph without velocities. */
    public GeometricInput(Tensor coords, Tensor feats, Tensor edges, long seed, Map<String, String> params) {
        this(coords, feats, edges, null, seed, params);
    }

    /** The method parameters, read with defaults; errors name the parameter as it is written. */
    public Parameters parameters() {
        return new Parameters(params, "");
    }
}

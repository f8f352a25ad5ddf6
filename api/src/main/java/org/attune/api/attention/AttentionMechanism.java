package org.attune.api.attention;

import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.Tensor;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * An attention mechanism, registered as an OSGi service with the {@link AttentionMethod} properties.
 *
 * <p>Shape convention: q [batch, heads, seq_q, dim], k [batch, kv_heads, seq_k, dim], v [batch, kv_heads,
 * seq_k, dim_v]; the result is [batch, heads, seq_q, dim_v] unless the method's Javadoc says otherwise.
 * Methods with input projections read the heads of a token as its concatenated embedding
 * ({@code x[b, s, h·dim + e] = q[b, h, s, e]}) and split their output the same way.
 *
 * <p>Implementations are stateless with respect to calls (thread-safe), do their heavy work through the
 * given backend, do not modify their inputs, and reject bad input with
 * {@link org.attune.api.tensor.InvalidInputException}. Clients call through the registry
 * ({@link org.attune.api.registry.MethodRegistry}), never directly.
 */
@ConsumerType
public interface AttentionMechanism {
    /**
     * Computes attention.
     *
     * @param call    inputs, options and method parameters
     * @param backend where to compute
     * @return a new tensor with the inputs' element type
     */
    Tensor attend(AttentionCall call, ComputeBackend backend);
}

package org.attune.api.position;

import java.util.Map;

import org.attune.api.tensor.Tensor;

/**
 * Inputs of a positional encoding. Token forms use {@code q} and {@code k} ([batch, heads, seq, dim]);
 * the bias form uses {@code heads}, {@code nq}, {@code nk} and {@code causal}. {@code offset} is the position of
 * the first query (keys start at 0), for decoding with a cache.
 *
 * @param q      queries or embeddings, or null for the bias form
 * @param k      keys, or null
 * @param heads  number of heads (bias form)
 * @param nq     query length (bias form)
 * @param nk     key length (bias form)
 * @param offset position of the first query
 * @param causal whether the bias is for causal attention
 * @param params method parameters by name
 */
public record PositionalCall(Tensor q, Tensor k, int heads, int nq, int nk, int offset, boolean causal,
                             Map<String, String> params) {
    public PositionalCall {
        params = Map.copyOf(params == null ? Map.of() : params);
    }
}

package org.attune.api.position;

import java.util.LinkedHashMap;
import java.util.Map;

import org.attune.api.method.Parameters;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;

/**
 * Inputs of a positional encoding.
 *
 * <p>Token forms read {@code q} [B, H, Nq, D] and {@code k} [B, Hkv, Nk, D]; the bias form reads {@code heads},
 * {@code nq}, {@code nk} and {@code causal}, and also q and k when its bias depends on the content. Query i sits
 * at position {@code queryOffset + i}, key j at {@code keyOffset + j}: decoding with a cache of P tokens uses
 * {@code queryOffset = P}, {@code keyOffset = 0}. {@code scale} is the logit scale of the attention the encoding
 * feeds (null: 1/√D), which content-dependent biases need because a bias is added after scaling.
 *
 * @param q           queries or embeddings [B, H, Nq, D], or null
 * @param k           keys [B, Hkv, Nk, D], or null
 * @param heads       number of heads H
 * @param nq          query length
 * @param nk          key length
 * @param queryOffset position of the first query
 * @param keyOffset   position of the first key
 * @param causal      whether the attention is causal (query i sees keys j ≤ i)
 * @param scale       the attention's logit scale, or null for 1/√D
 * @param params      method parameters by name ({@code --pe-option KEY=VALUE})
 */
public record PositionalCall(Tensor q, Tensor k, int heads, int nq, int nk, int queryOffset, int keyOffset,
                             boolean causal, Double scale, Map<String, String> params) {

    public PositionalCall {
        params = Map.copyOf(params == null ? Map.of() : params);
        if (heads < 0 || nq < 0 || nk < 0) {
            throw new InvalidInputException("heads, nq, nk", "expected sizes >= 0, got " + heads + ", " + nq + ", " + nk);
        }
        if (queryOffset < 0 || keyOffset < 0) {
            throw new InvalidInputException("--offset", "expected positions >= 0, got " + queryOffset + ", " + keyOffset);
        }
    }

    /** A token call on q [B, H, Nq, D] and k [B, Hkv, Nk, D], positions from 0, non-causal, default scale. */
    public static PositionalCall tokens(Tensor q, Tensor k) {
        q.requireShape("q", "[batch, heads, seq, dim]", -1, -1, -1, -1);
        k.requireShape("k", "[batch, heads, seq, dim]", q.dim(0), -1, -1, q.dim(3));
        return new PositionalCall(q, k, q.dim(1), q.dim(2), k.dim(2), 0, 0, false, null, Map.of());
    }

    /** A bias call for {@code heads} heads, {@code nq} queries and {@code nk} keys, positions from 0. */
    public static PositionalCall bias(int heads, int nq, int nk, boolean causal) {
        return new PositionalCall(null, null, heads, nq, nk, 0, 0, causal, null, Map.of());
    }

    /** This call with other first positions. */
    public PositionalCall withOffsets(int queryOffset, int keyOffset) {
        return new PositionalCall(q, k, heads, nq, nk, queryOffset, keyOffset, causal, scale, params);
    }

    /** This call with the attention's causal flag and logit scale (null: 1/√D). */
    public PositionalCall withAttention(boolean causal, Double scale) {
        return new PositionalCall(q, k, heads, nq, nk, queryOffset, keyOffset, causal, scale, params);
    }

    /** This call with these parameters added (later ones win). */
    public PositionalCall withParams(Map<String, String> more) {
        Map<String, String> m = new LinkedHashMap<>(params);
        m.putAll(more);
        return new PositionalCall(q, k, heads, nq, nk, queryOffset, keyOffset, causal, scale, m);
    }

    /** The logit scale for head dimension {@code d}: the explicit one or 1/√d. */
    public double scaleFor(int d) {
        return scale != null ? scale : 1.0 / Math.sqrt(d);
    }

    /** q, required by content-reading encodings; an {@link InvalidInputException} naming {@code q} if absent. */
    public Tensor requireQ(String why) {
        if (q == null || k == null) {
            throw new InvalidInputException("q", "expected queries and keys [batch, heads, seq, dim]: " + why);
        }
        return q;
    }

    /** A parameter, or {@code dflt} when absent. */
    public String param(String name, String dflt) {
        return params.getOrDefault(name, dflt);
    }

    /** An integer parameter; a malformed value is an {@link InvalidInputException} naming it. */
    public int intParam(String name, int dflt) {
        return parameters().integer(name, dflt);
    }

    /** A finite floating-point parameter; a malformed value is an {@link InvalidInputException} naming it. */
    public double doubleParam(String name, double dflt) {
        return parameters().finite(name, dflt);
    }

    private Parameters parameters() {
        return new Parameters(params, option(""));
    }

    /** How the user names parameter {@code name}: {@code --pe-option name}. */
    public static String option(String name) {
        return "--pe-option " + name;
    }
}

package org.attune.api.position;

/**
 * How a positional encoding enters attention. Every form composes with every attention mechanism through the
 * call the mechanism receives: q [B, H, Nq, D], k [B, Hkv, Nk, D] and {@link org.attune.api.backend.AttentionOptions}.
 * The position of query i is {@code queryOffset + i}, of key j {@code keyOffset + j} ({@link PositionalCall}).
 */
public enum EncodingForm {
    /** Added to the token embeddings: q'ᵢ = qᵢ + PE(queryOffset + i), k'ⱼ = kⱼ + PE(keyOffset + j); returns q', k'. */
    ABSOLUTE,
    /** Applied to queries and keys by a position-dependent linear map (rotary, xPos): returns q', k'. */
    ROTARY,
    /**
     * An additive bias on the scaled attention logits: returns {@code bias} [H, Nq, Nk] when it depends on
     * positions only, [B, H, Nq, Nk] when it also reads q and k (content-dependent relative terms).
     */
    BIAS,
    /** Computed from the tokens themselves (a depthwise convolution over the token grid): returns q', k'. */
    CONDITIONAL
}

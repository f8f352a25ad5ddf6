package org.attune.api.position;

/** How a positional encoding enters attention. */
public enum EncodingForm {
    /** Added to token embeddings (sinusoidal, learned absolute): returns new {@code q}/{@code k}. */
    ABSOLUTE,
    /** Applied to queries and keys (rotary, multiplicative): returns new {@code q} and {@code k}. */
    ROTARY,
    /** An additive bias on the attention logits, [heads, nq, nk] (ALiBi, T5, relative tables). */
    BIAS,
    /** Computed from the tokens themselves (e.g. a depthwise convolution): returns new {@code q}/{@code k}. */
    CONDITIONAL
}

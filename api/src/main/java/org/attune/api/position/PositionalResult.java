package org.attune.api.position;

import java.util.Optional;
import java.util.function.UnaryOperator;

import org.attune.api.tensor.Tensor;

/**
 * What a positional encoding produced: encoded queries and keys (absolute, rotary and conditional forms) or a
 * logit bias broadcastable to [B, H, Nq, Nk] (bias form). Absent parts are null.
 *
 * <p><b>Value and output transforms</b> (since 2.1). A token-form encoding may also act on the values and on the
 * attention output, as geometric transform attention does: O = ρ(g)·Attention(ρ(g)ᵀQ, ρ(g)⁻¹K, ρ(g)⁻¹V). Then
 * <ul>
 * <li>{@code valueTransform} maps the values v [B, Hkv, Nk, Dv] to a new tensor of the same shape and element
 * type, token by token: the map of key token j depends only on its position {@code keyOffset + j} (and on the
 * encoding's parameters), not on other tokens; the input is not modified;</li>
 * <li>{@code outputTransform} maps the attention output o [B, H, Nq, Dv] the same way, query token i by the map
 * of position {@code queryOffset + i}.</li>
 * </ul>
 * A composer applies both or neither: it attends over (q', k', valueTransform(v)) and returns
 * outputTransform(o). A null transform is the identity; the bias form returns neither. The transforms are
 * bound to the call that produced them (its lengths and positions), and shapes they cannot act on are
 * rejected with an {@link org.attune.api.tensor.InvalidInputException} naming {@code v} or {@code output}.
 *
 * @param q               encoded queries, or null
 * @param k               encoded keys, or null
 * @param bias            additive logit bias, or null
 * @param valueTransform  the map applied to v before attention, or null for none
 * @param outputTransform the map applied to the attention output, or null for none
 */
public record PositionalResult(Tensor q, Tensor k, Tensor bias, UnaryOperator<Tensor> valueTransform,
                               UnaryOperator<Tensor> outputTransform) {

    /** Encoded queries and keys, or a bias, without value and output transforms (the 2.0 form). */
    public PositionalResult(Tensor q, Tensor k, Tensor bias) {
        this(q, k, bias, null, null);
    }

    /** Encoded queries and keys. */
    public static PositionalResult tokens(Tensor q, Tensor k) {
        return new PositionalResult(q, k, null);
    }

    /**
     * Encoded queries and keys with a value and an output transform (either may be null).
     *
     * @since 2.1
     */
    public static PositionalResult tokens(Tensor q, Tensor k, UnaryOperator<Tensor> valueTransform,
                                          UnaryOperator<Tensor> outputTransform) {
        return new PositionalResult(q, k, null, valueTransform, outputTransform);
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

    /** The values to attend over: {@code valueTransform(v)}, or v itself when there is none. @since 2.1 */
    public Tensor values(Tensor v) {
        return valueTransform == null ? v : valueTransform.apply(v);
    }

    /** The final output: {@code outputTransform(o)}, or o itself when there is none. @since 2.1 */
    public Tensor output(Tensor o) {
        return outputTransform == null ? o : outputTransform.apply(o);
    }

    /** Whether this result transforms the values or the output. @since 2.1 */
    public boolean transformsValues() {
        return valueTransform != null || outputTransform != null;
    }
}

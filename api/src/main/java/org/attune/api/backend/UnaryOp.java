package org.attune.api.backend;

/** Elementwise functions of {@link ComputeBackend#unary}. */
public enum UnaryOp {
    /** {@code -x}. */
    NEG,
    /** {@code exp(x)}. */
    EXP,
    /** {@code log(x)}. */
    LOG,
    /** {@code tanh(x)}. */
    TANH,
    /** {@code 1 / (1 + exp(-x))}. */
    SIGMOID,
    /** {@code max(x, 0)}. */
    RELU,
    /** {@code x · Φ(x)} with the exact Gaussian CDF. */
    GELU,
    /** {@code x > 0 ? x : exp(x) - 1}. */
    ELU,
    /** {@code log(1 + exp(x))}, computed stably. */
    SOFTPLUS,
    /** {@code sqrt(x)}. */
    SQRT,
    /** {@code x²}. */
    SQUARE,
    /** {@code |x|}. */
    ABS,
    /** {@code 1 / x}. */
    RECIPROCAL
}

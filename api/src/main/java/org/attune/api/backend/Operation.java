package org.attune.api.backend;

/** The operations of {@link ComputeBackend}, used to ask and declare what a backend supports. */
public enum Operation {
    /** {@link ComputeBackend#matmul}. */
    MATMUL,
    /** {@link ComputeBackend#softmax}. */
    SOFTMAX,
    /** {@link ComputeBackend#attention}. */
    ATTENTION,
    /** {@link ComputeBackend#unary}. */
    UNARY,
    /** {@link ComputeBackend#binary}. */
    BINARY,
    /** {@link ComputeBackend#reduce}. */
    REDUCE,
    /** {@link ComputeBackend#gather}. */
    GATHER,
    /** {@link ComputeBackend#scatterAdd}. */
    SCATTER_ADD;

    /** Kebab-case name, as in {@code attune.backend.operations} and on the shell. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}

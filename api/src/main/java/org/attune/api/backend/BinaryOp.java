package org.attune.api.backend;

/** Elementwise functions of two tensors for {@link ComputeBackend#binary}, with NumPy broadcasting. */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, MAX, MIN, POW
}

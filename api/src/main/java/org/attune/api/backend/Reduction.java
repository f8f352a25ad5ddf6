package org.attune.api.backend;

/** Reductions along one axis for {@link ComputeBackend#reduce}. */
public enum Reduction {
    /** Σ x. */
    SUM,
    /** Σ x / n. */
    MEAN,
    /** max x (−∞ for an empty axis). */
    MAX,
    /** min x (+∞ for an empty axis). */
    MIN,
    /** log Σ exp x, computed stably (−∞ for an empty axis). */
    LOG_SUM_EXP
}

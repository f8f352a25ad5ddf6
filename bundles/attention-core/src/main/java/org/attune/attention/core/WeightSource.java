package org.attune.attention.core;

import java.nio.file.Path;

import org.attune.api.attention.AttentionCall;
import org.attune.api.tensor.Tensor;

/**
 * Where a method's learned weights come from: {@code .npy} files in the directory of option
 * {@code weights=DIR} ({@link WeightFiles}), or else a seeded initialiser with option {@code seed=N},
 * default 0 ({@link SeededWeights}). Weights are float64 [in, out] matrices applied as {@code y = x W + b}
 * (PyTorch's {@code Linear.weight} is the transpose). A seeded source draws in call order, so each method
 * documents the order in which it asks.
 */
interface WeightSource {
    /** Option naming the weights directory. */
    String WEIGHTS = "weights";
    /** Option holding the seed of generated weights. */
    String SEED = "seed";

    /** The matrix {@code name} of shape [rows, cols]. */
    Tensor matrix(String name, int rows, int cols);

    /** The vector {@code name} of shape [n]. */
    Tensor vector(String name, int n);

    /** The optional bias {@code name} of shape [n], or null for a zero bias (always null when seeded). */
    Tensor bias(String name, int n);

    /** The source the call's options name. */
    static WeightSource of(AttentionCall call) {
        String dir = call.param(WEIGHTS, null);
        return dir != null ? new WeightFiles(Path.of(dir)) : new SeededWeights(call.longParam(SEED, 0));
    }
}

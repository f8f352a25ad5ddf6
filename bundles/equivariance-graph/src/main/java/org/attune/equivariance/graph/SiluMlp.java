package org.attune.equivariance.graph;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.attune.api.backend.BinaryOp;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.backend.UnaryOp;
import org.attune.api.tensor.Tensor;

/**
 * A two-layer perceptron y = [SiLU](W₂·SiLU(W₁·[x₁; …; x_m] + b₁) + b₂) whose first layer reads a concatenation
 * given as separate blocks: W₁ is split by rows into one {@link DenseLayer} per block (the first carries b₁), so
 * the concatenation becomes a sum of products and needs no copy.
 *
 * @param blocks    the first layer, one row block per input part
 * @param second    the second layer
 * @param finalSilu whether a SiLU follows the second layer
 */
record SiluMlp(List<DenseLayer> blocks, DenseLayer second, boolean finalSilu) {
    /**
     * Draws {@code Linear(Σ widths, hidden)} then {@code Linear(hidden, out)} with {@link DenseLayer#init} (PyTorch's
     * {@code nn.Linear} defaults), in that order.
     */
    static SiluMlp init(SplittableRandom random, int[] widths, int hidden, int out, boolean finalSilu) {
        int in = 0;
        for (int w : widths) {
            in += w;
        }
        DenseLayer first = DenseLayer.init(random, in, hidden);
        DenseLayer second = DenseLayer.init(random, hidden, out);
        List<DenseLayer> blocks = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < widths.length; i++) {
            blocks.add(first.rows(start, start + widths[i], i == 0));
            start += widths[i];
        }
        return new SiluMlp(List.copyOf(blocks), second, finalSilu);
    }

    /** The perceptron on the parts [rows, width_b] of the concatenated input, in their element type. */
    Tensor apply(ComputeBackend backend, Tensor... parts) {
        Tensor z = blocks.get(0).apply(backend, parts[0]);
        for (int b = 1; b < parts.length; b++) {
            z = backend.binary(BinaryOp.ADD, z, blocks.get(b).apply(backend, parts[b]), null);
        }
        Tensor y = second.apply(backend, silu(backend, z));
        return finalSilu ? silu(backend, y) : y;
    }

    /** SiLU(x) = x·σ(x). */
    static Tensor silu(ComputeBackend backend, Tensor x) {
        return backend.binary(BinaryOp.MUL, x, backend.unary(UnaryOp.SIGMOID, x, null), null);
    }
}

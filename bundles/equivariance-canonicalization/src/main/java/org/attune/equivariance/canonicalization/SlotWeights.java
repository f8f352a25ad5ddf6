package org.attune.equivariance.canonicalization;

import java.util.SplittableRandom;

import org.attune.api.tensor.Tensor;

/**
 * The weights of (Invariant) Slot Attention, all float64, biases [D]; linear maps act on row vectors (x·W). Initialiser
 * ({@code SplittableRandom(seed)}, drawn in this order, row-major): the initial slots [K, D] uniform in ±1 (they
 * stand in for the paper's sample from N(μ, diag σ²)); W_q [D, D] in ±1/√D; W_k, W_v [C, D] in ±1/√C; the GRU
 * cell W_ir, W_iz, W_in, W_hr, W_hz, W_hn [D, D] and b_ir, b_iz, b_in, b_hr, b_hz, b_hn [D] in ±1/√D (PyTorch's
 * {@code GRUCell}); the residual MLP W_m1, b_m1, W_m2, b_m2 (width D) in ±1/√D; the relative-grid encoder h:
 * W_g1 [d, D], b_g1 in ±1/√d, W_g2 [D, D], b_g2 in ±1/√D.
 *
 * @param slots initial slots [K, D]
 * @param wq    W_q
 * @param wk    W_k
 * @param wv    W_v
 * @param gru   W_ir, W_iz, W_in, W_hr, W_hz, W_hn, then b_ir, b_iz, b_in, b_hr, b_hz, b_hn
 * @param mlp   W_m1, b_m1, W_m2, b_m2
 * @param grid  W_g1, b_g1, W_g2, b_g2
 */
record SlotWeights(Tensor slots, Tensor wq, Tensor wk, Tensor wv, Tensor[] gru, Tensor[] mlp, Tensor[] grid) {
    /** K slots of width D over C input channels and d-dimensional positions. */
    static SlotWeights init(long seed, int slots, int width, int channels, int dim) {
        SplittableRandom r = new SplittableRandom(seed);
        double bd = 1 / Math.sqrt(width);
        double bc = 1 / Math.sqrt(channels);
        Tensor init = SeededUniform.draw(r, 1, slots, width);
        Tensor wq = SeededUniform.draw(r, bd, width, width);
        Tensor wk = SeededUniform.draw(r, bc, channels, width);
        Tensor wv = SeededUniform.draw(r, bc, channels, width);
        Tensor[] gru = new Tensor[12];
        for (int i = 0; i < 6; i++) {
            gru[i] = SeededUniform.draw(r, bd, width, width);
        }
        for (int i = 6; i < 12; i++) {
            gru[i] = SeededUniform.draw(r, bd, width);
        }
        Tensor[] mlp = {SeededUniform.draw(r, bd, width, width), SeededUniform.draw(r, bd, width),
            SeededUniform.draw(r, bd, width, width), SeededUniform.draw(r, bd, width)};
        double bg = 1 / Math.sqrt(dim);
        Tensor[] grid = {SeededUniform.draw(r, bg, dim, width), SeededUniform.draw(r, bg, width),
            SeededUniform.draw(r, bd, width, width), SeededUniform.draw(r, bd, width)};
        return new SlotWeights(init, wq, wk, wv, gru, mlp, grid);
    }
}

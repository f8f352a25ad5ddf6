package org.attune.equivariance.graph;

import java.util.SplittableRandom;

/**
 * The Bellman message ψ of an {@link EquivariantGraphPlanner}: one hidden layer of H ReLU units,
 * q_ij = W₂·ReLU(W_d ‖p_j − p_i‖ + W_i h_i + W_j h_j + W_v V_j + b₁) + b₂. The first layer is held as four row
 * blocks (distance, h_i, h_j, V_j), the first carrying b₁. Drawn from {@code SplittableRandom(seed)} as
 * {@code Linear(2C + 2, H)} then {@code Linear(H, 1)} with {@link DenseLayer#init} (PyTorch's {@code nn.Linear}
 * defaults), rows in the order distance, h_i, h_j, V_j.
 *
 * @param distance W_d [1, H] with b₁
 * @param target   W_i [C, H]
 * @param source   W_j [C, H]
 * @param value    W_v [1, H]
 * @param output   W₂ [H, 1] with b₂
 */
record PlannerWeights(DenseLayer distance, DenseLayer target, DenseLayer source, DenseLayer value, DenseLayer output) {
    static PlannerWeights init(long seed, int channels, int hidden) {
        SplittableRandom r = new SplittableRandom(seed);
        DenseLayer first = DenseLayer.init(r, 2 * channels + 2, hidden);
        DenseLayer second = DenseLayer.init(r, hidden, 1);
        return new PlannerWeights(first.rows(0, 1, true), first.rows(1, 1 + channels, false),
            first.rows(1 + channels, 1 + 2 * channels, false), first.rows(1 + 2 * channels, 2 + 2 * channels, false), second);
    }
}

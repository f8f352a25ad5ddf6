package org.attune.equivariance.graph;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The weights of an EGNN, drawn from {@code SplittableRandom(seed)} in this order, each with
 * {@link DenseLayer}'s initialiser (the reference code's {@code nn.Linear} defaults):
 * <pre>
 *   embedding_in  Linear(channels, H)
 *   per layer:    edge_mlp  Linear(2H + 1, H), Linear(H, H)
 *                 att_mlp   Linear(H, 1)                           (attention only)
 *                 coord_mlp Linear(H, H), Linear(H, 1, bias=False) with xavier_uniform gain 0.001
 *                 node_mlp  Linear(2H, H), Linear(H, H)
 *                 coord_vel_mlp Linear(H, H), Linear(H, 1)         (velocity only)
 *   embedding_out Linear(H, out)
 * </pre>
 * The first edge layer's rows are split into the blocks that read h_i, h_j and ‖x_i − x_j‖², and the first
 * node layer's into h_i and m_i, so the concatenations of the reference code become sums of products.
 */
final class EgnnWeights {
    /** One E_GCL layer. */
    record Layer(DenseLayer edgeHi, DenseLayer edgeHj, DenseLayer edgeRadial, DenseLayer edge2, DenseLayer attention,
                 DenseLayer coord1, DenseLayer coord2, DenseLayer nodeH, DenseLayer nodeM, DenseLayer node2,
                 DenseLayer velocity1, DenseLayer velocity2) {
    }

    final DenseLayer embeddingIn;
    final List<Layer> layers = new ArrayList<>();
    final DenseLayer embeddingOut;

    EgnnWeights(long seed, int channels, int hidden, int out, int count, boolean attention, boolean velocity) {
        SplittableRandom r = new SplittableRandom(seed);
        embeddingIn = DenseLayer.init(r, channels, hidden);
        for (int l = 0; l < count; l++) {
            DenseLayer edge1 = DenseLayer.init(r, 2 * hidden + 1, hidden);
            DenseLayer edge2 = DenseLayer.init(r, hidden, hidden);
            DenseLayer att = attention ? DenseLayer.init(r, hidden, 1) : null;
            DenseLayer coord1 = DenseLayer.init(r, hidden, hidden);
            DenseLayer coord2 = DenseLayer.xavier(r, hidden, 1, 0.001);
            DenseLayer node1 = DenseLayer.init(r, 2 * hidden, hidden);
            DenseLayer node2 = DenseLayer.init(r, hidden, hidden);
            DenseLayer vel1 = velocity ? DenseLayer.init(r, hidden, hidden) : null;
            DenseLayer vel2 = velocity ? DenseLayer.init(r, hidden, 1) : null;
            layers.add(new Layer(edge1.rows(0, hidden, true), edge1.rows(hidden, 2 * hidden, false),
                edge1.rows(2 * hidden, 2 * hidden + 1, false), edge2, att, coord1, coord2,
                node1.rows(0, hidden, true), node1.rows(hidden, 2 * hidden, false), node2, vel1, vel2));
        }
        embeddingOut = DenseLayer.init(r, hidden, out);
    }
}

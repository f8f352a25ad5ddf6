package org.attune.equivariance.graph;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;

/**
 * The weights of an {@link EqMotion} network, drawn from {@code SplittableRandom(seed)} in the order the reference
 * code (MediaBrain-SJTU/EqMotion, {@code n_body_system/model_t.py} and {@code gcl_t.py}) registers its modules,
 * each with {@link DenseLayer#init} (PyTorch's {@code nn.Linear} defaults, W and b uniform in ±1/√in). A
 * bias-free layer draws its bias too and drops it, so every layer follows one draw rule. P = past frames,
 * F = future frames, C₀ = feature channels per frame, H = hidden width, C = coordinate channels, K = categories.
 * <pre>
 *   embedding       Linear(P·C₀, H/2)        embedding2  Linear(P, H/2)
 *   coord_trans     Linear(P, C, bias=False) vel_trans   Linear(P, C, bias=False)
 *   predict_head    Linear(C, F, bias=False)
 *   edge_mlp        Linear(2H + 2C, H), Linear(H, H)          (interaction graph)
 *   coord_mlp       Linear(2C, H), Linear(H, 2C)
 *   node_mlp        Linear(2H, H), Linear(H, H)
 *   category_mlp    Linear(2H + 2C, H), Linear(H, K)
 *   per layer:      coord_vel Linear(C, C, bias=False)
 *                   edge_mlp  Linear(2H + C, H), Linear(H, H)
 *                   category_mlp[k], k < K: Linear(2H + C, H), Linear(H, C)
 *                   factor_mlp Linear(C, C), Linear(C, C)
 *                   node_mlp  Linear(2H, H), Linear(H, H)
 *                   layer_q, layer_k Linear(C, C, bias=False)
 *                   mlp_q     Linear(H, C)
 * </pre>
 * Modules the reference registers but its forward pass never calls (each layer's {@code coord_mlp} and
 * {@code node_att_mlp}) are not drawn. The two embeddings are stored padded with zero columns to width H, the
 * first in columns [0, H/2), the second in [H/2, H), so their concatenation is the sum of the two.
 */
final class EqMotionWeights {
    /** One feature-learning layer ({@code Feature_learning_layer} with {@code input_reasoning=True}). */
    record Layer(DenseLayer coordVel, SiluMlp edge, List<SiluMlp> categories, SiluMlp factor, SiluMlp node,
                 DenseLayer query, DenseLayer key, DenseLayer attention) {
    }

    final DenseLayer embedding;
    final DenseLayer angleEmbedding;
    final DenseLayer coordTrans;
    final DenseLayer velTrans;
    final DenseLayer predictHead;
    final SiluMlp interactionEdge;
    final SiluMlp interactionCoord;
    final SiluMlp interactionNode;
    final SiluMlp interactionCategory;
    final List<Layer> layers = new ArrayList<>();

    EqMotionWeights(long seed, int past, int future, int featChannels, int hidden, int channels, int categories,
                    int count) {
        SplittableRandom r = new SplittableRandom(seed);
        int half = hidden / 2;
        embedding = padded(DenseLayer.init(r, past * featChannels, half), hidden, 0);
        angleEmbedding = padded(DenseLayer.init(r, past, half), hidden, half);
        coordTrans = biasFree(r, past, channels);
        velTrans = biasFree(r, past, channels);
        predictHead = biasFree(r, channels, future);
        interactionEdge = SiluMlp.init(r, new int[] {hidden, hidden, 2 * channels}, hidden, hidden, true);
        interactionCoord = SiluMlp.init(r, new int[] {channels, channels}, hidden, 2 * channels, true);
        interactionNode = SiluMlp.init(r, new int[] {hidden, hidden}, hidden, hidden, true);
        interactionCategory = SiluMlp.init(r, new int[] {hidden, hidden, 2 * channels}, hidden, categories, true);
        for (int l = 0; l < count; l++) {
            DenseLayer coordVel = biasFree(r, channels, channels);
            SiluMlp edge = SiluMlp.init(r, new int[] {hidden, hidden, channels}, hidden, hidden, true);
            List<SiluMlp> cats = new ArrayList<>();
            for (int k = 0; k < categories; k++) {
                cats.add(SiluMlp.init(r, new int[] {hidden, hidden, channels}, hidden, channels, true));
            }
            SiluMlp factor = SiluMlp.init(r, new int[] {channels}, channels, channels, true);
            SiluMlp node = SiluMlp.init(r, new int[] {hidden, hidden}, hidden, hidden, false);
            DenseLayer query = biasFree(r, channels, channels);
            DenseLayer key = biasFree(r, channels, channels);
            DenseLayer attention = DenseLayer.init(r, hidden, channels);
            layers.add(new Layer(coordVel, edge, List.copyOf(cats), factor, node, query, key, attention));
        }
    }

    private static DenseLayer biasFree(SplittableRandom r, int in, int out) {
        return DenseLayer.init(r, in, out).rows(0, in, false);
    }

    /** The layer with its W and b placed in columns [offset, offset + out) of a zero [in, width] map. */
    private static DenseLayer padded(DenseLayer layer, int width, int offset) {
        int in = layer.weight().dim(0);
        int out = layer.weight().dim(1);
        Tensor w = Tensor.zeros(DType.FLOAT64, in, width);
        Tensor b = Tensor.zeros(DType.FLOAT64, width);
        for (int j = 0; j < out; j++) {
            for (int i = 0; i < in; i++) {
                w.set(layer.weight().get(i, j), i, offset + j);
            }
            b.set(layer.bias().get(j), offset + j);
        }
        return new DenseLayer(w, b);
    }
}

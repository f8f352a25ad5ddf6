package org.attune.equivariance.graph;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;

/**
 * The weights of an {@link EgatMotif} stack, drawn from {@code SplittableRandom(seed)} in this order with the
 * reference code's initialisers (WeToTheMoon/EGAT_DrugSynergy, {@code EGNN.py} and {@code model.py}): PyTorch's
 * {@code nn.Linear} default ({@link DenseLayer#init}, W and b uniform in ±1/√in) and PyG's {@code glorot} (uniform
 * in ±√(6/(fan_in + fan_out))). H = heads, C = channels per head, d = coordinate dimension, C₀ = input channels.
 * <pre>
 *   per layer l (input width C₀ for l = 0, else C):
 *     lin            Linear(in, H·C)                       nn.Linear default
 *     lin_edge       Linear(d, H·C, bias=False)            glorot
 *     att            [H, C]                                glorot, bound √(6/(H + C))
 *     coord_mlp      Linear(C, 1)                          nn.Linear default
 *     head_transform Linear(H·C, C)                        nn.Linear default
 * </pre>
 * GraphNorm's parameters keep their initial values (weight 1, bias 0, mean scale 1), so they hold no draws. The
 * {@code GATv2Conv} parameters the reference layer never reads ({@code lin_l}, {@code lin_r}, {@code bias}) are
 * not drawn. {@code coord_mlp} is stored as a [H·C, 1] layer whose rows outside head 0 are zero, so that it reads
 * head 0 of a whole message row.
 */
final class EgatMotifWeights {
    /** One layer of the stack. */
    record Layer(DenseLayer lin, DenseLayer linEdge, Tensor att, DenseLayer coord, DenseLayer headTransform) {
    }

    final List<Layer> layers = new ArrayList<>();

    EgatMotifWeights(long seed, int channels, int dim, int heads, int hidden, int count) {
        SplittableRandom r = new SplittableRandom(seed);
        for (int l = 0; l < count; l++) {
            DenseLayer lin = DenseLayer.init(r, l == 0 ? channels : hidden, heads * hidden);
            DenseLayer linEdge = DenseLayer.xavier(r, dim, heads * hidden, 1.0);
            Tensor att = Tensor.zeros(DType.FLOAT64, heads, hidden);
            double bound = Math.sqrt(6.0 / (heads + hidden));
            for (int i = 0; i < att.size(); i++) {
                att.setFlat(i, r.nextDouble(-bound, bound));
            }
            DenseLayer coordHead0 = DenseLayer.init(r, hidden, 1);
            Tensor coordWeight = Tensor.zeros(DType.FLOAT64, heads * hidden, 1);
            for (int c = 0; c < hidden; c++) {
                coordWeight.set(coordHead0.weight().get(c, 0), c, 0);
            }
            DenseLayer headTransform = DenseLayer.init(r, heads * hidden, hidden);
            layers.add(new Layer(lin, linEdge, att, new DenseLayer(coordWeight, coordHead0.bias()), headTransform));
        }
    }
}

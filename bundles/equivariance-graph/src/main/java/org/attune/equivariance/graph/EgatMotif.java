package org.attune.equivariance.graph;

import java.util.Arrays;

import org.attune.api.method.Parameters;
import org.attune.api.backend.BinaryOp;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.backend.Reduction;
import org.attune.api.backend.UnaryOp;
import org.attune.api.equivariance.EquivarianceMethod;
import org.attune.api.equivariance.EquivariantMethod;
import org.attune.api.equivariance.GeometricInput;
import org.attune.api.equivariance.GeometricOutput;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * The atom-graph branch of the equivariant graph attention network of "Equivariant Graph Attention Networks with
 * Structural Motifs for Predicting Cell Line-Specific Synergistic Drug Combinations", arXiv:2411.04747 (2024),
 * transcribed from the authors' code (WeToTheMoon/EGAT_DrugSynergy: the layer {@code EGNN(GATv2Conv)} of
 * {@code EGNN.py}, stacked as in {@code model.py}'s {@code Encoder}, fed as in {@code processor.py}); the paper's
 * own equations could not be read, so no equation numbers are given. One layer, with self-loops added to the
 * edges (messages j → i), z = W h + b split into H heads of C channels:
 * <pre>
 *   s_ij   = z_i + z_j + W_e (x_j − x_i)                          W_e without bias
 *   e_ij^k = Σ_c a_kc · LeakyReLU_0.2(s_ij)_kc                      per head k
 *   α_ij^k = exp(e_ij^k) / Σ_{l→i} exp(e_il^k)                      softmax over the incoming edges of i
 *   m_ij^k = α_ij^k z_j^k
 *   x_i'   = x_i + Σ_{j→i} (x_j − x_i) · (w·GELU(m_ij^0) + b_x)   head 0 only
 *   h_i'   = GraphNorm(W_t ReLU(concat_k Σ_{j→i} m_ij^k) + b_t)
 * </pre>
 * GraphNorm over the graph's nodes with its initial parameters: (y − μ)/√(σ² + 1e-5) per channel. The last
 * layer's h' is the output; each layer reads the previous one's h' and x'.
 *
 * <p>Coordinates: with {@code coords=radius} (the default, what {@code processor.py} feeds the layer) the layer's
 * coordinate is each atom's distance from the origin, r_i = ‖p_i‖ [nodes, 1], so the output is invariant under
 * rotations and reflections about the origin (O(3)) and node permutations, but not under translations, and no
 * coordinates are returned; with {@code coords=raw} the given coordinates are the layer's x, which is
 * translation-equivariant (x' ↦ x' + t, h' unchanged) but not rotation-equivariant, because x_j − x_i enters the
 * attention logits linearly through W_e. The paper's claim of equivariance to rotations, translations and
 * reflections therefore holds for neither input as the code computes it; the claims below are what it does hold.
 *
 * <p>Left out, with the reason: the 10 bond features the reference code concatenates before x_j − x_i (the
 * geometric input carries no edge attributes; self-loops would take their mean); the motif branch (a separate
 * graph of ring and chain clusters with one-hot vocabulary features, three {@code GATv2Conv} layers without
 * coordinates, pooled on its own: it adds no motif nodes to the atom graph, so it is no part of this layer); the
 * pooling, gene-expression MLP and classifier. Deviation: {@code model.py}'s third and later layers all read the
 * second layer's features (a loop that never reassigns its input); here every layer reads the previous one.
 * Weights: {@link EgatMotifWeights}, seeded by the input's seed. Computes through the backend in the input's type.
 *
 * <p>coords [N, d] floating, feats [N, C₀] of the same type, edges int64 [2, E] (null = complete graph) →
 * feats [N, C], coords [N, d] with {@code coords=raw}, null with {@code coords=radius}; inputs not modified.
 * Options: {@code layers} (default 3), {@code heads} (10), {@code hidden} (C, default 32), {@code coords}
 * ({@code radius} or {@code raw}).
 */
@Component(service = EquivariantMethod.class)
@EquivarianceMethod(id = "egat-motif", name = "EGAT", family = "graph",
    paper = "Equivariant Graph Attention Networks with Structural Motifs for Predicting Cell Line-Specific Synergistic Drug Combinations",
    arxiv = "2411.04747", year = 2024, cost = "O(E)",
    options = {"layers=attention layers (default 3)", "heads=attention heads H (default 10)",
        "hidden=channels C per head and of the output (default 32)",
        "coords=radius: the layer reads r_i = ‖p_i‖ as the reference pipeline does (default); raw: the coordinates as given"},
    symmetries = {"O(3)", "SO(3)", "permutation:nodes"})
public final class EgatMotif implements EquivariantMethod {
    static final double NEGATIVE_SLOPE = 0.2;
    static final double GRAPH_NORM_EPS = 1e-5;

    @Override
    public GeometricOutput apply(GeometricInput in, ComputeBackend backend) {
        Tensor p = in.coords();
        Tensor h = in.feats();
        if (p == null || p.rank() != 2 || !p.dtype().isFloating()) {
            throw new InvalidInputException("coords", "expected floating [nodes, dim], got "
                + (p == null ? "none" : p.dtype().shortName() + " " + Arrays.toString(p.shape())));
        }
        int n = p.dim(0);
        DType dtype = p.dtype();
        if (h == null || h.rank() != 2 || h.dim(0) != n || h.dtype() != dtype) {
            throw new InvalidInputException("feats", "expected " + dtype.shortName() + " [" + n + ", channels], got "
                + (h == null ? "none" : h.dtype().shortName() + " " + Arrays.toString(h.shape())));
        }
        Parameters params = in.parameters();
        int layers = params.integer("layers", 3, 0);
        int heads = params.integer("heads", 10, 1);
        int hidden = params.integer("hidden", 32, 1);
        boolean raw = params.choice("coords", "radius", "radius", "raw").equals("raw");
        GraphEdges edges = GraphEdges.of(in.edges(), n);
        int e = edges.count() + n;
        long[] src = new long[e];
        long[] dst = new long[e];
        for (int k = 0; k < edges.count(); k++) {
            src[k] = (long) edges.source().getFlat(k);
            dst[k] = (long) edges.target().getFlat(k);
        }
        for (int i = 0; i < n; i++) {
            src[edges.count() + i] = i;
            dst[edges.count() + i] = i;
        }
        Tensor source = Tensor.of(src, e);
        Tensor target = Tensor.of(dst, e);
        Tensor x = raw ? p : backend.unary(UnaryOp.SQRT,
            backend.reduce(Reduction.SUM, backend.unary(UnaryOp.SQUARE, p, null), 1, true), null);
        EgatMotifWeights w = new EgatMotifWeights(in.seed(), h.dim(1), x.dim(1), heads, hidden, layers);
        Tensor expand = headBlocks(heads, hidden, null).to(dtype);
        Tensor slope = Tensor.of(new double[] {NEGATIVE_SLOPE}, 1).to(dtype);
        for (EgatMotifWeights.Layer layer : w.layers) {
            Tensor z = layer.lin().apply(backend, h);
            Tensor zj = backend.gather(z, source);
            Tensor diff = backend.binary(BinaryOp.SUB, backend.gather(x, source), backend.gather(x, target), null);
            Tensor s = add(backend, add(backend, backend.gather(z, target), zj), layer.linEdge().apply(backend, diff));
            Tensor leaky = backend.binary(BinaryOp.MAX, s, backend.binary(BinaryOp.MUL, s, slope, null), null);
            Tensor logits = backend.matmul(leaky, headBlocks(heads, hidden, layer.att()).to(dtype), false, true, null);
            Tensor alpha = segmentSoftmax(backend, logits, dst, n);
            Tensor m = backend.binary(BinaryOp.MUL, backend.matmul(alpha, expand, false, false, null), zj, null);
            Tensor weight = layer.coord().apply(backend, backend.unary(UnaryOp.GELU, m, null));
            x = add(backend, x, backend.scatterAdd(backend.binary(BinaryOp.MUL, diff, weight, null), target, n));
            Tensor mi = backend.unary(UnaryOp.RELU, backend.scatterAdd(m, target, n), null);
            h = graphNorm(backend, layer.headTransform().apply(backend, mi));
        }
        Tensor coords = raw ? (x == p ? p.copy() : x) : null;
        return new GeometricOutput(coords, h == in.feats() ? h.copy() : h);
    }

    /**
     * The [H, H·C] block matrix with row k holding {@code values[k, ·]} (ones when null) in columns k·C … k·C + C − 1:
     * right-multiplied it spreads one value per head over the head's channels; transposed it sums each head's
     * channels with those weights.
     */
    static Tensor headBlocks(int heads, int hidden, Tensor values) {
        Tensor b = Tensor.zeros(DType.FLOAT64, heads, heads * hidden);
        for (int k = 0; k < heads; k++) {
            for (int c = 0; c < hidden; c++) {
                b.set(values == null ? 1 : values.get(k, c), k, k * hidden + c);
            }
        }
        return b;
    }

    /** exp(e − max) / Σ exp(e − max) over the edges sharing a target, per head; the max is taken per target. */
    private static Tensor segmentSoftmax(ComputeBackend backend, Tensor logits, long[] target, int n) {
        int e = logits.dim(0);
        int heads = logits.dim(1);
        double[][] max = new double[n][heads];
        for (double[] row : max) {
            Arrays.fill(row, Double.NEGATIVE_INFINITY);
        }
        for (int k = 0; k < e; k++) {
            for (int j = 0; j < heads; j++) {
                max[(int) target[k]][j] = Math.max(max[(int) target[k]][j], logits.get(k, j));
            }
        }
        Tensor shift = Tensor.zeros(DType.FLOAT64, e, heads);
        for (int k = 0; k < e; k++) {
            for (int j = 0; j < heads; j++) {
                shift.set(max[(int) target[k]][j], k, j);
            }
        }
        Tensor targets = Tensor.of(target, e);
        Tensor ex = backend.unary(UnaryOp.EXP, backend.binary(BinaryOp.SUB, logits, shift.to(logits.dtype()), null), null);
        Tensor den = backend.gather(backend.scatterAdd(ex, targets, n), targets);
        return backend.binary(BinaryOp.DIV, ex, den, null);
    }

    /** PyG's GraphNorm over one graph with its initial parameters: (y − μ)/√(σ² + ε) per channel. */
    private static Tensor graphNorm(ComputeBackend backend, Tensor y) {
        Tensor centred = backend.binary(BinaryOp.SUB, y, backend.reduce(Reduction.MEAN, y, 0, true), null);
        Tensor var = backend.reduce(Reduction.MEAN, backend.unary(UnaryOp.SQUARE, centred, null), 0, true);
        Tensor eps = Tensor.of(new double[] {GRAPH_NORM_EPS}, 1).to(y.dtype());
        return backend.binary(BinaryOp.DIV, centred,
            backend.unary(UnaryOp.SQRT, backend.binary(BinaryOp.ADD, var, eps, null), null), null);
    }

    private static Tensor add(ComputeBackend backend, Tensor a, Tensor b) {
        return backend.binary(BinaryOp.ADD, a, b, null);
    }
}

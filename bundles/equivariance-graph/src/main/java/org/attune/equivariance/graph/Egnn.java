package org.attune.equivariance.graph;

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
 * E(n)-equivariant graph neural network. Satorras, Hoogeboom and Welling, "E(n) Equivariant Graph Neural
 * Networks", arXiv:2102.09844, equations (3)–(6), and the velocity variant of Section 3.1:
 * <pre>
 *   m_ij      = φ_e(h_i, h_j, ‖x_i − x_j‖²)                                   (3)
 *   x_i'      = x_i + C Σ_{j→i} (x_i − x_j) φ_x(m_ij),   C = 1/in-degree(i)   (4)
 *   m_i       = Σ_{j→i} m_ij                                                  (5)
 *   h_i'      = h_i + φ_h(h_i, m_i)                                           (6)
 *   v_i'      = φ_v(h_i) v_i^init + C Σ_{j→i} (x_i − x_j) φ_x(m_ij),  x_i' = x_i + v_i'   (Sec. 3.1)
 * </pre>
 * φ_e = SiLU∘Linear∘SiLU∘Linear, φ_x = Linear(no bias)∘SiLU∘Linear, φ_h = Linear∘SiLU∘Linear, φ_v =
 * Linear∘SiLU∘Linear, as in the reference code (vgsatorras/egnn, {@code models/egnn_clean} E_GCL with
 * {@code coords_agg='mean'}, {@code residual=True}; with {@code attention=true} each m_ij is gated by
 * σ(Linear(m_ij))), between the embeddings h = Linear(feats) and feats' = Linear(h). Weights come from
 * {@link EgnnWeights} with the input's seed. Equivariance: for every orthogonal Q, translation t and node
 * permutation σ, coordinates map to Q·x' + t (permuted), features are invariant (permuted), in any dimension.
 *
 * <p>coords [N, d], feats [N, C], edges int64 [2, E] (row 0 = source j, row 1 = target i; null = fully connected),
 * velocities [N, d] (velocity variant; null = zero initial velocities) → coords [N, d], feats [N, out];
 * inputs not modified. Options: {@code layers} (default 4), {@code hidden} (32), {@code out} (C),
 * {@code attention} (false), {@code velocity} (false).
 */
@Component(service = EquivariantMethod.class)
@EquivarianceMethod(id = "egnn", name = "EGNN", family = "graph", paper = "E(n) Equivariant Graph Neural Networks",
    arxiv = "2102.09844", year = 2021, cost = "O(n^2)",
    options = {"layers=number of E_GCL layers (default 4)", "hidden=hidden width H (default 32)",
        "out=output feature channels (default: input channels)", "attention=gate messages by σ(Linear(m_ij)) (default false)",
        "velocity=velocity variant of Sec. 3.1 (default false)"},
    symmetries = {"E(2)", "E(3)", "E(10)", "permutation:nodes"})
public final class Egnn implements EquivariantMethod {
    @Override
    public GeometricOutput apply(GeometricInput in, ComputeBackend backend) {
        Tensor x = in.coords();
        Tensor h = in.feats();
        if (x == null || x.rank() != 2 || !x.dtype().isFloating()) {
            throw new InvalidInputException("coords", "expected floating [nodes, dim], got "
                + (x == null ? "none" : x.dtype().shortName() + " " + java.util.Arrays.toString(x.shape())));
        }
        int n = x.dim(0);
        int d = x.dim(1);
        DType dtype = x.dtype();
        if (h == null || h.rank() != 2 || h.dim(0) != n || h.dtype() != dtype) {
            throw new InvalidInputException("feats", "expected " + dtype.shortName() + " [" + n + ", channels], got "
                + (h == null ? "none" : h.dtype().shortName() + " " + java.util.Arrays.toString(h.shape())));
        }
        Parameters p = in.parameters();
        int layers = p.integer("layers", 4, 0);
        int hidden = p.integer("hidden", 32, 1);
        int out = p.integer("out", h.dim(1), 1);
        boolean attention = p.flag("attention", false);
        boolean velocity = p.flag("velocity", false);
        Tensor v0 = in.velocities();
        if (velocity && v0 != null && (v0.rank() != 2 || v0.dim(0) != n || v0.dim(1) != d)) {
            throw InvalidInputException.shape("velocities", "[" + n + ", " + d + "]", v0.shape());
        }
        GraphEdges edges = GraphEdges.of(in.edges(), n);
        EgnnWeights w = new EgnnWeights(in.seed(), h.dim(1), hidden, out, layers, attention, velocity);
        Tensor hh = w.embeddingIn.apply(backend, h);
        for (EgnnWeights.Layer layer : w.layers) {
            Tensor hi = backend.gather(hh, edges.target());
            Tensor hj = backend.gather(hh, edges.source());
            Tensor diff = backend.binary(BinaryOp.SUB, backend.gather(x, edges.target()), backend.gather(x, edges.source()), null);
            Tensor radial = backend.reduce(Reduction.SUM, backend.binary(BinaryOp.MUL, diff, diff, null), 1, true);
            Tensor e1 = add(backend, add(backend, layer.edgeHi().apply(backend, hi), layer.edgeHj().apply(backend, hj)),
                layer.edgeRadial().apply(backend, radial));
            Tensor m = silu(backend, layer.edge2().apply(backend, silu(backend, e1)));
            if (attention) {
                m = backend.binary(BinaryOp.MUL, m, backend.unary(UnaryOp.SIGMOID, layer.attention().apply(backend, m), null), null);
            }
            Tensor phiX = layer.coord2().apply(backend, silu(backend, layer.coord1().apply(backend, m)));
            Tensor move = edges.meanAtTargets(backend, backend.binary(BinaryOp.MUL, diff, phiX, null), n);
            if (velocity && v0 != null) {
                Tensor phiV = layer.velocity2().apply(backend, silu(backend, layer.velocity1().apply(backend, hh)));
                move = add(backend, move, backend.binary(BinaryOp.MUL, phiV, v0.to(dtype), null));
            }
            Tensor mi = backend.scatterAdd(m, edges.target(), n);
            Tensor update = layer.node2().apply(backend, silu(backend,
                add(backend, layer.nodeH().apply(backend, hh), layer.nodeM().apply(backend, mi))));
            x = add(backend, x, move);
            hh = add(backend, hh, update);
        }
        return new GeometricOutput(x == in.coords() ? x.copy() : x, w.embeddingOut.apply(backend, hh));
    }

    private static Tensor add(ComputeBackend backend, Tensor a, Tensor b) {
        return backend.binary(BinaryOp.ADD, a, b, null);
    }

    /** SiLU(x) = x·σ(x). */
    private static Tensor silu(ComputeBackend backend, Tensor x) {
        return backend.binary(BinaryOp.MUL, x, backend.unary(UnaryOp.SIGMOID, x, null), null);
    }
}

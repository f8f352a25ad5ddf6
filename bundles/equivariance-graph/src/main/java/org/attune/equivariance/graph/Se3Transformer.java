package org.attune.equivariance.graph;

import java.util.SplittableRandom;

import org.attune.api.method.Parameters;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.equivariance.EquivarianceMethod;
import org.attune.api.equivariance.EquivariantMethod;
import org.attune.api.equivariance.GeometricInput;
import org.attune.api.equivariance.GeometricOutput;
import org.attune.api.equivariance.IrrepAlgebra;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * SE(3)-Transformer: self-attention on a point cloud whose node features are direct sums of type-l irreps.
 * Fuchs, Worrall, Fischer and Welling, "SE(3)-Transformers: 3D Roto-Translation Equivariant Attention Networks",
 * arXiv:2006.10503, Sec. 3.2 (attention and self-interaction), with the kernels of Tensor Field Networks:
 * <pre>
 *   α_ij = softmax_{j ∈ kNN(i)} ( q_iᵀ k_ij / √F_K ),   q_i = W_Q f_i,   k_ij = W_K(x_j − x_i) f_j
 *   f_i'^{(l)} = W_P^{(l)} [ Σ_{j ∈ kNN(i)} α_ij W_V^{(l)}(x_j − x_i) f_j ; f_i^{(l)} ]
 *   W^{lk}(r) = Σ_{J=|l−k|}^{l+k} R^{lkJ}(|r|) Σ_m Y_Jm(r̂) C^{Jk→l}[m, ·, ·]
 * </pre>
 * per block ({@link Se3AttentionBlock}), {@code blocks} blocks in → hidden → … → out with the norm
 * nonlinearity between them ({@link NormActivation}). Weights: {@code SplittableRandom(seed)} drawn block by
 * block as {@link Se3AttentionBlock} documents. The spherical harmonics and Clebsch–Gordan coefficients come
 * from the {@link IrrepAlgebra} service; everything is computed in float64 on the heap (the backend is not
 * used: the per-edge Clebsch–Gordan contractions are not tensor operations of the compute SPI) and returned
 * in the input's element type.
 *
 * <p>coords [N, 3], feats [N, channels of {@code in}] packed as {@link IrrepLayout} documents, edges int64
 * [2, E] (null = each node attends over its {@code neighbours} nearest nodes) → coords null (the block does not
 * move points), feats [N, channels of {@code out}]; inputs not modified. Equivariance: for R ∈ SO(3), t ∈ ℝ³
 * and node permutations σ, f(Rx + t, D(R)h) = D(R) f(x, h) degree by degree, permuted with σ; not under
 * reflections (the l ⊗ l → l cross-product paths give pseudovectors).
 */
@Component(service = EquivariantMethod.class)
@EquivarianceMethod(id = "se3-transformer", name = "SE(3)-Transformer", family = "graph",
    paper = "SE(3)-Transformers: 3D Roto-Translation Equivariant Attention Networks", arxiv = "2006.10503",
    year = 2020, cost = "O(n·k·L^6·C^2)",
    options = {"in=input irreps, e.g. 4x0+2x1 (default: every channel a scalar)", "out=output irreps (default: in)",
        "hidden=channels per hidden degree (default 4)", "degree=largest hidden degree L (default 1)",
        "blocks=attention blocks (default 2)", "heads=attention heads (default 1)",
        "neighbours=k of the kNN graph when no edges are given (default 8)",
        "basis=Gaussian radial functions (default 8)", "cutoff=largest radial centre (default 3.0)"},
    symmetries = {"SO(3)", "SE(3)", "permutation:nodes"})
public final class Se3Transformer implements EquivariantMethod {
    private final IrrepAlgebra algebra;

    /** @param algebra the E(3) building blocks (a static, mandatory reference) */
    @Activate
    public Se3Transformer(@Reference IrrepAlgebra algebra) {
        this.algebra = algebra;
    }

    @Override
    public GeometricOutput apply(GeometricInput input, ComputeBackend backend) {
        SteerableGraph in = SteerableGraph.read(input);
        Parameters p = in.params();
        IrrepLayout out = in.out();
        Se3TransformerStack stack = stack(new SplittableRandom(input.seed()), in, out);
        Neighbours g = input.edges() == null
            ? Neighbours.nearest(in.x(), p.integer("neighbours", 8, 1))
            : Neighbours.of(input.edges(), in.x().length);
        return new GeometricOutput(null, out.pack(stack.apply(algebra, in.x(), in.h(), g), in.dtype()));
    }

    /** The weights for one call: {@code blocks} blocks in → hidden → out. */
    static Se3TransformerStack stack(SplittableRandom random, SteerableGraph in, IrrepLayout out) {
        Parameters p = in.params();
        IrrepLayout hidden = IrrepLayout.uniform(p.integer("hidden", 4, 2), p.integer("degree", 1, 0));
        return new Se3TransformerStack(random, in.in(), hidden, out, p.integer("blocks", 2, 1),
            p.integer("heads", 1, 1), p.integer("basis", 8, 1), p.positive("cutoff", 3.0));
    }
}

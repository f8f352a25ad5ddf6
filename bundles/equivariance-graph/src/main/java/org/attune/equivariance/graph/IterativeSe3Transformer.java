package org.attune.equivariance.graph;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.attune.api.method.Parameters;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.equivariance.EquivarianceMethod;
import org.attune.api.equivariance.EquivariantMethod;
import org.attune.api.equivariance.GeometricInput;
import org.attune.api.equivariance.GeometricOutput;
import org.attune.api.equivariance.IrrepAlgebra;
import org.attune.api.tensor.InvalidInputException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Iterative SE(3)-Transformer: T SE(3)-Transformers applied in turn, each predicting a coordinate update from
 * an extra type-1 output channel, with the kNN graph rebuilt from the updated coordinates before the next.
 * Fuchs, Wagstaff, Dauparas and Posner, "Iterative SE(3)-Transformers", arXiv:2102.13419, the iterative
 * scheme:
 * <pre>
 *   for t = 1..T:   G_t = kNN(x^{(t−1)})                       (re-graphing: new r_ij, Y(r̂_ij), α_ij)
 *                   [h^{(t)} ; Δ^{(t)}] = SE3T_t(x^{(t−1)}, h^{(t−1)}; G_t)
 *                   x^{(t)} = x^{(t−1)} + Δ^{(t)}                (Δ the last type-1 channel, as a Cartesian vector)
 * </pre>
 * SE3T_t is a {@link Se3TransformerStack} of {@code blocks} blocks with its own weights, mapping in → hidden for
 * t = 1, hidden → hidden in between and → out at t = T, each with one more type-1 output channel for Δ. Degree-1
 * components are ordered (y, z, x) ({@link IrrepAlgebra}), so Δ = (v₂, v₀, v₁). {@code heads} must divide every
 * channel count, the update channel included. Weights:
 * {@code SplittableRandom(seed)}, iteration by iteration. The paper's concern of how gradients pass through
 * the re-graphing and the recomputed basis is a training matter; this is the forward map. Computed in float64
 * on the heap (see {@link Se3Transformer}).
 *
 * <p>coords [N, 3], feats [N, channels of {@code in}] ({@link IrrepLayout}), edges must be null (the graph is
 * rebuilt every iteration) → coords [N, 3] = x^{(T)}, feats [N, channels of {@code out}]. Equivariance: for
 * R ∈ SO(3), t ∈ ℝ³ and node permutations, coordinates map to R x^{(T)} + t and features by D(R), after any
 * number of re-graphings (the kNN graph depends on distances only).
 */
@Component(service = EquivariantMethod.class)
@EquivarianceMethod(id = "iterative-se3-transformer", name = "Iterative SE(3)-Transformer", family = "graph",
    paper = "Iterative SE(3)-Transformers", arxiv = "2102.13419", year = 2021, cost = "O(T·n·k·L^6·C^2)",
    options = {"iterations=T, SE(3)-Transformers with a re-graphing before each (default 3)",
        "blocks=attention blocks per iteration (default 1)", "in=input irreps (default: every channel a scalar)",
        "out=output irreps (default: in)", "hidden=channels per hidden degree (default 4)",
        "degree=largest hidden degree L, at least 1 (default 1)", "heads=attention heads (default 1)",
        "neighbours=k of the kNN graph (default 8)", "basis=Gaussian radial functions (default 8)",
        "cutoff=largest radial centre (default 3.0)"},
    symmetries = {"SO(3)", "SE(3)", "permutation:nodes"})
public final class IterativeSe3Transformer implements EquivariantMethod {
    private final IrrepAlgebra algebra;

    /** @param algebra the E(3) building blocks (a static, mandatory reference) */
    @Activate
    public IterativeSe3Transformer(@Reference IrrepAlgebra algebra) {
        this.algebra = algebra;
    }

    @Override
    public GeometricOutput apply(GeometricInput input, ComputeBackend backend) {
        if (input.edges() != null) {
            throw new InvalidInputException("edges", "expected none: the iterative SE(3)-Transformer rebuilds its "
                + "kNN graph from the coordinates before every iteration");
        }
        SteerableGraph in = SteerableGraph.read(input);
        Parameters p = in.params();
        int iterations = p.integer("iterations", 3, 1);
        int blocks = p.integer("blocks", 1, 1);
        int k = p.integer("neighbours", 8, 1);
        IrrepLayout hidden = IrrepLayout.uniform(p.integer("hidden", 4, 2), p.integer("degree", 1, 1));
        IrrepLayout out = in.out();
        SplittableRandom random = new SplittableRandom(input.seed());
        double[][] x = new double[in.x().length][];
        for (int i = 0; i < x.length; i++) {
            x[i] = in.x()[i].clone();
        }
        double[][][][] h = in.h();
        for (int t = 0; t < iterations; t++) {
            IrrepLayout target = t == iterations - 1 ? out : hidden;
            IrrepLayout withUpdate = target.plus(1, 1);
            Se3TransformerStack stack = new Se3TransformerStack(random, t == 0 ? in.in() : hidden, hidden, withUpdate,
                blocks, p.integer("heads", 1, 1), p.integer("basis", 8, 1), p.positive("cutoff", 3.0));
            double[][][][] f = stack.apply(algebra, x, h, Neighbours.nearest(x, k));
            int last = withUpdate.mul(1) - 1;
            for (int i = 0; i < x.length; i++) {
                double[] v = f[i][1][last];
                x[i][0] += v[2];
                x[i][1] += v[0];
                x[i][2] += v[1];
                f[i][1] = Arrays.copyOf(f[i][1], last);
            }
            h = f;
        }
        return new GeometricOutput(in.coords(x), out.pack(h, in.dtype()));
    }
}

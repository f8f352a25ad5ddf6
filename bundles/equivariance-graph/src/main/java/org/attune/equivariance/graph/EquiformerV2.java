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
 * EquiformerV2: equivariant graph attention built on eSCN's SO(2) convolutions, with attention
 * re-normalisation, separable S² activations and separable layer normalisation. Liao, Wood, Das and Smidt,
 * "EquiformerV2: Improved Equivariant Transformer for Scaling to Higher-Degree Representations",
 * arXiv:2306.12059, Sec. 4:
 * <pre>
 *   x^{(0)} = W_in h;   x^{(b+1)} = Block_b(x^{(b)})   ({@link EquiformerV2Block}: x + GA(SLN x), then + FFN(SLN x));   out = W_out x^{(B)}
 *   α_ij^h  = softmax_{j→i}( a_hᵀ SmoothLeakyReLU(LN(f_ij^{(0),h})) )      f_ij = SO2 conv of [x_j ; x_i] in the edge frame
 * </pre>
 * with C channels at every degree 0..L. The S² activations sample a Gauss–Legendre grid of {@code grid}
 * latitudes × 2·{@code grid} longitudes ({@link SeparableS2Activation}); every other part is exactly
 * equivariant, the activation only up to its quadrature error, which falls with the grid (the default grid
 * holds the float64 certificate at 1e-9 for the default sizes; the tests measure the decay). Weights:
 * {@code SplittableRandom(seed)}, W_in, the blocks in order, W_out. Computed in float64 on the heap (the backend
 * is not used) and returned in the input's element type.
 *
 * <p>coords [N, 3], feats [N, channels of {@code in}] ({@link IrrepLayout}), edges int64 [2, E] (null = fully
 * connected) → coords null, feats [N, channels of {@code out}]; inputs not modified. Equivariance: SO(3),
 * translations, node permutations (energy-like scalar outputs are invariant); not reflections.
 */
@Component(service = EquivariantMethod.class)
@EquivarianceMethod(id = "equiformer-v2", name = "EquiformerV2", family = "graph",
    paper = "EquiformerV2: Improved Equivariant Transformer for Scaling to Higher-Degree Representations",
    arxiv = "2306.12059", year = 2023, cost = "O(E·L^3·C^2 + E·G·(L+1)^2·C)",
    options = {"in=input irreps, e.g. 4x0+2x1 (default: every channel a scalar)", "out=output irreps (default: in)",
        "channels=sphere channels C per degree (default 4)", "degree=largest degree L (default 2)",
        "mmax=largest order |m| in the SO(2) convolutions (default L)", "blocks=transformer blocks (default 1)",
        "heads=attention heads (default 2)", "alpha=channels per head of the attention features (default 4)",
        "value=channels per head of the values (default 2)", "hidden=hidden channels of attention and FFN (default 4)",
        "basis=Gaussian radial functions (default 8)", "cutoff=largest radial centre (default 3.0)",
        "grid=latitudes G of the S² grid, G × 2G points (default 24)"},
    symmetries = {"SO(3)", "SE(3)", "permutation:nodes"})
public final class EquiformerV2 implements EquivariantMethod {
    private final IrrepAlgebra algebra;

    /** @param algebra the E(3) building blocks (a static, mandatory reference) */
    @Activate
    public EquiformerV2(@Reference IrrepAlgebra algebra) {
        this.algebra = algebra;
    }

    @Override
    public GeometricOutput apply(GeometricInput input, ComputeBackend backend) {
        SteerableGraph in = SteerableGraph.read(input);
        Parameters p = in.params();
        int channels = p.integer("channels", 4, 1);
        int degree = p.integer("degree", 2, 0);
        int mmax = Math.min(p.integer("mmax", degree, 0), degree);
        int blocks = p.integer("blocks", 1, 0);
        int heads = p.integer("heads", 2, 1);
        int alpha = p.integer("alpha", 4, 1);
        int value = p.integer("value", 2, 1);
        int hidden = p.integer("hidden", 4, 1);
        int basis = p.integer("basis", 8, 1);
        double cutoff = p.positive("cutoff", 3.0);
        int grid = p.integer("grid", 24, 1);
        IrrepLayout sphere = IrrepLayout.uniform(channels, degree);
        IrrepLayout out = in.out();
        int n = in.x().length;
        Neighbours g = Neighbours.of(input.edges(), n);
        SplittableRandom random = new SplittableRandom(input.seed());
        DegreeLinear embed = DegreeLinear.init(random, in.in(), sphere);
        EquiformerV2Block[] block = new EquiformerV2Block[blocks];
        for (int b = 0; b < blocks; b++) {
            block[b] = new EquiformerV2Block(random, channels, degree, mmax, heads, alpha, value, hidden, basis, cutoff);
        }
        DegreeLinear readout = DegreeLinear.init(random, sphere, out);
        SeparableS2Activation act = new SeparableS2Activation(algebra, degree, grid);
        double[][][][] x = new double[n][][][];
        for (int i = 0; i < n; i++) {
            x[i] = embed.apply(in.h()[i]);
        }
        for (EquiformerV2Block b : block) {
            x = b.apply(algebra, act, in.x(), x, g);
        }
        double[][][][] result = new double[n][][][];
        for (int i = 0; i < n; i++) {
            result[i] = readout.apply(x[i]);
        }
        return new GeometricOutput(null, out.pack(result, in.dtype()));
    }
}

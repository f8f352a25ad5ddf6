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
 * eSCN message passing: SO(3) convolutions reduced to SO(2) convolutions in each edge's frame. Passaro and
 * Zitnick, "Reducing SO(3) Convolutions to SO(2) for Efficient Equivariant GNNs", arXiv:2302.03655, Sec. 3:
 * <pre>
 *   h^{(0)}     = W_in h                                              (per degree, {@link DegreeLinear})
 *   h^{(t+1)}_i = act( h^{(t)}_i + (1/deg i) Σ_{j→i} D(R_ij)ᵀ · SO2_t(D(R_ij) h^{(t)}_j, |r_ij|) )   ({@link So2Convolution})
 *   out         = W_out h^{(T)}
 * </pre>
 * with hidden features of every degree 0..L ({@code degree}) and {@code hidden} channels each, {@code act} SiLU
 * on the degree-0 channels between layers (other degrees pass linearly; eSCN's own networks use S² activations,
 * see EquiformerV2), and the in-degree mean of {@link GraphEdges}. Cost O(E·L³·C²) for the SO(2) maps instead of
 * the O(E·L⁶·C²) of Clebsch–Gordan products; the Wigner-D matrices come from the {@link IrrepAlgebra} service.
 * Weights: {@code SplittableRandom(seed)}, W_in, each layer's θ ({@link So2Convolution#init}), W_out. Computed in
 * float64 on the heap (the backend is not used) and returned in the input's element type.
 *
 * <p>coords [N, 3], feats [N, channels of {@code in}] ({@link IrrepLayout}), edges int64 [2, E] (null = fully
 * connected) → coords null, feats [N, channels of {@code out}]; inputs not modified. Equivariance: SO(3) and
 * translations (only r_ij = x_j − x_i is read), node permutations; not reflections.
 */
@Component(service = EquivariantMethod.class)
@EquivarianceMethod(id = "escn", name = "eSCN", family = "graph",
    paper = "Reducing SO(3) Convolutions to SO(2) for Efficient Equivariant GNNs", arxiv = "2302.03655",
    year = 2023, cost = "O(E·L^3·C^2)",
    options = {"in=input irreps, e.g. 4x0+2x1 (default: every channel a scalar)", "out=output irreps (default: in)",
        "hidden=channels per degree (default 4)", "degree=largest degree L (default 2)",
        "mmax=largest order |m| kept in the SO(2) maps (default L)", "layers=SO(2) convolution layers (default 2)",
        "basis=Gaussian radial functions (default 8)", "cutoff=largest radial centre (default 3.0)"},
    symmetries = {"SO(3)", "SE(3)", "permutation:nodes"})
public final class Escn implements EquivariantMethod {
    private final IrrepAlgebra algebra;

    /** @param algebra the E(3) building blocks (a static, mandatory reference) */
    @Activate
    public Escn(@Reference IrrepAlgebra algebra) {
        this.algebra = algebra;
    }

    @Override
    public GeometricOutput apply(GeometricInput input, ComputeBackend backend) {
        SteerableGraph in = SteerableGraph.read(input);
        Parameters p = in.params();
        int degree = p.integer("degree", 2, 0);
        IrrepLayout hidden = IrrepLayout.uniform(p.integer("hidden", 4, 1), degree);
        int mmax = Math.min(p.integer("mmax", degree, 0), degree);
        int layers = p.integer("layers", 2, 0);
        int basis = p.integer("basis", 8, 1);
        double cutoff = p.positive("cutoff", 3.0);
        IrrepLayout out = in.out();
        int n = in.x().length;
        Neighbours g = Neighbours.of(input.edges(), n);
        SplittableRandom random = new SplittableRandom(input.seed());
        DegreeLinear embed = DegreeLinear.init(random, in.in(), hidden);
        So2Convolution[] conv = new So2Convolution[layers];
        for (int t = 0; t < layers; t++) {
            conv[t] = So2Convolution.init(random, hidden, hidden, mmax, basis, cutoff);
        }
        DegreeLinear readout = DegreeLinear.init(random, hidden, out);
        double[][][][] h = new double[n][][][];
        for (int i = 0; i < n; i++) {
            h[i] = embed.apply(in.h()[i]);
        }
        for (int t = 0; t < layers; t++) {
            double[][][][] next = new double[n][][][];
            for (int i = 0; i < n; i++) {
                next[i] = copy(h[i]);
            }
            for (int e = 0; e < g.count(); e++) {
                int i = g.target()[e];
                int j = g.source()[e];
                double[] r = EdgeGeometry.of(algebra, in.x()[i], in.x()[j], 0, 1, cutoff).r();
                double[][][] msg = conv[t].message(algebra, h[j], r, 0);
                double scale = 1.0 / Math.max(1, g.incoming()[i].length);
                for (int l = 0; l <= degree; l++) {
                    for (int c = 0; c < hidden.mul(l); c++) {
                        for (int m = 0; m <= 2 * l; m++) {
                            next[i][l][c][m] += scale * msg[l][c][m];
                        }
                    }
                }
            }
            if (t < layers - 1) {
                for (double[][][] node : next) {
                    for (int c = 0; c < hidden.mul(0); c++) {
                        double v = node[0][c][0];
                        node[0][c][0] = v / (1 + Math.exp(-v));
                    }
                }
            }
            h = next;
        }
        double[][][][] result = new double[n][][][];
        for (int i = 0; i < n; i++) {
            result[i] = readout.apply(h[i]);
        }
        return new GeometricOutput(null, out.pack(result, in.dtype()));
    }

    private static double[][][] copy(double[][][] f) {
        double[][][] out = new double[f.length][][];
        for (int l = 0; l < f.length; l++) {
            out[l] = new double[f[l].length][];
            for (int c = 0; c < f[l].length; c++) {
                out[l][c] = f[l][c].clone();
            }
        }
        return out;
    }
}

package org.attune.equivariance.graph;

import java.util.Arrays;

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
 * EqMotion: equivariant multi-agent motion prediction. Xu, Tan, Tan, Chen, Wang, Wang and Wang, "EqMotion:
 * Equivariant Multi-agent Motion Prediction with Invariant Interaction Reasoning", CVPR 2023, arXiv:2303.10876,
 * transcribed from the authors' code (MediaBrain-SJTU/EqMotion, {@code n_body_system/model_t.py} and
 * {@code gcl_t.py}; the formulas below are that code's, not renumbered paper equations). Agent a has a history x_a ∈ R^{P×d} and velocities v_a ∈ R^{P×d};
 * its geometric feature G_a ∈ R^{C×d} holds C channels of d-vectors, its pattern feature h_a ∈ R^H is invariant.
 * <pre>
 *   θ_{a,t} = arccos clamp(⟨v_{a,t−1}, v_{a,t}⟩ / ((‖v_{a,t−1}‖ + 10⁻⁶)(‖v_{a,t}‖ + 10⁻⁶)), −1, 1),  v_{a,−1} = v_{a,0}
 *   x̄ = mean_{a,t} x_{a,t};   X_a = DCT_P (x_a − x̄),  V_a = DCT_P v_a              (time → frequency)
 *   h_a = [W_e feats_a + b_e ; W_θ θ_a + b_θ]                                        (invariant pattern feature)
 *   G_a = W_G (X_a − m) + m,  m = mean_{a,k} X_{a,k};   U_a = W_V V_a                (equivariant feature learning)
 *   interaction: ρ_ij = φ_ρ(‖[G;U]_i − [G;U]_j‖ per channel),  e_ij = φ_e(h_i, h_j, ρ_ij),
 *                ĥ_i = φ_n(h_i, Σ_{j≠i} e_ij),  c_ij = softmax_k φ_c(ĥ_i, ĥ_j, ρ_ij)      (invariant reasoning, K categories)
 *   each layer:  d_ij = G_i − G_j,  r_ij = ‖d_ij‖ per channel,  e_ij = φ_edge(h_i, h_j, r_ij)
 *                G_i ← G_i + SiLU(W_q h_i + b_q) ⊙ (G_i − mean_{a,c} G_{a,c})               (inner-agent attention)
 *                G_i ← G_i + Σ_j φ_f(Σ_k c_ijk φ_k(h_i, h_j, r_ij)) ⊙ d_ij                  (channel-wise, eq. aggregation)
 *                G_i ← G_i + W_cv U_i
 *                G ← n(G):  Q = W_Q(G − μ), K = W_K(G − μ), μ = mean_{a,c} G_{a,c};
 *                           per channel Q_c − min(⟨Q_c, K_c⟩, 0)/(‖K_c‖² + 10⁻⁴)·K_c, plus μ      (equivariant non-linearity)
 *                h_i ← h_i + φ_node(h_i, Σ_{j≠i} e_ij)
 *   prediction:  y_a = DCT_F^T (W_out (G_a − μ) + μ) + x̄ ∈ R^{F×d}
 * </pre>
 * Every φ is Linear → SiLU → Linear → SiLU (φ_node without the last SiLU); every W acting on G, U or X mixes
 * channels (or frames) only, so it commutes with the orthogonal action on the d-axis. Equivariance: for every
 * orthogonal Q (reflections included) and translation t, y(Qx + t, Qv) = Q·y(x, v) + t and h is unchanged, in
 * any dimension d; permuting the agents permutes y and h. Weights come from {@link EqMotionWeights} with the
 * input's seed. The interaction categories are computed once, before the layers, as in the reference code.
 *
 * <p>coords [N·P, d]: the agents' histories, agent-major (row a·P + t holds x_{a,t}); feats [N·P, C₀]: invariant
 * features per frame (the reference passes the speeds ‖v_{a,t}‖, C₀ = 1); velocities [N·P, d] or null, then the
 * reference code's differences v_{a,t} = x_{a,t} − x_{a,t−1}, v_{a,0} = v_{a,1} (zero when P = 1); edges must be
 * null (all agents interact) → coords [N·F, d]: the predicted futures, agent-major; feats [N, H]: the final
 * pattern features. Inputs not modified. Options: {@code past} P (default 1), {@code future} F (default P),
 * {@code layers} (4), {@code hidden} H (64, even), {@code channels} C (64), {@code categories} K (2).
 */
@Component(service = EquivariantMethod.class)
@EquivarianceMethod(id = "eqmotion", name = "EqMotion", family = "graph",
    paper = "EqMotion: Equivariant Multi-agent Motion Prediction with Invariant Interaction Reasoning",
    arxiv = "2303.10876", year = 2023, cost = "O(n^2)",
    options = {"past=history frames P per agent; coords has N·P rows (default 1)",
        "future=predicted frames F per agent (default: past)", "layers=feature-learning layers (default 4)",
        "hidden=pattern-feature width H, even (default 64)", "channels=geometric channels C (default 64)",
        "categories=interaction categories K (default 2)"},
    symmetries = {"E(2)", "E(3)", "O(3)", "permutation:nodes"})
public final class EqMotion implements EquivariantMethod {
    static final double ANGLE_EPS = 1e-6;
    static final double NONLINEAR_EPS = 1e-4;

    @Override
    public GeometricOutput apply(GeometricInput in, ComputeBackend backend) {
        Tensor x = in.coords();
        Tensor f = in.feats();
        if (x == null || x.rank() != 2 || !x.dtype().isFloating()) {
            throw new InvalidInputException("coords", "expected floating [agents·past, dim], got " + describe(x));
        }
        DType dtype = x.dtype();
        int rows = x.dim(0);
        int d = x.dim(1);
        int past = in.parameters().integer("past", 1, 1);
        if (rows == 0 || rows % past != 0) {
            throw new InvalidInputException("coords", "expected agents·past rows with past = " + past
                + " and at least one agent, got " + rows);
        }
        int n = rows / past;
        if (f == null || f.rank() != 2 || f.dim(0) != rows || f.dtype() != dtype) {
            throw new InvalidInputException("feats", "expected " + dtype.shortName() + " [" + rows + ", channels], got "
                + describe(f));
        }
        Tensor v = in.velocities();
        if (v != null && (v.rank() != 2 || v.dim(0) != rows || v.dim(1) != d)) {
            throw InvalidInputException.shape("velocities", "[" + rows + ", " + d + "]", v.shape());
        }
        if (in.edges() != null) {
            throw new InvalidInputException("edges", "expected none: EqMotion lets every agent interact with every other");
        }
        int future = in.parameters().integer("future", past, 1);
        int layers = in.parameters().integer("layers", 4, 0);
        int hidden = in.parameters().integer("hidden", 64, 2);
        if (hidden % 2 != 0) {
            throw new InvalidInputException("hidden", "expected an even width (two embeddings of H/2), got " + hidden);
        }
        int channels = in.parameters().integer("channels", 64, 1);
        int categories = in.parameters().integer("categories", 2, 1);
        EqMotionWeights w = new EqMotionWeights(in.seed(), past, future, f.dim(1), hidden, channels, categories, layers);
        GraphEdges edges = GraphEdges.of(null, n);

        Tensor vel = v == null ? differences(backend, x, n, past) : v.to(dtype);
        Tensor angles = turningAngles(backend, vel, n, past);
        Tensor centre = backend.reduce(Reduction.MEAN, x, 0, true);
        Tensor dct = dct(past).to(dtype);
        // [N, d, P]: frames become the channel axis, so DCT and channel maps are right products
        Tensor xs = backend.matmul(sub(backend, x, centre).reshape(n, past, d), dct, true, true, null);
        Tensor vs = backend.matmul(vel.reshape(n, past, d), dct, true, true, null);
        Tensor h = add(backend, w.embedding.apply(backend, f.reshape(n, past * f.dim(1))),
            w.angleEmbedding.apply(backend, angles));
        Tensor g = channelMapAround(backend, xs, w.coordTrans);
        Tensor u = channelMap(backend, vs, w.velTrans);
        Tensor category = interactionCategories(backend, w, edges, h, g, u);
        for (EqMotionWeights.Layer layer : w.layers) {
            Tensor diff = sub(backend, backend.gather(g, edges.target()), backend.gather(g, edges.source()));
            Tensor dist = channelNorms(backend, diff);
            Tensor hi = backend.gather(h, edges.target());
            Tensor hj = backend.gather(h, edges.source());
            Tensor edgeFeat = layer.edge().apply(backend, hi, hj, dist);
            Tensor att = SiluMlp.silu(backend, layer.attention().apply(backend, h)).reshape(n, 1, channels);
            g = add(backend, g, backend.binary(BinaryOp.MUL, att, sub(backend, g, agentChannelMean(backend, g)), null));
            Tensor factors = null;
            for (int k = 0; k < categories; k++) {
                Tensor weighted = backend.binary(BinaryOp.MUL, column(backend, category, k),
                    layer.categories().get(k).apply(backend, hi, hj, dist), null);
                factors = factors == null ? weighted : add(backend, factors, weighted);
            }
            factors = layer.factor().apply(backend, factors);
            Tensor move = backend.scatterAdd(backend.binary(BinaryOp.MUL, diff,
                factors.reshape(factors.dim(0), 1, channels), null), edges.target(), n);
            g = add(backend, add(backend, g, move), channelMap(backend, u, layer.coordVel()));
            g = nonLinearity(backend, g, layer.query(), layer.key());
            h = add(backend, h, layer.node().apply(backend, h, backend.scatterAdd(edgeFeat, edges.target(), n)));
        }
        Tensor freq = channelMapAround(backend, g, w.predictHead);
        Tensor times = backend.matmul(freq, dct(future).to(dtype), false, false, null);
        Tensor y = backend.matmul(times, identity(d).to(dtype), true, false, null).reshape(n * future, d);
        return new GeometricOutput(add(backend, y, centre), h);
    }

    /** Softmax over K of φ_c(ĥ_i, ĥ_j, φ_ρ(channel distances of [G; U])): [edges, K]. */
    private static Tensor interactionCategories(ComputeBackend backend, EqMotionWeights w, GraphEdges edges, Tensor h,
                                                Tensor g, Tensor u) {
        Tensor gd = channelNorms(backend, sub(backend, backend.gather(g, edges.target()), backend.gather(g, edges.source())));
        Tensor ud = channelNorms(backend, sub(backend, backend.gather(u, edges.target()), backend.gather(u, edges.source())));
        Tensor rho = w.interactionCoord.apply(backend, gd, ud);
        Tensor e = w.interactionEdge.apply(backend, backend.gather(h, edges.target()), backend.gather(h, edges.source()), rho);
        Tensor node = w.interactionNode.apply(backend, h, backend.scatterAdd(e, edges.target(), h.dim(0)));
        Tensor logits = w.interactionCategory.apply(backend, backend.gather(node, edges.target()),
            backend.gather(node, edges.source()), rho);
        return backend.softmax(logits, 1, null, null);
    }

    /** The reference's non-linearity: Q_c, minus its component along K_c where ⟨Q_c, K_c⟩ < 0; around μ. */
    private static Tensor nonLinearity(ComputeBackend backend, Tensor g, DenseLayer query, DenseLayer key) {
        Tensor mu = agentChannelMean(backend, g);
        Tensor centred = sub(backend, g, mu);
        Tensor q = channelMap(backend, centred, query);
        Tensor k = channelMap(backend, centred, key);
        Tensor product = backend.reduce(Reduction.SUM, backend.binary(BinaryOp.MUL, q, k, null), 1, true);
        Tensor kk = backend.reduce(Reduction.SUM, backend.binary(BinaryOp.MUL, k, k, null), 1, true);
        Tensor negative = backend.binary(BinaryOp.MIN, product, Tensor.scalar(g.dtype(), 0), null);
        Tensor scale = backend.binary(BinaryOp.DIV, negative,
            backend.binary(BinaryOp.ADD, kk, Tensor.scalar(g.dtype(), NONLINEAR_EPS), null), null);
        return add(backend, sub(backend, q, backend.binary(BinaryOp.MUL, scale, k, null)), mu);
    }

    /** v_{a,t} = x_{a,t} − x_{a,t−1} for t ≥ 1 and v_{a,0} = v_{a,1}; zero when P = 1. */
    private static Tensor differences(ComputeBackend backend, Tensor x, int n, int past) {
        long[] now = new long[n * past];
        long[] before = new long[n * past];
        for (int a = 0; a < n; a++) {
            for (int t = 0; t < past; t++) {
                int s = Math.min(Math.max(t, 1), past - 1);
                now[a * past + t] = a * past + s;
                before[a * past + t] = a * past + Math.max(s - 1, 0);
            }
        }
        return sub(backend, backend.gather(x, Tensor.of(now, now.length)), backend.gather(x, Tensor.of(before, before.length)));
    }

    /** θ_{a,t}, the angle between consecutive velocities: [N, P]. */
    private static Tensor turningAngles(ComputeBackend backend, Tensor vel, int n, int past) {
        long[] previous = new long[n * past];
        for (int a = 0; a < n; a++) {
            for (int t = 0; t < past; t++) {
                previous[a * past + t] = a * past + Math.max(t - 1, 0);
            }
        }
        DType dtype = vel.dtype();
        Tensor prev = backend.gather(vel, Tensor.of(previous, previous.length));
        Tensor dot = backend.reduce(Reduction.SUM, backend.binary(BinaryOp.MUL, prev, vel, null), 1, true);
        Tensor eps = Tensor.scalar(dtype, ANGLE_EPS);
        Tensor norms = backend.binary(BinaryOp.MUL, add(backend, rowNorms(backend, prev), eps),
            add(backend, rowNorms(backend, vel), eps), null);
        Tensor cos = backend.binary(BinaryOp.DIV, dot, norms, null);
        cos = backend.binary(BinaryOp.MAX, backend.binary(BinaryOp.MIN, cos, Tensor.scalar(dtype, 1), null),
            Tensor.scalar(dtype, -1), null);
        // arccos is not among the backend's unary operations: applied element by element to the N·P cosines
        Tensor angles = Tensor.zeros(dtype, n, past);
        for (int i = 0; i < angles.size(); i++) {
            angles.setFlat(i, Math.acos(cos.getFlat(i)));
        }
        return angles;
    }

    /** The orthonormal DCT-II matrix of the reference code: D[k, i] = w_k cos(π (i + ½) k / P), w_0 = √(1/P), else √(2/P). */
    static Tensor dct(int size) {
        Tensor m = Tensor.zeros(DType.FLOAT64, size, size);
        for (int k = 0; k < size; k++) {
            double wk = Math.sqrt((k == 0 ? 1.0 : 2.0) / size);
            for (int i = 0; i < size; i++) {
                m.set(wk * Math.cos(Math.PI * (i + 0.5) * k / size), k, i);
            }
        }
        return m;
    }

    private static Tensor identity(int d) {
        Tensor m = Tensor.zeros(DType.FLOAT64, d, d);
        for (int i = 0; i < d; i++) {
            m.set(1, i, i);
        }
        return m;
    }

    /** Column k of [rows, K] as [rows, 1]. */
    private static Tensor column(ComputeBackend backend, Tensor m, int k) {
        Tensor pick = Tensor.zeros(m.dtype(), m.dim(1), 1);
        pick.set(1, k, 0);
        return backend.matmul(m, pick, false, false, null);
    }

    /** X·W over the channel axis of [N, d, C]. */
    private static Tensor channelMap(ComputeBackend backend, Tensor g, DenseLayer map) {
        return backend.matmul(g, map.weight().to(g.dtype()), false, false, null);
    }

    /** W(X − m) + m with m the mean over agents and channels. */
    private static Tensor channelMapAround(ComputeBackend backend, Tensor g, DenseLayer map) {
        Tensor m = agentChannelMean(backend, g);
        return add(backend, channelMap(backend, sub(backend, g, m), map), m);
    }

    /** Mean over agents (axis 0) and channels (axis 2) of [N, d, C]: [1, d, 1]. */
    private static Tensor agentChannelMean(ComputeBackend backend, Tensor g) {
        return backend.reduce(Reduction.MEAN, backend.reduce(Reduction.MEAN, g, 0, true), 2, true);
    }

    /** ‖·‖ over the d-axis of [E, d, C]: [E, C]. */
    private static Tensor channelNorms(ComputeBackend backend, Tensor diff) {
        return backend.unary(UnaryOp.SQRT, backend.reduce(Reduction.SUM,
            backend.binary(BinaryOp.MUL, diff, diff, null), 1, false), null);
    }

    /** ‖·‖ of each row of [rows, d]: [rows, 1]. */
    private static Tensor rowNorms(ComputeBackend backend, Tensor x) {
        return backend.unary(UnaryOp.SQRT, backend.reduce(Reduction.SUM, backend.binary(BinaryOp.MUL, x, x, null), 1, true), null);
    }

    private static Tensor add(ComputeBackend backend, Tensor a, Tensor b) {
        return backend.binary(BinaryOp.ADD, a, b, null);
    }

    private static Tensor sub(ComputeBackend backend, Tensor a, Tensor b) {
        return backend.binary(BinaryOp.SUB, a, b, null);
    }

    private static String describe(Tensor t) {
        return t == null ? "none" : t.dtype().shortName() + " " + Arrays.toString(t.shape());
    }
}

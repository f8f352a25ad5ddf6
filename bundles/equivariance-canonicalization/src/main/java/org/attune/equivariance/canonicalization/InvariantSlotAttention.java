package org.attune.equivariance.canonicalization;

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
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Invariant Slot Attention: Slot Attention whose keys see each input position in the slot's own reference frame
 * (position, rotation, scale). Biza, van Steenkiste, Sajjadi, Elsayed, Mahendran and Kipf, "Invariant Slot
 * Attention: Object Discovery with Slot-Centric Reference Frames", arXiv:2302.04973 (ICML 2023);
 * plain Slot Attention: Locatello et al., "Object-Centric Learning with Slot Attention", arXiv:2006.15055,
 * Algorithm 1. Checked against the authors' {@code invariant_slot_attention/modules/invariant_attention.py}
 * ({@code SlotAttentionTranslRotScaleEquiv}: keys k_i + grid_proj(rel), softmax over slots, weights renormalised
 * over inputs, frames from the new attention after every round, one extra round that updates only the frames).
 * For positions g [N, d], features x [N, C], K slots of width D and the frames of {@link SlotFrames}:
 * <pre>
 *   k = LN(x)·W_k,  v = LN(x)·W_v,  slots = slots₀
 *   repeat T + 1 times (round t = 0 … T):
 *     q = LN(slots)·W_q
 *     logits_{k,i} = q_k · (k_i + h(rel_{k,i})) / √D,   h(r) = ReLU(r·W_g1 + b_g1)·W_g2 + b_g2   (h ≡ 0 in round 0)
 *     a = softmax over the slots k;   w_{k,i} = (a_{k,i} + ε) / Σ_j (a_{k,j} + ε),   ε = 1e-8
 *     frames = SlotFrames(w, g)
 *     if t &lt; T:  slots = GRU(w·v, slots);  slots = slots + MLP(LN(slots))
 *   out: coords = positions p_k [K, d], feats = slots [K, D]
 * </pre>
 * LN normalises the last axis without affine parameters (ε = 1e-5); GRU is PyTorch's {@code GRUCell} on row
 * vectors; MLP(y) = ReLU(y·W_m1 + b_m1)·W_m2 + b_m2 ({@link SlotWeights}). With {@code frames=false}, h ≡ 0 and
 * the slots are exactly those of plain Slot Attention with T iterations.
 *
 * <p>Invariance: the relative grid is unchanged when the positions move by g ↦ c·Q·g + t (Q ∈ O(d), c &gt; 0), and
 * neither x nor the slots depend on g otherwise, so the slots are invariant and the positions equivariant, for any
 * weights (see {@link SlotFrames}). Two decisions make this exact where the reference code is not: the first round
 * attends by content alone and the first frames come from its attention (the code starts every slot at the image
 * centre with a fixed scale and the image axes, i.e. absolute positions; uniform weights would not do either,
 * since a centrally symmetric pixel grid has no third moment to sign its axes), and
 * the axis signs follow the weighted third moment (the code picks eigenvector signs by image-axis rules that limit
 * rotations to ±45°, which do not turn with the input). Reflections are then covered too. Scales are not clipped,
 * the spread uses w alone (the code adds ε to the attention there), and the weights are Locatello's
 * (a + ε)/Σ(a + ε) rather than the code's a/(Σa + ε), so that frames=false is plain Slot Attention exactly.
 *
 * <p>coords [N, d] (1 ≤ d ≤ 10), feats [N, C] → coords [K, d], feats [K, D] in the input's element type. Options:
 * {@code slots} (K, default 3), {@code iterations} (T, default 3), {@code width} (D, default 16), {@code frames}
 * (default true). Weights from {@code SplittableRandom(seed)} ({@link SlotWeights}).
 */
@Component(service = EquivariantMethod.class)
@EquivarianceMethod(id = "invariant-slot-attention", name = "Invariant Slot Attention", family = "canonicalization",
    paper = "Invariant Slot Attention: Object Discovery with Slot-Centric Reference Frames", arxiv = "2302.04973",
    year = 2023, cost = "O(T·K·N·D·(D + d))",
    options = {"slots=number of slots K (default 3)", "iterations=attention iterations T (default 3)",
        "width=slot width D (default 16)",
        "frames=false: h = 0, plain Slot Attention (default true: slot-centric frames)"},
    symmetries = {"E(2)", "E(3)", "scaling"})
public final class InvariantSlotAttention implements EquivariantMethod {
    static final double EPSILON = 1e-8;
    static final double LAYER_NORM_EPSILON = 1e-5;

    @Override
    public GeometricOutput apply(GeometricInput in, ComputeBackend backend) {
        PointCloud cloud = PointCloud.of(in, 1, 10);
        Parameters options = in.parameters();
        int slots = options.integer("slots", 3, 1);
        int iterations = options.integer("iterations", 3, 1);
        int width = options.integer("width", 16, 1);
        boolean frames = options.flag("frames", true);
        Tensor x = cloud.feats();
        DType t = x.dtype();
        int n = x.dim(0);
        int d = cloud.coords().dim(1);
        double[][] g = rows(cloud.coords());
        SlotWeights w = SlotWeights.init(in.seed(), slots, width, x.dim(1), d);
        Tensor xn = layerNorm(backend, x);
        Tensor k = backend.matmul(xn, w.wk().to(t), false, false, null);
        Tensor v = backend.matmul(xn, w.wv().to(t), false, false, null);
        Tensor s = w.slots().to(t);
        SlotFrames f = null;
        for (int round = 0; round <= iterations; round++) {
            Tensor q = backend.matmul(layerNorm(backend, s), w.wq().to(t), false, false, null);
            Tensor logits = backend.matmul(q, k, false, true, null);
            if (frames && round > 0) {
                // slot j's row of q·(k + h(rel_j))ᵀ; the other rows of each product are not used
                for (int j = 0; j < slots; j++) {
                    Tensor key = backend.binary(BinaryOp.ADD, k, encode(backend, w.grid(), f.relative(j, g), t), null);
                    Tensor all = backend.matmul(q, key, false, true, null);
                    for (int i = 0; i < n; i++) {
                        logits.setFlat(j * n + i, all.getFlat(j * n + i));
                    }
                }
            }
            logits = backend.binary(BinaryOp.MUL, logits, Tensor.scalar(t, 1 / Math.sqrt(width)), null);
            Tensor a = backend.binary(BinaryOp.ADD, backend.softmax(logits, 0, null, null), Tensor.scalar(t, EPSILON), null);
            Tensor weights = backend.binary(BinaryOp.DIV, a, backend.reduce(Reduction.SUM, a, 1, true), null);
            if (frames || round == iterations) {
                f = SlotFrames.of(rows(weights), g);
            }
            if (round < iterations) {
                s = gru(backend, w.gru(), backend.matmul(weights, v, false, false, null), s);
                Tensor[] m = w.mlp();
                Tensor hidden = backend.unary(UnaryOp.RELU, affine(backend, layerNorm(backend, s), m[0], m[1]), null);
                s = backend.binary(BinaryOp.ADD, s, affine(backend, hidden, m[2], m[3]), null);
            }
        }
        return new GeometricOutput(Tensor.of(flat(f.positions()), slots, d).to(t), s);
    }

    /** h(r) = ReLU(r·W_g1 + b_g1)·W_g2 + b_g2 of the relative grid r [N][d]. */
    private static Tensor encode(ComputeBackend backend, Tensor[] h, double[][] rel, DType t) {
        Tensor r = Tensor.of(flat(rel), rel.length, rel[0].length).to(t);
        return affine(backend, backend.unary(UnaryOp.RELU, affine(backend, r, h[0], h[1]), null), h[2], h[3]);
    }

    /** PyTorch's GRUCell on rows: input u, hidden s; weights W_ir, W_iz, W_in, W_hr, W_hz, W_hn, then the biases. */
    private static Tensor gru(ComputeBackend backend, Tensor[] p, Tensor u, Tensor s) {
        Tensor r = backend.unary(UnaryOp.SIGMOID, add(backend, affine(backend, u, p[0], p[6]), affine(backend, s, p[3], p[9])), null);
        Tensor z = backend.unary(UnaryOp.SIGMOID, add(backend, affine(backend, u, p[1], p[7]), affine(backend, s, p[4], p[10])), null);
        Tensor c = backend.unary(UnaryOp.TANH, add(backend, affine(backend, u, p[2], p[8]),
            backend.binary(BinaryOp.MUL, r, affine(backend, s, p[5], p[11]), null)), null);
        // (1 − z)·c + z·s = c + z·(s − c)
        return add(backend, c, backend.binary(BinaryOp.MUL, z, backend.binary(BinaryOp.SUB, s, c, null), null));
    }

    /** Layer normalisation of the last axis without affine parameters. */
    private static Tensor layerNorm(ComputeBackend backend, Tensor x) {
        DType t = x.dtype();
        Tensor centred = backend.binary(BinaryOp.SUB, x, backend.reduce(Reduction.MEAN, x, 1, true), null);
        Tensor variance = backend.reduce(Reduction.MEAN, backend.unary(UnaryOp.SQUARE, centred, null), 1, true);
        Tensor std = backend.unary(UnaryOp.SQRT, backend.binary(BinaryOp.ADD, variance,
            Tensor.scalar(t, LAYER_NORM_EPSILON), null), null);
        return backend.binary(BinaryOp.DIV, centred, std, null);
    }

    private static Tensor affine(ComputeBackend backend, Tensor x, Tensor weight, Tensor bias) {
        DType t = x.dtype();
        return add(backend, backend.matmul(x, weight.to(t), false, false, null), bias.to(t));
    }

    private static Tensor add(ComputeBackend backend, Tensor a, Tensor b) {
        return backend.binary(BinaryOp.ADD, a, b, null);
    }

    private static double[][] rows(Tensor m) {
        double[][] a = new double[m.dim(0)][m.dim(1)];
        for (int i = 0; i < m.size(); i++) {
            a[i / m.dim(1)][i % m.dim(1)] = m.getFlat(i);
        }
        return a;
    }

    private static double[] flat(double[][] m) {
        double[] out = new double[m.length * m[0].length];
        for (int i = 0; i < m.length; i++) {
            System.arraycopy(m[i], 0, out, i * m[0].length, m[0].length);
        }
        return out;
    }
}

package org.attune.positional.bias;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.AttentionProblem;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Npy;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * CoulGAT: graph attention whose coefficients come from a node–node matrix (e.g. inverse powers of atomic
 * distances) raised element-wise to learnable powers, the "screened Coulomb" attention. Gokden, "CoulGAT: An
 * Experiment on Interpretability of Graph Attention Networks", arXiv:1912.08409; transcribed from the author's
 * public code (burcgokden/CoulGAT-Graph-Attention-Interpretability, {@code gatt_model.py},
 * {@code GattModel.single_attn_mod} and {@code single_hidden_out}), per head κ:
 * <pre>
 *   X = merge(v) [B, N, F_in] (node features),   A [N, N] or [B, N, N] (the node–node matrix, --opt matrix)
 *   Z = X W_κᵀ + b_κᵀ                    [B, N, F']     (reference: WH = W H + b, features × nodes)
 *   Â_jm = exp(A_jm^{P_κ,jm}) / Σ_m' exp(A_jm'^{P_κ,jm'})           (softmax over m of the powered matrix)
 *   e_ij = LeakyReLU( Σ_f a_κ,if Σ_m Â_jm Z_mf ),   slope 0.2       (reference: a · (WH Âᵀ))
 *   α_ij = softmax_j(e_ij),   out[b, κ, i, :] = Σ_j α_ij Z_j
 * </pre>
 * W_κ [F', F_in], b_κ [F', N], a_κ [N, F'] and P_κ [N, N] are learned per head (a, b and P per node, so the layer
 * is tied to N nodes); with {@code power=false} the matrix enters unpowered (the reference's {@code enable_pw=False},
 * equal to P ≡ 1). The layer's own activation (ReLU or identity in the reference's blocks) and the concatenation of
 * heads are left to the caller: the result [B, heads, N, F'] holds head κ in slot κ, which merged is the
 * reference's concatenation. q and k only give shapes (Nq = Nk = N, the batch of v); their values are not read.
 * Options: {@code matrix=FILE.npy} (required; entries &gt; 0 when powered), {@code heads} (default 1),
 * {@code features} F' (default the head width of v), {@code power} (default true), {@code weights=DIR} holding
 * w.npy [heads, F', F_in], b.npy [heads, F', N], a.npy [heads, N, F'], p.npy [heads, N, N], or else {@code seed}
 * (default 0): per head W, a, P Glorot-uniform (the reference's {@code xavier_initializer}, bound √(6/(rows + cols))
 * of the trailing two axes) in that order, b = 0. The call's mask, causal flag, bias, scale, window, ALiBi slopes,
 * soft cap and sinks are not defined for it and are rejected.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "coulgat", name = "CoulGAT", family = "bias",
    paper = "CoulGAT: An Experiment on Interpretability of Graph Attention Networks", arxiv = "1912.08409",
    year = 2019, cost = "O(N^2 F')",
    options = {
        "matrix=.npy file of the node-node matrix A, [N, N] or [batch, N, N]; entries > 0 when power=true (required)",
        "heads=number of attention heads; default 1",
        "features=output features F' per head; default the head width of v",
        "power=true raises A element-wise to the learned powers P, false uses A as it is; default true",
        "weights=directory holding w.npy [heads, F', F_in], b.npy [heads, F', N], a.npy [heads, N, F'], p.npy [heads, N, N]",
        "seed=seed of the Glorot-uniform W, a, P per head in that order (SplittableRandom), b = 0; default 0"},
    symmetries = {})
public final class CoulGat implements AttentionMechanism {
    /** tf.nn.leaky_relu's default negative slope, used by the reference. */
    static final double SLOPE = 0.2;

    /** The learned parameters of one head, float64. */
    private record Head(Tensor w, Tensor b, Tensor a, Tensor p) {
    }

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        AttentionOptions o = call.options();
        AttentionProblem problem = AttentionProblem.of(call.q(), call.k(), call.v(), o, null);
        rejectOptions(o);
        int n = problem.nk();
        if (problem.nq() != n) {
            throw new InvalidInputException("q", "expected one query per node, Nq = Nk = " + n + ", got Nq = "
                + problem.nq());
        }
        Tensor v = call.v();
        DType dtype = v.dtype();
        int batch = v.dim(0), width = v.dim(1) * v.dim(3);
        int heads = positive(call, "heads", 1);
        int features = positive(call, "features", v.dim(3));
        boolean power = switch (call.param("power", "true").strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new InvalidInputException("--opt power", "expected true or false, got '"
                + call.param("power", "") + "'");
        };
        Tensor matrix = matrix(call, batch, n, power);
        Head[] w = heads(call, heads, features, width, n);
        Tensor x = nodes(v);
        Tensor out = Tensor.zeros(dtype, batch, heads, n, features);
        for (int h = 0; h < heads; h++) {
            Tensor z = backend.matmul(x, w[h].w().to(dtype), false, true, null);
            addBias(z, w[h].b());
            Tensor coefficients = backend.softmax(powered(matrix, power ? w[h].p() : null, batch, n, dtype), 2, null,
                null);
            Tensor mixed = backend.matmul(coefficients, z, false, false, null);
            Tensor e = backend.matmul(perBatch(w[h].a(), batch, dtype), mixed, false, true, null);
            for (int i = 0; i < e.size(); i++) {
                double s = e.getFlat(i);
                e.setFlat(i, s >= 0 ? s : SLOPE * s);
            }
            Tensor alpha = backend.softmax(e, 2, null, null);
            Tensor head = backend.matmul(alpha, z, false, false, null);
            for (int b = 0; b < batch; b++) {
                out.select(b).select(h).copyFrom(head.select(b));
            }
        }
        return out;
    }

    private static void rejectOptions(AttentionOptions o) {
        String why = "not defined for coulgat, whose coefficients come from the node-node matrix; pass none";
        if (o.mask().isPresent()) {
            throw new InvalidInputException("mask", why);
        }
        if (o.causal()) {
            throw new InvalidInputException("causal", why);
        }
        if (o.bias().isPresent()) {
            throw new InvalidInputException("bias", why);
        }
        if (o.scale().isPresent()) {
            throw new InvalidInputException("scale", why);
        }
        if (o.windowLeft().isPresent() || o.windowRight().isPresent()) {
            throw new InvalidInputException("window", why);
        }
        if (o.alibiSlopes().isPresent()) {
            throw new InvalidInputException("alibiSlopes", why);
        }
        if (o.softCap().isPresent()) {
            throw new InvalidInputException("softCap", why);
        }
        if (o.sinks().isPresent()) {
            throw new InvalidInputException("sinks", why);
        }
    }

    private static int positive(AttentionCall call, String option, int dflt) {
        int value = call.intParam(option, dflt);
        if (value < 1) {
            throw new InvalidInputException("--opt " + option, "expected an integer >= 1, got " + value);
        }
        return value;
    }

    /** The node–node matrix as [B, N, N] float64 (an [N, N] file is shared by the batch). */
    private static Tensor matrix(AttentionCall call, int batch, int n, boolean power) {
        String file = call.param("matrix", "").strip();
        String option = "--opt matrix";
        if (file.isEmpty()) {
            throw new InvalidInputException(option, "required: a .npy file of the node-node matrix [" + n + ", " + n
                + "] or [" + batch + ", " + n + ", " + n + "]");
        }
        Path path = Path.of(file);
        if (!Files.isRegularFile(path)) {
            throw new InvalidInputException(option, "no such file " + path.toAbsolutePath());
        }
        Tensor a;
        try {
            a = Npy.read(path);
        } catch (IOException e) {
            throw new InvalidInputException(option, "cannot read " + path + ": " + e.getMessage());
        }
        a.requireDType(option, DType.FLOAT32, DType.FLOAT64);
        boolean shared = a.rank() == 2 && a.dim(0) == n && a.dim(1) == n;
        if (!shared && !(a.rank() == 3 && a.dim(0) == batch && a.dim(1) == n && a.dim(2) == n)) {
            throw InvalidInputException.shape(option, "[" + n + ", " + n + "] or [" + batch + ", " + n + ", " + n + "]",
                a.shape());
        }
        a = a.to(DType.FLOAT64);
        Tensor full = Tensor.zeros(DType.FLOAT64, batch, n, n);
        for (int b = 0; b < batch; b++) {
            full.select(b).copyFrom(shared ? a : a.select(b));
        }
        for (int i = 0; power && i < full.size(); i++) {
            if (!(full.getFlat(i) > 0)) {
                throw new InvalidInputException(option, "entries must be > 0 to be raised to learned powers (power=true),"
                    + " got " + full.getFlat(i));
            }
        }
        return full;
    }

    private static Head[] heads(AttentionCall call, int heads, int features, int width, int n) {
        Head[] out = new Head[heads];
        String dir = call.param("weights", "").strip();
        if (dir.isEmpty()) {
            SplittableRandom random = new SplittableRandom(call.longParam("seed", 0));
            ParameterTables.Draw uniform = ParameterTables.Draw.UNIFORM;
            for (int h = 0; h < heads; h++) {
                Tensor w = ParameterTables.draw(random, uniform, Math.sqrt(6.0 / (features + width)), features, width);
                Tensor a = ParameterTables.draw(random, uniform, Math.sqrt(6.0 / (n + features)), n, features);
                Tensor p = ParameterTables.draw(random, uniform, Math.sqrt(6.0 / (n + n)), n, n);
                out[h] = new Head(w, Tensor.zeros(DType.FLOAT64, features, n), a, p);
            }
            return out;
        }
        String option = "--opt weights";
        Tensor w = ParameterTables.read(option, Path.of(dir, "w.npy"), "w.npy [heads, F', F_in]", heads, features, width);
        Tensor b = ParameterTables.read(option, Path.of(dir, "b.npy"), "b.npy [heads, F', N]", heads, features, n);
        Tensor a = ParameterTables.read(option, Path.of(dir, "a.npy"), "a.npy [heads, N, F']", heads, n, features);
        Tensor p = ParameterTables.read(option, Path.of(dir, "p.npy"), "p.npy [heads, N, N]", heads, n, n);
        for (int h = 0; h < heads; h++) {
            out[h] = new Head(w.select(h).copy(), b.select(h).copy(), a.select(h).copy(), p.select(h).copy());
        }
        return out;
    }

    /** x[b, n, κ·D + e] = v[b, κ, n, e]: each node's features, the heads of v concatenated. */
    private static Tensor nodes(Tensor v) {
        int bN = v.dim(0), hN = v.dim(1), n = v.dim(2), d = v.dim(3);
        Tensor x = Tensor.zeros(v.dtype(), bN, n, hN * d);
        for (int b = 0; b < bN; b++) {
            for (int h = 0; h < hN; h++) {
                for (int i = 0; i < n; i++) {
                    for (int e = 0; e < d; e++) {
                        x.set(v.get(b, h, i, e), b, i, h * d + e);
                    }
                }
            }
        }
        return x;
    }

    /** z[b, m, f] += bias[f, m]. */
    private static void addBias(Tensor z, Tensor bias) {
        for (int b = 0; b < z.dim(0); b++) {
            for (int m = 0; m < z.dim(1); m++) {
                for (int f = 0; f < z.dim(2); f++) {
                    z.set(z.get(b, m, f) + bias.get(f, m), b, m, f);
                }
            }
        }
    }

    /** A^P element-wise (A itself when p is null), [B, N, N] in {@code dtype}. */
    private static Tensor powered(Tensor a, Tensor p, int batch, int n, DType dtype) {
        Tensor out = Tensor.zeros(dtype, batch, n, n);
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < n; j++) {
                for (int m = 0; m < n; m++) {
                    double x = a.get(b, j, m);
                    out.set(p == null ? x : Math.pow(x, p.get(j, m)), b, j, m);
                }
            }
        }
        return out;
    }

    /** t [R, S] repeated over the batch, [B, R, S] in {@code dtype}. */
    private static Tensor perBatch(Tensor t, int batch, DType dtype) {
        Tensor out = Tensor.zeros(dtype, batch, t.dim(0), t.dim(1));
        for (int b = 0; b < batch; b++) {
            out.select(b).copyFrom(t.to(dtype));
        }
        return out;
    }
}

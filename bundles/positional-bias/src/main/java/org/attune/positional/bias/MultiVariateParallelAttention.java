package org.attune.positional.bias;

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
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Multi-variate parallel attention (MVPA): attention over tokens indexed by (time t, channel c) with a content
 * term, a Transformer-XL relative-time term and a relative-channel term, causal over time blocks and normalised
 * over all (t', c'). Carzaniga et al., "A foundation model with multi-variate parallel attention to generate
 * neuronal activity" (MVPFormer), arXiv:2506.20354; transcribed from the authors' reference code
 * (IBM/multi-variate-parallel-transformer: {@code layers/mvpa.py} {@code MVPFormerGQAAttention._rel_attn} and the
 * Flash-MVPA kernel {@code attentions/attn.py}, whose relative terms are read at the indices written below).
 * <pre>
 *   token n = t·C + c  (time-major, as the reference's flatten(2, 3) of [T, C]),   g = h / (H / Hkv)
 *   S[b,h,i,j] = scale · ( win(tᵢ, tⱼ) · (qᵢ + u_g)ᵀ kⱼ                               content ("global")
 *                        + (qᵢ + v_g)ᵀ W_{k,R}[g] r[T − 1 − (tᵢ − tⱼ)]                 relative time, R_{tᵢ−tⱼ}
 *                        + (qᵢ + z_g)ᵀ W_{k,C}[g] c[C − 1 − |cᵢ − cⱼ|] )               relative channel
 *                + bias[b,h,i,j]
 *   win(t, t') = 1 if t − t' ≤ w or t = T − 1 (the last query step sees all), else 0 (the content term is dropped,
 *                not masked, as the reference's {@code masked_fill(~window_mask, 0)})
 *   allowed[b,h,i,j] = tⱼ ≤ tᵢ ∧ mask[b,h,i,j];   out[b,h,i,:] = Σ_j softmax_j(S | allowed) v[b,g,j,:]
 * </pre>
 * T = Nq / C is the number of query time steps; r [T, M] holds the reference's learned positional embedding rows
 * (row T − 1 − Δ serves time distance Δ, the Transformer-XL rel-shift of {@code _rel_shift}, which is the explicit
 * gather written above on every causal entry) and c [C, M] its channel embedding rows (row C − 1 − |c − c'|, the
 * gather of {@code _rel_shift_chan}). W_{k,R}, W_{k,C} [Hkv, D, M] are the reference's {@code position_net} and
 * {@code channel_net} per kv head, u, v, z [Hkv, D] its {@code attn_bias} split in three. q [B, H, Nq, D],
 * k [B, Hkv, Nk, D], v [B, Hkv, Nk, Dv] are the projected heads (this method has no input or output projections),
 * Nq and Nk multiples of C; the result is [B, H, Nq, Dv] in q's type; inputs not modified.
 *
 * <p>The method is causal over time blocks whatever the call's causal flag (the reference's self-attention always
 * is; with C = 1 it is ordinary causal attention). Options: {@code channels} C (default 1), {@code window} w
 * (default 10, the reference's; {@code none} keeps the content term everywhere), {@code global} (default true;
 * false drops the content term, the reference's {@code global_att=False}), {@code weights=DIR} holding r.npy,
 * c.npy, wr.npy, wc.npy, u.npy, v.npy, z.npy, or else {@code seed} (default 0) drawing them all from N(0, 0.02²),
 * the reference's {@code initializer_range}, in that order with M = H·D. Scale (default 1/√D), mask and bias act
 * as in {@link AttentionOptions}; the call's window, ALiBi slopes, soft cap and sinks are rejected. A query whose
 * keys are all masked gives a zero row.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "mvpa", name = "Multi-variate parallel attention (MVPA)", family = "bias",
    paper = "A foundation model with multi-variate parallel attention to generate neuronal activity",
    arxiv = "2506.20354", year = 2025, cost = "O((C*T)^2)",
    options = {
        "channels=number of channels C; tokens are time-major, n = t*C + c; must divide Nq and Nk; default 1",
        "window=time steps w the content term reaches back (t - t' <= w; the last query step sees all), or none; default 10",
        "global=true keeps the content term (q+u).k, false drops it; default true",
        "weights=directory holding r.npy [T, M], c.npy [C, M], wr.npy and wc.npy [kv_heads, dim, M], u.npy, v.npy, z.npy [kv_heads, dim]",
        "seed=seed of r, c, wr, wc, u, v, z ~ N(0, 0.02^2) in that order (SplittableRandom), M = heads*dim; default 0"},
    symmetries = {})
public final class MultiVariateParallelAttention implements AttentionMechanism {
    /** Option: the number of channels. */
    static final String CHANNELS = "channels";
    /** Option: the content term's time window. */
    static final String WINDOW = "window";
    /** Option: whether the content term is present. */
    static final String GLOBAL = "global";
    /** The reference's content window, {@code window_size=10}. */
    static final int DEFAULT_WINDOW = 10;
    /** The reference's {@code initializer_range}. */
    static final double INIT_STD = 0.02;

    /** The learned parameters of one call, float64. */
    private record Parameters(Tensor r, Tensor c, Tensor wr, Tensor wc, Tensor u, Tensor v, Tensor z) {
    }

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        Tensor q = call.q(), k = call.k(), v = call.v();
        AttentionOptions o = call.options();
        AttentionProblem p = AttentionProblem.of(q, k, v, o, null);
        rejectUndefined(o);
        int channels = call.intParam(CHANNELS, 1);
        if (channels < 1 || p.nq() % channels != 0 || p.nk() % channels != 0) {
            throw new InvalidInputException("--opt " + CHANNELS, "expected a positive divisor of Nq = " + p.nq()
                + " and Nk = " + p.nk() + " (tokens n = t*C + c), got " + call.param(CHANNELS, ""));
        }
        int window = window(call);
        boolean global = global(call);
        int steps = p.nq() / channels;
        Parameters w = parameters(call, steps, channels, p.kvHeads(), p.d(), p.queryHeads() * p.d());
        DType dtype = q.dtype();
        int bN = p.batch(), hN = p.queryHeads(), gN = p.kvHeads(), group = p.groupSize();
        int nq = p.nq(), nk = p.nk(), d = p.d();

        // the three key sets: content keys k, time keys W_{k,R} r [Hkv, T, D], channel keys W_{k,C} c [Hkv, C, D]
        Tensor timeKeys = perBatch(projected(w.wr(), w.r()), bN, dtype);
        Tensor channelKeys = perBatch(projected(w.wc(), w.c()), bN, dtype);
        Tensor content = global ? scores(biased(q, w.u(), group), k, p, backend) : null;
        Tensor time = scores(biased(q, w.v(), group), timeKeys, p, backend);
        Tensor channel = scores(biased(q, w.z(), group), channelKeys, p, backend);

        Tensor logits = Tensor.zeros(dtype, bN, hN, nq, nk);
        Tensor allowed = Tensor.zeros(DType.BOOL, bN, hN, nq, nk);
        Tensor mask = o.mask().orElse(null), bias = o.bias().orElse(null);
        int[] ms = p.maskStrides(), bs = p.biasStrides();
        for (int b = 0; b < bN; b++) {
            for (int h = 0; h < hN; h++) {
                for (int i = 0; i < nq; i++) {
                    int ti = i / channels, ci = i % channels;
                    int row = (b * hN + h) * nq + i;
                    for (int j = 0; j < nk; j++) {
                        int tj = j / channels, cj = j % channels;
                        int at = row * nk + j;
                        boolean ok = tj <= ti && (mask == null
                            || mask.getBooleanFlat(b * ms[0] + h * ms[1] + i * ms[2] + j * ms[3]));
                        if (!ok) {
                            continue;
                        }
                        double s = time.getFlat(row * steps + steps - 1 - (ti - tj))
                            + channel.getFlat(row * channels + channels - 1 - Math.abs(ci - cj));
                        if (global && (window < 0 || ti - tj <= window || ti == steps - 1)) {
                            s += content.getFlat(at);
                        }
                        s *= p.scale();
                        if (bias != null) {
                            s += bias.getFlat(b * bs[0] + h * bs[1] + i * bs[2] + j * bs[3]);
                        }
                        logits.setFlat(at, s);
                        allowed.setFlat(at, 1);
                    }
                }
            }
        }
        Tensor weights = backend.softmax(logits, 3, allowed, null);
        Tensor grouped = weights.reshape(bN, gN, group * nq, nk);
        return backend.matmul(grouped, v, false, false, null).reshape(p.outputShape());
    }

    private static void rejectUndefined(AttentionOptions o) {
        if (o.windowLeft().isPresent() || o.windowRight().isPresent()) {
            throw new InvalidInputException("window", "not defined for mvpa, whose content window is --opt window;"
                + " pass none");
        }
        if (o.alibiSlopes().isPresent()) {
            throw new InvalidInputException("alibiSlopes", "not defined for mvpa; pass none");
        }
        if (o.softCap().isPresent()) {
            throw new InvalidInputException("softCap", "not defined for mvpa; pass none");
        }
        if (o.sinks().isPresent()) {
            throw new InvalidInputException("sinks", "not defined for mvpa; pass none");
        }
    }

    /** The window w ≥ 0, or −1 for none. */
    private static int window(AttentionCall call) {
        String s = call.param(WINDOW, String.valueOf(DEFAULT_WINDOW)).strip().toLowerCase(Locale.ROOT);
        if (s.equals("none")) {
            return -1;
        }
        int w = call.intParam(WINDOW, DEFAULT_WINDOW);
        if (w < 0) {
            throw new InvalidInputException("--opt " + WINDOW, "expected an integer >= 0 or none, got " + w);
        }
        return w;
    }

    private static boolean global(AttentionCall call) {
        return switch (call.param(GLOBAL, "true").strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new InvalidInputException("--opt " + GLOBAL, "expected true or false, got '"
                + call.param(GLOBAL, "") + "'");
        };
    }

    /** The call's parameters from {@code weights=DIR}, or drawn from {@code seed} with M = {@code width}. */
    private static Parameters parameters(AttentionCall call, int steps, int channels, int kvHeads, int d, int width) {
        String dir = call.param("weights", "").strip();
        if (dir.isEmpty()) {
            SplittableRandom random = new SplittableRandom(call.longParam("seed", 0));
            ParameterTables.Draw normal = ParameterTables.Draw.NORMAL;
            return new Parameters(ParameterTables.draw(random, normal, INIT_STD, steps, width),
                ParameterTables.draw(random, normal, INIT_STD, channels, width),
                ParameterTables.draw(random, normal, INIT_STD, kvHeads, d, width),
                ParameterTables.draw(random, normal, INIT_STD, kvHeads, d, width),
                ParameterTables.draw(random, normal, INIT_STD, kvHeads, d),
                ParameterTables.draw(random, normal, INIT_STD, kvHeads, d),
                ParameterTables.draw(random, normal, INIT_STD, kvHeads, d));
        }
        String option = "--opt weights";
        Tensor r = ParameterTables.read(option, Path.of(dir, "r.npy"), "r.npy [T = Nq / channels, M]", steps, -1);
        int m = r.dim(1);
        String matrices = "[kv_heads, dim, M = " + m + "]";
        return new Parameters(r,
            ParameterTables.read(option, Path.of(dir, "c.npy"), "c.npy [channels, M = " + m + "]", channels, m),
            ParameterTables.read(option, Path.of(dir, "wr.npy"), "wr.npy " + matrices, kvHeads, d, m),
            ParameterTables.read(option, Path.of(dir, "wc.npy"), "wc.npy " + matrices, kvHeads, d, m),
            ParameterTables.read(option, Path.of(dir, "u.npy"), "u.npy [kv_heads, dim]", kvHeads, d),
            ParameterTables.read(option, Path.of(dir, "v.npy"), "v.npy [kv_heads, dim]", kvHeads, d),
            ParameterTables.read(option, Path.of(dir, "z.npy"), "z.npy [kv_heads, dim]", kvHeads, d));
    }

    /** W[g] e[τ] for every kv head g and row τ: w [Hkv, D, M], e [R, M] → [Hkv, R, D], float64. */
    private static Tensor projected(Tensor w, Tensor e) {
        int gN = w.dim(0), d = w.dim(1), m = w.dim(2), rows = e.dim(0);
        Tensor out = Tensor.zeros(DType.FLOAT64, gN, rows, d);
        for (int g = 0; g < gN; g++) {
            for (int t = 0; t < rows; t++) {
                for (int x = 0; x < d; x++) {
                    double s = 0;
                    for (int y = 0; y < m; y++) {
                        s += w.get(g, x, y) * e.get(t, y);
                    }
                    out.set(s, g, t, x);
                }
            }
        }
        return out;
    }

    /** keys [Hkv, R, D] repeated over the batch, [B, Hkv, R, D] in {@code dtype}. */
    private static Tensor perBatch(Tensor keys, int batch, DType dtype) {
        Tensor out = Tensor.zeros(dtype, batch, keys.dim(0), keys.dim(1), keys.dim(2));
        for (int b = 0; b < batch; b++) {
            out.select(b).copyFrom(keys.to(dtype));
        }
        return out;
    }

    /** q + bias[g] on every query of head h, g = h / group: q [B, H, N, D], bias [Hkv, D]; a new tensor. */
    private static Tensor biased(Tensor q, Tensor bias, int group) {
        Tensor out = q.copy();
        int bN = q.dim(0), hN = q.dim(1), n = q.dim(2), d = q.dim(3);
        for (int b = 0; b < bN; b++) {
            for (int h = 0; h < hN; h++) {
                for (int i = 0; i < n; i++) {
                    int base = ((b * hN + h) * n + i) * d;
                    for (int e = 0; e < d; e++) {
                        out.setFlat(base + e, out.getFlat(base + e) + bias.get(h / group, e));
                    }
                }
            }
        }
        return out;
    }

    /** Unscaled scores q·keysᵀ, [B, H, Nq, R], with the query heads of one kv head sharing its keys. */
    private static Tensor scores(Tensor q, Tensor keys, AttentionProblem p, ComputeBackend backend) {
        Tensor grouped = q.reshape(p.batch(), p.kvHeads(), p.groupSize() * p.nq(), p.d());
        return backend.matmul(grouped, keys, false, true, null)
            .reshape(p.batch(), p.queryHeads(), p.nq(), keys.dim(2));
    }
}

package org.attune.attention.core;

import java.nio.file.Path;
import java.util.Locale;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Knocking-heads attention (KHA): multi-head (or grouped-query) attention whose projected heads all pass through
 * one head-shared linear map before the scaled dot product, so that every head's features are learned against
 * the same transform ("knocking" on each other) while each head keeps its own projection.
 * Zhou, Chen, Chen, Lan and Li, "Knocking-Heads Attention", arXiv:2510.23052, Fig. 1 (linear variant; the
 * abstract and figure caption were readable here, the equations were not, so none are numbered):
 * <pre>
 *   Q_h = (x_q W_q + b_q)_h T^Q,   K_g = (x_k W_k + b_k)_g T^K,   V_g = (x_v W_v + b_v)_g T^V
 *   head_h = Attention(Q_h, K_g, V_g),   g = h / (heads / kv-heads)
 *   out = Concat_h(head_h) W_o + b_o
 * </pre>
 * T^Q, T^K, T^V are [Dh, Dh], one each, shared by all heads (the paper's "shared, diagonally-initialised
 * projection"). Documented choice: whether T acts on each head or on the concatenated H·Dh features is not
 * settled by what could be read; a per-head [Dh, Dh] map applied to every head is what "applied across all heads"
 * and "minimal parameters" (Dh² per transform, not (H·Dh)²) describe, so that is the form implemented. T^V is the main transform and T^Q, T^K are optional
 * (Fig. 1's dashed box): option {@code knock=v} (default) applies only T^V, {@code knock=qkv} all three. The
 * paper's MLP variant is not part of this method. With every T = I (the paper's diagonal initialisation, option
 * {@code transform=identity}) KHA is exactly {@link MultiHeadAttention}, or {@link GroupedQueryAttention} with
 * the same {@code kv-heads}. Because the per-head maps are linear, KHA equals the same attention with W_v's
 * head blocks replaced by W_v,h T^V (and b_v,h T^V); the tests check that fold.
 * <p>q, k, v, options {@code heads}, {@code seed}, {@code weights}, mask, bias, causal and scale as for
 * {@link MultiHeadAttention}; {@code kv-heads} as for {@link GroupedQueryAttention} (default {@code heads}).
 * The transforms (option {@code transform}): {@code seeded} (default; Xavier uniform from
 * {@code SplittableRandom(seed + 1)}, order T^Q, T^K, T^V, each drawn only when applied, standing in for trained
 * weights), {@code identity} or {@code files} (tq.npy, tk.npy, tv.npy [Dh, Dh] beside the weights of
 * {@code weights=DIR}). Without mask, bias or causal mask it is equivariant under permutations of the queries
 * and invariant under joint permutations of keys and values.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "knocking-heads", name = "Knocking-Heads Attention", family = "core",
    paper = "Knocking-Heads Attention", arxiv = "2510.23052", year = 2025, cost = "O(n^2)",
    options = {
        "heads=number of attention heads after projection; must divide E = H*D; default the heads of q",
        "kv-heads=number of key/value heads (groups); must divide heads; default heads",
        "knock=v (the shared transform on the values only) or qkv (on queries, keys and values); default v",
        "transform=seeded (Xavier uniform from seed + 1, order tq, tk, tv), identity (KHA = MHA/GQA) or files (tq.npy, tk.npy, tv.npy [Dh, Dh]); default seeded",
        "seed=seed of the Xavier-uniform weights (SplittableRandom, order wq, wk, wv, wo); default 0",
        "weights=directory holding wq.npy [E, E], wk.npy, wv.npy [E, kv-heads*E/heads], wo.npy [E, E], optional biases, and the transform files"},
    symmetries = {"permutation:tokens"})
public final class KnockingHeadsAttention implements AttentionMechanism {
    static final String KNOCK = "knock";
    static final String TRANSFORM = "transform";

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        boolean all = switch (call.param(KNOCK, "v").trim().toLowerCase(Locale.ROOT)) {
            case "v" -> false;
            case "qkv" -> true;
            default -> throw new InvalidInputException("--opt " + KNOCK, "expected v or qkv, got '"
                + call.param(KNOCK, "") + "'");
        };
        WeightSource transforms = transforms(call);
        boolean grouped = call.param(GroupedQueryAttention.KV_HEADS, null) != null;
        ProjectedAttention.Projected p = ProjectedAttention.project(call, backend, true,
            heads -> grouped ? call.intParam(GroupedQueryAttention.KV_HEADS, heads) : heads,
            GroupedQueryAttention.KV_HEADS);
        int dh = p.q().dim(3);
        Tensor q = all ? knock(p.q(), transforms, "tq", dh, backend) : p.q();
        Tensor k = all ? knock(p.k(), transforms, "tk", dh, backend) : p.k();
        Tensor v = knock(p.v(), transforms, "tv", dh, backend);
        Tensor o = backend.attention(q, k, v, call.options(), null);
        return HeadLayout.split(p.weights().output(HeadLayout.merge(o), backend), call.q().dim(1));
    }

    /** x [B, G, N, Dh] times the shared [Dh, Dh] transform {@code name}; x itself for the identity. */
    private static Tensor knock(Tensor x, WeightSource transforms, String name, int dh, ComputeBackend backend) {
        if (transforms == null) {
            return x;
        }
        return backend.matmul(x, transforms.matrix(name, dh, dh).to(x.dtype()), false, false, null);
    }

    /** Where the transforms come from; null for the identity. */
    private static WeightSource transforms(AttentionCall call) {
        return switch (call.param(TRANSFORM, "seeded").trim().toLowerCase(Locale.ROOT)) {
            case "identity" -> null;
            case "seeded" -> new SeededWeights(call.longParam(WeightSource.SEED, 0) + 1);
            case "files" -> {
                String dir = call.param(WeightSource.WEIGHTS, null);
                if (dir == null) {
                    throw new InvalidInputException("--opt " + TRANSFORM, "transform=files needs --opt weights=DIR");
                }
                yield new WeightFiles(Path.of(dir));
            }
            default -> throw new InvalidInputException("--opt " + TRANSFORM, "expected seeded, identity or files, got '"
                + call.param(TRANSFORM, "") + "'");
        };
    }
}

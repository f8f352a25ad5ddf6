package org.attune.attention.core;

import java.util.Locale;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.BinaryOp;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Multiple Head Embeddings (MHE) attention: one shared query, key and value projection for all heads, made
 * head-specific by one learned embedding per head, added (MHE-ADD) or multiplied elementwise (MHE-MUL).
 * Xue and Aletras, "Pit One Against Many: Leveraging Attention-head Embeddings for Parameter-efficient
 * Multi-head Attention", arXiv:2310.07911 (§3).
 * <pre>
 *   x_q = merge(q) [B, Nq, E],  x_k = merge(k),  x_v = merge(v)                 (E = H·D; {@link HeadLayout})
 *   mode=add:  Q_h = x_q W_Q + e_h^Q,   K_h = x_k W_K + e_h^K,   V_h = x_v W_V + e_h^V
 *   mode=mul:  Q_h = (x_q W_Q) ⊙ e_h^Q, K_h = (x_k W_K) ⊙ e_h^K, V_h = (x_v W_V) ⊙ e_h^V
 *   out = Concat_h(softmax(scale · Q_h K_hᵀ + bias | mask ∧ causal) V_h) W_O
 * </pre>
 * W_Q, W_K, W_V [E, Dh] shared by the heads, e^Q, e^K, e^V [heads, Dh] (row h is head h's embedding),
 * W_O [E, E], no biases, Dh = E / heads, default scale 1/√Dh. Compared with multi-head attention's 3E² input
 * parameters it has 3E·Dh + 3·heads·Dh. With every e_h^· = 0 (add) or 1 (mul) all heads are one head, i.e.
 * multi-head attention whose W_q, W_k, W_v repeat the shared matrix once per head. q [B, H, Nq, D], k and v
 * with the embedding width E of q; the result has the layout of q, [B, H, Nq, D]; inputs not modified. Heads
 * run through the backend's scaled dot-product attention, so every attention option applies as for
 * {@code sdpa}. Options: {@code mode}, {@code heads} (default H), {@code weights=DIR} (wq.npy, wk.npy, wv.npy
 * [E, Dh], wo.npy [E, E], eq.npy, ek.npy, ev.npy [heads, Dh]) or {@code seed} (default 0; {@link SeededWeights},
 * order wq, wk, wv, wo, eq, ek, ev). A fully masked query row gives a zero row. Without mask, bias or causal
 * mask it is permutation-equivariant in the queries and invariant under joint permutations of keys and values.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "mhe", name = "Multiple Head Embeddings Attention", family = "core",
    paper = "Pit One Against Many: Leveraging Attention-head Embeddings for Parameter-efficient Multi-head Attention",
    arxiv = "2310.07911", year = 2023, cost = "O(n^2)",
    options = {
        "mode=add (MHE-ADD: shared projection + head embedding) or mul (MHE-MUL: elementwise product); default add",
        "heads=number of attention heads; must divide E = H*D; default the heads of q",
        "seed=seed of the Xavier-uniform weights (SplittableRandom, order wq, wk, wv, wo, eq, ek, ev); default 0",
        "weights=directory holding wq.npy, wk.npy, wv.npy [E, E/heads], wo.npy [E, E], eq.npy, ek.npy, ev.npy [heads, E/heads]"},
    symmetries = {"permutation:tokens"})
public final class MultipleHeadEmbeddingAttention implements AttentionMechanism {
    /** Option: how a head embedding modifies the shared projection. */
    static final String MODE = "mode";

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        BinaryOp op = switch (call.param(MODE, "add").trim().toLowerCase(Locale.ROOT)) {
            case "add" -> BinaryOp.ADD;
            case "mul" -> BinaryOp.MUL;
            default -> throw new InvalidInputException("--opt " + MODE, "expected add or mul, got '"
                + call.param(MODE, "") + "'");
        };
        ProjectedAttention.Embedded x = ProjectedAttention.embed(call, true);
        int heads = x.heads();
        int e = x.width();
        int dh = x.headDim();
        WeightSource source = WeightSource.of(call);
        Tensor wq = source.matrix("wq", e, dh).to(x.xq().dtype());
        Tensor wk = source.matrix("wk", e, dh).to(x.xq().dtype());
        Tensor wv = source.matrix("wv", e, dh).to(x.xq().dtype());
        Tensor wo = source.matrix("wo", e, e).to(x.xq().dtype());
        Tensor eq = source.matrix("eq", heads, dh).to(x.xq().dtype());
        Tensor ek = source.matrix("ek", heads, dh).to(x.xq().dtype());
        Tensor ev = source.matrix("ev", heads, dh).to(x.xq().dtype());
        Tensor qh = headed(x.xq(), wq, eq, op, backend);
        Tensor kh = headed(x.xk(), wk, ek, op, backend);
        Tensor vh = headed(x.xv(), wv, ev, op, backend);
        Tensor o = HeadLayout.merge(backend.attention(qh, kh, vh, call.options(), null));
        return HeadLayout.split(backend.matmul(o, wo, false, false, null), call.q().dim(1));
    }

    /** op(x W, e_h) for every head: x [B, S, E], W [E, Dh], e [heads, Dh] → [B, heads, S, Dh]. */
    private static Tensor headed(Tensor x, Tensor w, Tensor embeddings, BinaryOp op, ComputeBackend backend) {
        Tensor shared = backend.matmul(x, w, false, false, null);
        Tensor one = shared.reshape(shared.dim(0), 1, shared.dim(1), shared.dim(2));
        return backend.binary(op, one, embeddings.reshape(1, embeddings.dim(0), 1, embeddings.dim(1)), null);
    }
}

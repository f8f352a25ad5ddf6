package org.attune.attention.core;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Efficient Probing (EP): attentive probing by M learned queries that attend over the token features without
 * a key projection; query m reads only its own slice of one shared value projection, and the slices
 * concatenate into the probe's feature.
 * Psomas et al., "Attention, Please! Revisiting Attentive Probing for Masked Image Modeling", arXiv:2506.10178
 * (§4, efficient probing), as the authors' code computes it (billpsomas/efficient-probing,
 * {@code poolings/ep.py}, {@code EfficientProbing.forward}, checked there; one head, no biases):
 * <pre>
 *   x_q = merge(q) [B, M, E]  (the learned queries),  x_k = merge(k) [B, N, E],  x_v = merge(v) [B, N, E]
 *   α = softmax(scale · x_q x_kᵀ + bias)                 [B, M, N],  scale = 1/√E (the code's head_dim^(−1/2))
 *   V = x_v W_v                                          [B, N, C'],  W_v [E, C'],  C' = E / dout
 *   z[b, m·w + c] = Σ_j α[b, m, j] · V[b, j, m·w + c]     w = C' / M,  c &lt; w
 * </pre>
 * In the paper the keys and the values are the same tokens (k = v = x); here they are the two arguments. q holds
 * the M learned queries (as the seeds of {@code pma}), [B, H, M, D] with H·D = E; k and v have the embedding
 * width E. <b>The result is not in the layout of q</b>: it is [B, 1, M, w], whose row-major flattening per batch
 * is the probe's feature z [B, C'] (row m is query m's slice). M must divide C'. Inputs not modified.
 * Options: {@code dout} (the code's d_out, default 1), {@code weights=DIR} (wv.npy [E, C']) or {@code seed}
 * (default 0; {@link SeededWeights}, one matrix wv). The softmax runs in the backend's scaled dot-product
 * attention, so bias, scale, window, ALiBi slopes, soft cap and sinks apply as there; EP defines no padding or
 * order of its queries, so mask and causal are rejected. With all-zero queries every weight is 1/N and z is the
 * mean of the value slices (mean pooling); with M = 1 it is attention pooling by one query. Permuting keys and
 * values together leaves the result unchanged; the queries are tied to their slices, so permuting them does not
 * permute the rows.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "efficient-probing", name = "Efficient Probing", family = "core",
    paper = "Attention, Please! Revisiting Attentive Probing for Masked Image Modeling", arxiv = "2506.10178",
    year = 2025, cost = "O(M n)",
    options = {
        "dout=divides the value width: C' = E/dout; the M queries (Nq) must divide C'; default 1",
        "seed=seed of the Xavier-uniform value projection wv [E, E/dout] (SplittableRandom); default 0",
        "weights=directory holding wv.npy [E, E/dout]"},
    symmetries = {"permutation:keys"})
public final class EfficientProbing implements AttentionMechanism {
    /** Option: the divisor of the value width. */
    static final String DOUT = "dout";

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        AttentionOptions o = call.options();
        if (o.mask().isPresent()) {
            throw new InvalidInputException("mask", "not defined for efficient-probing (its learned queries have no"
                + " padding); pass none");
        }
        if (o.causal()) {
            throw new InvalidInputException("causal", "not defined for efficient-probing (its queries have no order);"
                + " pass none");
        }
        ProjectedAttention.Embedded x = ProjectedAttention.embed(call, true);
        int e = x.width();
        int dout = call.intParam(DOUT, 1);
        if (dout <= 0 || e % dout != 0) {
            throw new InvalidInputException("--opt " + DOUT, "must be a positive divisor of the embedding width E = "
                + e + ", got " + dout);
        }
        int width = e / dout;
        int b = x.xq().dim(0);
        int m = x.xq().dim(1);
        int n = x.xk().dim(1);
        if (m > 0 && width % m != 0) {
            throw new InvalidInputException("q", "the " + m + " learned queries (seq_q) must divide the value width "
                + "E/dout = " + width + ", got q of shape " + Tensor.format(call.q().shape()));
        }
        int w = m == 0 ? 0 : width / m;
        Tensor wv = WeightSource.of(call).matrix("wv", e, width).to(x.xq().dtype());
        Tensor values = backend.matmul(x.xv(), wv, false, false, null).reshape(b, 1, n, width);
        Tensor all = backend.attention(x.xq().reshape(b, 1, m, e), x.xk().reshape(b, 1, n, e), values, o, null);
        Tensor out = Tensor.zeros(x.xq().dtype(), b, 1, m, w);
        for (int bi = 0; bi < b; bi++) {
            for (int mi = 0; mi < m; mi++) {
                out.select(bi).select(0).select(mi).copyFrom(all.select(bi).select(0).select(mi).slice(mi * w, mi * w + w));
            }
        }
        return out;
    }
}

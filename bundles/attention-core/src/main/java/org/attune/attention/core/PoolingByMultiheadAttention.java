package org.attune.attention.core;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.BinaryOp;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.backend.Reduction;
import org.attune.api.backend.UnaryOp;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Pooling by Multihead Attention (PMA): k seed vectors attend over a set through one multihead attention block
 * (MAB), so the set is pooled into k outputs.
 * Lee et al., "Set Transformer: A Framework for Attention-based Permutation-Invariant Neural Networks",
 * arXiv:1810.00825, §3.1–3.2 (MAB, PMA), as the authors' code computes it (juho-lee/set_transformer,
 * {@code modules.py}, {@code MAB.forward} and {@code PMA.forward}, checked there):
 * <pre>
 *   PMA(S, Z) = MAB(S, Z):   Q = S W_q + b_q,  K = Z W_k + b_k,  V = Z W_v + b_v           (split into heads)
 *   O = Q + concat_h softmax(Q_h K_hᵀ / √E) V_h      (scale 1/√E with the full width E, as in the code)
 *   O = LN₀(O) if ln;   O = O + relu(O W_o + b_o);   O = LN₁(O) if ln
 * </pre>
 * q = the seeds S [B, H, k, D], k = v = the set Z [B, Hk, N, Dk] with Hk·Dk = H·D = E (each token's heads are its
 * embedding, as for {@link MultiHeadAttention}) → [B, H, k, D]; inputs not modified. The paper writes
 * MAB(S, rFF(Z)); the code (and this) feeds Z itself, the rFF being the preceding encoder. LayerNorm (option
 * {@code ln}, default false as in the code) normalises each token's E features with ε = 1e-5 and no affine
 * parameters (their initial values). Options {@code heads}, {@code seed}, {@code weights} as for
 * {@link MultiHeadAttention} (order wq, wk, wv, wo); an explicit scale replaces 1/√E. Masks and the causal flag
 * are not part of PMA and are rejected. Permuting the seeds permutes the output; permuting the set (k and v
 * together) leaves it unchanged.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "pma", name = "Pooling by Multihead Attention", family = "core",
    paper = "Set Transformer: A Framework for Attention-based Permutation-Invariant Neural Networks",
    arxiv = "1810.00825", year = 2019, cost = "O(k n)",
    options = {
        "heads=number of attention heads after projection; must divide E = H*D; default the heads of q",
        "ln=true to apply the two LayerNorms of MAB (no affine parameters, eps 1e-5); default false",
        "seed=seed of the Xavier-uniform weights (SplittableRandom, order wq, wk, wv, wo); default 0",
        "weights=directory holding wq.npy, wk.npy, wv.npy, wo.npy [E, E] and optional bq/bk/bv/bo.npy [E]"},
    symmetries = {"permutation:tokens"})
public final class PoolingByMultiheadAttention implements AttentionMechanism {
    /** Option: apply MAB's LayerNorms. */
    static final String LN = "ln";
    /** LayerNorm ε (PyTorch's default). */
    static final double LN_EPSILON = 1e-5;

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        AttentionOptions o = call.options();
        if (o.mask().isPresent()) {
            throw new InvalidInputException("mask", "not defined for pma (a set has no padding here); pass none");
        }
        if (o.causal()) {
            throw new InvalidInputException("causal", "not defined for pma (a set has no order); pass none");
        }
        String lnValue = call.param(LN, "false");
        if (!lnValue.equals("true") && !lnValue.equals("false")) {
            throw new InvalidInputException("--opt " + LN, "expected true or false, got '" + lnValue + "'");
        }
        boolean ln = lnValue.equals("true");
        ProjectedAttention.Projected p = ProjectedAttention.project(call, backend, true, heads -> heads,
            ProjectedAttention.HEADS);
        int e = p.q().dim(1) * p.q().dim(3);
        AttentionOptions scaled = o.scale().isPresent() ? o : o.toBuilder().scale(1 / Math.sqrt(e)).build();
        Tensor attended = backend.attention(p.q(), p.k(), p.v(), scaled, null);
        Tensor x = HeadLayout.merge(backend.binary(BinaryOp.ADD, p.q(), attended, null));
        if (ln) {
            x = layerNorm(x, backend);
        }
        x = backend.binary(BinaryOp.ADD, x, backend.unary(UnaryOp.RELU, p.weights().output(x, backend), null), null);
        if (ln) {
            x = layerNorm(x, backend);
        }
        return HeadLayout.split(x, call.q().dim(1));
    }

    /** (x − mean) / √(var + ε) over the last axis (biased variance, as torch.nn.LayerNorm). */
    static Tensor layerNorm(Tensor x, ComputeBackend backend) {
        int last = x.rank() - 1;
        Tensor centred = backend.binary(BinaryOp.SUB, x, backend.reduce(Reduction.MEAN, x, last, true), null);
        Tensor var = backend.reduce(Reduction.MEAN, backend.unary(UnaryOp.SQUARE, centred, null), last, true);
        Tensor denominator = backend.unary(UnaryOp.SQRT,
            backend.binary(BinaryOp.ADD, var, Tensor.scalar(x.dtype(), LN_EPSILON), null), null);
        return backend.binary(BinaryOp.DIV, centred, denominator, null);
    }
}

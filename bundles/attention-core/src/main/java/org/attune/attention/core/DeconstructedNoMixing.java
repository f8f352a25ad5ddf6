package org.attune.attention.core;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.BinaryOp;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.backend.UnaryOp;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * No token mixing (the MLP variant): the attention layer replaced by a gated MLP applied to each token on its own,
 * so that a token "attends" only to itself and nothing crosses positions.
 * Xue, Moosavi and Aletras, "Deconstructing Attention: Investigating Design Principles for Effective Language
 * Modeling", arXiv:2510.11602, §3.2, eqs. (4)–(5):
 * <pre>
 *   O = GatedMLP(H) = FC_Dn( SiLU(FC_Gt(H)) · FC_Up(H) )
 *   out[b, i, :] = ( SiLU(x[b, i, :] W_gt) ⊙ (x[b, i, :] W_up) ) W_dn,   SiLU(z) = z · σ(z)
 * </pre>
 * x = merge(q) [B, Nq, E] (E = H·D of q) is the hidden state H; W_gt, W_up [E, F], W_dn [F, E], no biases, with F
 * option {@code hidden}, default ⌊4E/3⌋ so that the 3·E·F weights match the 4·E² of attention's W_q, W_k, W_v,
 * W_o as the paper requires. Weights: files wgt.npy, wup.npy, wdn.npy under {@code weights=DIR}, or
 * {@link SeededWeights} from {@code seed} (default 0) in the order wgt, wup, wdn. The result has the layout of q,
 * [B, H, Nq, D]; k and v are validated as for {@code mha} (same batch, k and v of one length) but not read. A
 * token's only key is itself, so the causal mask changes nothing and is accepted; a mask or bias over other keys
 * (and window, ALiBi slopes, soft cap, sinks) has nothing to act on and is rejected, naming it. Every permutation
 * symmetry holds: permuting the queries permutes the output rows, and keys and values are not read.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "deconstructed-no-mixing", name = "MLP (no token mixing)", family = "core",
    paper = "Deconstructing Attention: Investigating Design Principles for Effective Language Modeling",
    arxiv = "2510.11602", year = 2025, cost = "O(n)",
    options = {
        "hidden=width F of the gated MLP; default floor(4E/3), parameter-matched to attention's 4E^2 (E = H*D of q)",
        "seed=seed of the Xavier-uniform weights (SplittableRandom, order wgt, wup, wdn); default 0",
        "weights=directory holding wgt.npy, wup.npy [E, F] and wdn.npy [F, E]"},
    symmetries = {"permutation:tokens", "permutation:queries", "permutation:keys"})
public final class DeconstructedNoMixing implements AttentionMechanism {
    static final String ID = "deconstructed-no-mixing";
    /** Option: the hidden width F. */
    static final String HIDDEN = "hidden";

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        AttentionOptions o = call.options();
        if (o.mask().isPresent()) {
            throw new InvalidInputException("mask", "not defined for " + ID
                + ": a token attends only to itself; pass none (causal is accepted)");
        }
        if (o.bias().isPresent()) {
            throw new InvalidInputException("bias", "not defined for " + ID + ": there are no scores; pass none");
        }
        AttentionScores.rejectUndefined(o, ID);
        ProjectedAttention.Embedded x = ProjectedAttention.embed(call, false);
        int e = x.width();
        int f = call.intParam(HIDDEN, 4 * e / 3);
        if (f <= 0) {
            throw new InvalidInputException("--opt " + HIDDEN, "expected a positive width, got " + f);
        }
        WeightSource source = WeightSource.of(call);
        Tensor wgt = source.matrix("wgt", e, f).to(x.xq().dtype());
        Tensor wup = source.matrix("wup", e, f).to(x.xq().dtype());
        Tensor wdn = source.matrix("wdn", f, e).to(x.xq().dtype());
        Tensor gate = backend.matmul(x.xq(), wgt, false, false, null);
        Tensor silu = backend.binary(BinaryOp.MUL, gate, backend.unary(UnaryOp.SIGMOID, gate, null), null);
        Tensor hidden = backend.binary(BinaryOp.MUL, silu, backend.matmul(x.xq(), wup, false, false, null), null);
        return HeadLayout.split(backend.matmul(hidden, wdn, false, false, null), call.q().dim(1));
    }
}

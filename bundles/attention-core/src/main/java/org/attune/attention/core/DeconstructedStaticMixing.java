package org.attune.attention.core;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Sequence-independent token mixing (the RndEmbQK and FixedSeqQK variants): queries and keys are projected from
 * one fixed stream X that no input changes, so the attention weights are the same for every sequence and only the
 * values come from the hidden state.
 * Xue, Moosavi and Aletras, "Deconstructing Attention: Investigating Design Principles for Effective Language
 * Modeling", arXiv:2510.11602, §3.4, eqs. (9)–(12):
 * <pre>
 *   RndEmbQK:    X = TransformerBlock^(l)(ε),  ε ~ N(0, σ²I) fixed        (9)
 *   FixedSeqQK:  X = TransformerBlock^(l)(Emb(t_s)), t_s a fixed text     (11)
 *   Q, K = X W_{Q,K};  V = H W_V;  O = softmax(Q Kᵀ / √d_h) V             (10), (12), (1)–(2)
 * </pre>
 * This component is one attention layer, so it takes X at its own input: with no option {@code stream}, X = ε
 * with ε[i, :] drawn from N(0, σ²) ({@code sigma}, default 1) by {@code SplittableRandom(seed + 1)} at the widths
 * of the embedding E = H·D of q (RndEmbQK in the first layer, l = 0); with {@code stream=FILE} X is that file,
 * [N, Es] or [1, N, Es] (e.g. a fixed text's hidden states at layer l: FixedSeqQK, or RndEmbQK at a deeper
 * layer). The frame, the weights (W_q, W_k [Es, E], W_v [Ev, E], W_o [E, E], seeded in the order wq, wk, wv,
 * wo from {@code seed}, or files under {@code weights=DIR}) and the options mask, bias, causal, scale are those of
 * {@link QueryKeyStream}: query i and key j read rows i and j of X, N ≥ max(Nq, Nk); v [B, Hv, Nk, Dv] is the
 * hidden state H, and the contents of q and k are not read (only Nq, Nk and E). The weights are therefore the
 * same for every sequence and every content: the output is linear in v, α V W_o with one α [heads, Nq, Nk]. With
 * X = merge(q) (one sequence, k = q) it is exactly {@code mha}. No permutation symmetry: X is tied to positions.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "deconstructed-static-mixing", name = "RndEmbQK / FixedSeqQK (sequence-independent mixing)",
    family = "core", paper = "Deconstructing Attention: Investigating Design Principles for Effective Language Modeling",
    arxiv = "2510.11602", year = 2025, cost = "O(n^2)",
    options = {
        "stream=.npy file holding the fixed stream X [N, Es] or [1, N, Es], N >= the query and key lengths (FixedSeqQK); default X = sigma * N(0, 1) drawn from seed + 1 (RndEmbQK)",
        "sigma=standard deviation of the random stream; default 1",
        "heads=number of attention heads after projection; must divide E = H*D; default the heads of q",
        "seed=seed of the Xavier-uniform weights (SplittableRandom, order wq, wk, wv, wo); the random stream uses seed + 1; default 0",
        "weights=directory holding wq.npy, wk.npy [Es, E], wv.npy [Ev, E], wo.npy [E, E] and optional biases"})
public final class DeconstructedStaticMixing implements AttentionMechanism {
    /** Option: the standard deviation of the random stream. */
    static final String SIGMA = "sigma";

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        if (call.param(QueryKeyStream.STREAM, null) != null) {
            return QueryKeyStream.read(call, true).attend(call, backend);
        }
        double sigma = call.doubleParam(SIGMA, 1);
        if (!(sigma > 0) || Double.isInfinite(sigma)) {
            throw new InvalidInputException("--opt " + SIGMA, "expected a positive finite number, got " + sigma);
        }
        ProjectedAttention.Embedded e = ProjectedAttention.embed(call, false);
        int n = Math.max(e.xq().dim(1), e.xv().dim(1));
        return QueryKeyStream.gaussian(call.longParam(WeightSource.SEED, 0) + 1, sigma, n, e.width())
            .attend(call, backend);
    }
}

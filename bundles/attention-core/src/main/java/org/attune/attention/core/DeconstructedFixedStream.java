package org.attune.attention.core;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Queries and keys from the static input embeddings instead of the current hidden state (the StaticEmbQK
 * variant): the weights still depend on the sequence, but only through its token embeddings e, never through the
 * layer's contextual hidden state, which gives only the values.
 * Xue, Moosavi and Aletras, "Deconstructing Attention: Investigating Design Principles for Effective Language
 * Modeling", arXiv:2510.11602, §3.5, eq. (13):
 * <pre>
 *   Q, K = e W_{Q,K};  V = H W_V;  e = Emb(t);  O = softmax(Q Kᵀ / √d_h) V        (13), (1)–(2)
 * </pre>
 * e comes with option {@code stream=FILE}, a .npy [B, N, Es] (row i: the embedding of the token at position i of
 * sequence b, N ≥ max(Nq, Nk); [1, N, Es] serves every sequence of the batch); v [B, Hv, Nk, Dv] is the hidden
 * state H, and the contents of q and k are not read (only Nq, Nk and E = H·D of q). Frame, weights (W_q, W_k
 * [Es, E], W_v [Ev, E], W_o [E, E], seeded in the order wq, wk, wv, wo from {@code seed} or files under
 * {@code weights=DIR}) and the options mask, bias, causal, scale
 * are those of {@link QueryKeyStream}. So for the same embeddings the weights are the same whatever the hidden
 * state, in every layer; with e = merge(q) and k = q it is exactly {@code mha}. No permutation claim: e is fixed by
 * the option while the check permutes q, k and v (permuting e with them would be equivariant).
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "deconstructed-fixed-stream", name = "StaticEmbQK (queries and keys from the input embeddings)",
    family = "core", paper = "Deconstructing Attention: Investigating Design Principles for Effective Language Modeling",
    arxiv = "2510.11602", year = 2025, cost = "O(n^2)",
    options = {
        "stream=.npy file holding the input embeddings e [B, N, Es] (or [1, N, Es] for every sequence), N >= the query and key lengths; required",
        "heads=number of attention heads after projection; must divide E = H*D; default the heads of q",
        "seed=seed of the Xavier-uniform weights (SplittableRandom, order wq, wk, wv, wo); default 0",
        "weights=directory holding wq.npy, wk.npy [Es, E], wv.npy [Ev, E], wo.npy [E, E] and optional biases"})
public final class DeconstructedFixedStream implements AttentionMechanism {

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        return QueryKeyStream.read(call, false).attend(call, backend);
    }
}

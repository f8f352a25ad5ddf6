package org.attune.attention.core;

import java.util.Locale;

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
 * Attention-based conditioning: additive attention over states h_j whose scores are conditioned on external
 * features c_j of the same tokens, by concatenation, feature-based gating or an affine (FiLM) transform.
 * Margatina, Baziotis and Potamianos, "Attention-based Conditioning Methods for External Knowledge Integration",
 * arXiv:1906.03674 (attentional concatenation, feature-based gating, affine transformation; no equation numbers
 * cited, the formulas are the paper's three named methods as the catalogue transcribes them):
 * <pre>
 *   concat:  e_ij = v_aᵀ tanh(W_aᵀ q_i + W_hᵀ h_j + W_cᵀ c_j + b)            (W [h_j; c_j] with W = [W_h; W_c])
 *   gating:  e_ij = v_aᵀ tanh(W_aᵀ q_i + W_hᵀ (h_j ⊙ σ(W_gᵀ c_j + b_g)) + b)
 *   affine:  e_ij = v_aᵀ tanh(W_aᵀ q_i + W_hᵀ (γ_j ⊙ h_j + β_j) + b),   γ_j = W_γᵀ c_j + b_γ,  β_j = W_βᵀ c_j + b_β
 *   α_ij = softmax_j(scale · e_ij + bias_ij | mask_ij ∧ (¬causal ∨ j ≤ i)),   out_i = Σ_j α_ij h_j
 * </pre>
 * In Attune's frame the states are the values, h_j = v_j, and the external features are the keys, c_j = k_j
 * (they only enter the scores). The paper's layer is query-free self-attention pooling r = Σ_j α_j h_j; option
 * {@code query=none} is exactly that (the W_a q_i term dropped, so every query row holds the same r), while the
 * default {@code query=additive} adds a Bahdanau query term W_aᵀ q_i as {@link AdditiveAttention} does, so that
 * the method reads one pooled state per query. The reductions: with c ≡ 0, {@code concat} is additive attention
 * pooling over h; {@code affine} with γ = 1, β = 0 and b = 0 is {@link AdditiveAttention} with keys = values = h;
 * {@code gating} with W_g = 0, b_g = 0 is {@code affine} with γ = ½, β = 0.
 * <p>q [B, H, Nq, Dq], k [B, Hkv, Nk, Dc], v [B, Hkv, Nk, Dh] with Hkv dividing H (query head h reads kv head
 * h/(H/Hkv)) → [B, H, Nq, Dh]; one weight set shared by all heads; inputs not modified. The scale is 1 unless set
 * explicitly. Options: {@code mode} (default {@code gating}, the paper's best), {@code query}, {@code hidden}
 * (A, default Dh), {@code weights=DIR} with wa.npy [Dq, A], wh.npy [Dh, A], wc.npy [Dc, A] (concat), wg.npy
 * [Dc, Dh] (gating), gamma.npy and beta.npy [Dc, Dh] (affine), va.npy [A] and optional biases b.npy [A], bg.npy,
 * bgamma.npy, bbeta.npy [Dh]; or else {@code seed} (default 0, {@link SeededWeights}, order wa (only with
 * {@code query=additive}), wh, then wc | wg | gamma, beta, then va; zero biases). A fully masked query row gives a
 * zero row. Without mask, bias or causal mask it is equivariant under permutations of the queries and invariant
 * under joint permutations of keys and values (the order of the tokens does not matter).
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "conditioning", name = "Attention-based Conditioning", family = "core",
    paper = "Attention-based Conditioning Methods for External Knowledge Integration", arxiv = "1906.03674",
    year = 2019, cost = "O(n^2)",
    options = {
        "mode=concat, gating or affine: how the features c_j = k_j condition the states h_j = v_j; default gating",
        "query=additive (a Bahdanau query term W_a q_i) or none (the paper's query-free pooling); default additive",
        "hidden=width A of the alignment layer (size of v_a); default the head dim of v",
        "seed=seed of the Xavier-uniform weights (SplittableRandom, order wa, wh, wc|wg|gamma,beta, va); default 0",
        "weights=directory holding wa.npy, wh.npy, wc.npy|wg.npy|gamma.npy+beta.npy, va.npy and optional b, bg, bgamma, bbeta"},
    symmetries = {"permutation:tokens"})
public final class AttentionBasedConditioning implements AttentionMechanism {
    static final String MODE = "mode";
    static final String QUERY = "query";

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        HeadLayout l = HeadLayout.of(call);
        String mode = call.param(MODE, "gating").trim().toLowerCase(Locale.ROOT);
        if (!mode.equals("concat") && !mode.equals("gating") && !mode.equals("affine")) {
            throw new InvalidInputException("--opt " + MODE, "expected concat, gating or affine, got '"
                + call.param(MODE, "") + "'");
        }
        boolean query = switch (call.param(QUERY, "additive").trim().toLowerCase(Locale.ROOT)) {
            case "additive" -> true;
            case "none" -> false;
            default -> throw new InvalidInputException("--opt " + QUERY, "expected additive or none, got '"
                + call.param(QUERY, "") + "'");
        };
        int hidden = call.intParam(AdditiveAttention.HIDDEN, l.dv());
        if (hidden <= 0) {
            throw new InvalidInputException("--opt " + AdditiveAttention.HIDDEN, "must be positive, got " + hidden);
        }
        WeightSource w = WeightSource.of(call);
        Tensor wa = query ? w.matrix("wa", l.dq(), hidden).to(l.dtype()) : null;
        Tensor wh = w.matrix("wh", l.dv(), hidden).to(l.dtype());
        Tensor h = call.v();
        Tensor c = call.k();
        Tensor keys;
        if (mode.equals("concat")) {
            Tensor wc = w.matrix("wc", l.dk(), hidden).to(l.dtype());
            keys = backend.binary(BinaryOp.ADD, backend.matmul(h, wh, false, false, null),
                backend.matmul(c, wc, false, false, null), null);
        } else if (mode.equals("gating")) {
            Tensor gate = backend.unary(UnaryOp.SIGMOID, affine(c, w.matrix("wg", l.dk(), l.dv()), w.bias("bg", l.dv()),
                l, backend), null);
            keys = backend.matmul(backend.binary(BinaryOp.MUL, h, gate, null), wh, false, false, null);
        } else {
            Tensor gamma = affine(c, w.matrix("gamma", l.dk(), l.dv()), w.bias("bgamma", l.dv()), l, backend);
            Tensor beta = affine(c, w.matrix("beta", l.dk(), l.dv()), w.bias("bbeta", l.dv()), l, backend);
            Tensor film = backend.binary(BinaryOp.ADD, backend.binary(BinaryOp.MUL, gamma, h, null), beta, null);
            keys = backend.matmul(film, wh, false, false, null);
        }
        Tensor va = w.vector("va", hidden).to(l.dtype());
        Tensor b = w.bias("b", hidden);
        if (b != null) {
            keys = backend.binary(BinaryOp.ADD, keys, b.to(l.dtype()), null);
        }
        int g = l.groupSize();
        keys = keys.reshape(l.batch(), l.kvHeads(), 1, 1, l.nk(), hidden);
        Tensor pre = query
            ? backend.binary(BinaryOp.ADD, backend.matmul(call.q(), wa, false, false, null)
                .reshape(l.batch(), l.kvHeads(), g, l.nq(), 1, hidden), keys, null)
            : backend.binary(BinaryOp.ADD, Tensor.zeros(l.dtype(), l.batch(), l.kvHeads(), g, l.nq(), 1, hidden), keys,
                null);
        Tensor e = backend.matmul(backend.unary(UnaryOp.TANH, pre, null), va.reshape(hidden, 1), false, false, null)
            .reshape(l.batch(), l.heads(), l.nq(), l.nk());
        AttentionOptions o = call.options();
        Tensor logits = AttentionScores.biased(AttentionScores.scaled(e, o.scale().orElse(1), backend), o, backend);
        return AttentionScores.values(AttentionScores.weights(logits, o, backend), h, backend);
    }

    /** c W + b: c [B, Hkv, Nk, Dc], W [Dc, Dh], b [Dh] or null → [B, Hkv, Nk, Dh]. */
    private static Tensor affine(Tensor c, Tensor w, Tensor b, HeadLayout l, ComputeBackend backend) {
        Tensor y = backend.matmul(c, w.to(l.dtype()), false, false, null);
        return b == null ? y : backend.binary(BinaryOp.ADD, y, b.to(l.dtype()), null);
    }
}

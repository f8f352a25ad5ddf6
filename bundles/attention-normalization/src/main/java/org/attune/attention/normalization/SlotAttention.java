package org.attune.attention.normalization;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Slot Attention's attention step: slots (the queries) compete for the inputs (the keys), the softmax running
 * over the slots, and each slot takes the weighted mean of the values it won.
 * Locatello et al., "Object-Centric Learning with Slot Attention", arXiv:2006.15055, Algorithm 1 and eq. (1)–(2).
 * <pre>
 *   attn_ij = exp(s_ij) / Σ_{i'} exp(s_i'j)               (softmax over the slots i, for each input j)
 *   W_ij = (attn_ij + δ) / Σ_{j'} (attn_ij' + δ)          (weighted mean over the inputs, δ = 1e-8)
 *   updates_i = Σ_j W_ij v_j
 * </pre>
 * q [B, H, Nq, D] (slots), k [B, Hkv, Nk, D] and v [B, Hkv, Nk, Dv] (inputs) → [B, H, Nq, Dv]; inputs not modified.
 * Logits s, bias and scale (default 1/√D, as in the paper) as in {@link ScoreMatrix}; δ as the reference code's
 * {@code epsilon = 1e-8} (google-research/slot_attention). Option {@code iterations} T (default 1) repeats the step
 * with the updates as the next slots (needs Dv = D); Algorithm 1's learned GRU, MLP, LayerNorms and projections
 * between iterations are the trained model around this operator and are not part of it. Masks and the causal flag
 * are not defined and are rejected. Equivariant under permutations of the slots and invariant under joint
 * permutations of keys and values.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "slot-attention", name = "Slot Attention", family = "normalization",
    paper = "Object-Centric Learning with Slot Attention", arxiv = "2006.15055", year = 2020, cost = "O(T n k)",
    options = {"iterations=attention steps T, each feeding its updates back as the next slots (needs Dv = D); default 1"},
    symmetries = {"permutation:tokens"})
public final class SlotAttention implements AttentionMechanism {
    /** Option: the number of attention steps. */
    static final String ITERATIONS = "iterations";
    /** δ added to the slot-softmax weights before the weighted mean. */
    static final double DELTA = 1e-8;

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        int iterations = call.intParam(ITERATIONS, 1);
        if (iterations < 1) {
            throw new InvalidInputException("--opt " + ITERATIONS, "must be at least 1, got " + iterations);
        }
        if (iterations > 1 && call.v().rank() == 4 && call.q().rank() == 4 && call.v().dim(3) != call.q().dim(3)) {
            throw new InvalidInputException("v", "value dim " + call.v().dim(3) + " must equal the slot dim "
                + call.q().dim(3) + " when --opt " + ITERATIONS + " > 1");
        }
        Tensor slots = call.q();
        for (int t = 0; t < iterations; t++) {
            ScoreMatrix s = ScoreMatrix.of(slots, call.k(), call.v(), call.options(), backend, "slot-attention", false);
            Tensor w = s.weights(SlotAttention::weightedMean);
            slots = s.values(w, call.v(), backend);
        }
        return slots;
    }

    private static void weightedMean(double[][] plane) {
        PlaneSoftmax.columns(plane);
        for (double[] row : plane) {
            double sum = 0;
            for (int j = 0; j < row.length; j++) {
                row[j] += DELTA;
                sum += row[j];
            }
            for (int j = 0; j < row.length; j++) {
                row[j] /= sum;
            }
        }
    }
}

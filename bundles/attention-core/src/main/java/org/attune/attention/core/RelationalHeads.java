package org.attune.attention.core;

import java.util.Locale;

import org.attune.api.attention.AttentionCall;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;

/**
 * The relational heads of Altabaa and Lafferty's relational attention (arXiv:2405.16727, §2; the authors'
 * {@code relational_attention.py}, {@code RelationalAttention.forward}), before the output projection:
 * <pre>
 *   α^h = softmax_j( scale · (x W_q^attn)_h (y W_k^attn)_hᵀ + bias | mask ∧ causal )         scale default 1/√Dh
 *   r_ij^ℓ = (x_i W_q^rel)_ℓ · (y_j W_k^rel)_ℓ / √Dr,       Dr = E / relations
 *   A_i^h = Σ_j α_ij^h ( r_ij W_r^h + (s_j W_s)_h ),        result merge_h(A^h) [B, Nq, heads·Dh]
 * </pre>
 * x [B, Nq, E] receivers, y [B, Nk, E] senders, s [B, Nk, E] symbols; W_q^attn, W_k^attn, W_s [E, heads·Dh],
 * W_q^rel, W_k^rel [E, E] (W_k^rel = W_q^rel when symmetric), W_r [relations, heads·Dh]. The weights are read
 * under the names {@code prefix + "wq"}, {@code prefix + "wk"}, {@code wqr}, {@code wkr}, {@code wr},
 * {@code prefix + "wv"}, in that (seeded) order, wkr skipped when symmetric.
 */
final class RelationalHeads {
    /** Option: the number of relations d_r. */
    static final String RELATIONS = "relations";
    /** Option: symmetric relations. */
    static final String SYMMETRIC = "symmetric";

    private RelationalHeads() {
    }

    /** Option {@code symmetric}: true or false, default false. */
    static boolean symmetric(AttentionCall call) {
        String sym = call.param(SYMMETRIC, "false").trim().toLowerCase(Locale.ROOT);
        if (!sym.equals("true") && !sym.equals("false")) {
            throw new InvalidInputException("--opt " + SYMMETRIC, "expected true or false, got '" + sym + "'");
        }
        return sym.equals("true");
    }

    /** Option {@code relations}: a positive divisor of E, default {@code dflt}. */
    static int relations(AttentionCall call, int dflt, int e) {
        int relations = call.intParam(RELATIONS, dflt);
        if (relations <= 0 || e % relations != 0) {
            throw new InvalidInputException("--opt " + RELATIONS, "must be a positive divisor of the embedding width E = "
                + e + ", got " + relations);
        }
        return relations;
    }

    static Tensor attend(Tensor x, Tensor y, Tensor s, int heads, int dh, int relations, boolean symmetric,
                         String prefix, WeightSource source, AttentionOptions o, ComputeBackend backend) {
        int e = x.dim(2);
        int width = heads * dh;
        DType dtype = x.dtype();
        Tensor wq = source.matrix(prefix + "wq", e, width).to(dtype);
        Tensor wk = source.matrix(prefix + "wk", e, width).to(dtype);
        Tensor wqr = source.matrix("wqr", e, e).to(dtype);
        Tensor wkr = symmetric ? wqr : source.matrix("wkr", e, e).to(dtype);
        double[] wr = source.matrix("wr", relations, width).toDoubleArray();
        Tensor wv = source.matrix(prefix + "wv", e, width).to(dtype);

        Tensor qa = HeadLayout.split(backend.matmul(x, wq, false, false, null), heads);
        Tensor ka = HeadLayout.split(backend.matmul(y, wk, false, false, null), heads);
        Tensor alpha = AttentionScores.weights(AttentionScores.biased(AttentionScores.dot(qa, ka, o.scaleFor(dh),
            backend), o, backend), o, backend);
        Tensor qr = HeadLayout.split(backend.matmul(x, wqr, false, false, null), relations);
        Tensor kr = HeadLayout.split(backend.matmul(y, wkr, false, false, null), relations);
        Tensor r = AttentionScores.dot(qr, kr, 1 / Math.sqrt(e / relations), backend);
        Tensor symbols = HeadLayout.split(backend.matmul(s, wv, false, false, null), heads);
        Tensor attended = AttentionScores.values(alpha, symbols, backend);
        addAttendedRelations(attended, alpha, r, wr, relations);
        return HeadLayout.merge(attended);
    }

    /**
     * out[b,h,i,c] += Σ_ℓ (Σ_j α[b,h,i,j] r[b,ℓ,i,j]) W_r[ℓ, h·Dh + c], in float64, in place: the relations each
     * head attends to, projected by its block of W_r.
     */
    private static void addAttendedRelations(Tensor out, Tensor alpha, Tensor r, double[] wr, int relations) {
        int bN = alpha.dim(0), hN = alpha.dim(1), nq = alpha.dim(2), nk = alpha.dim(3), dh = out.dim(3);
        int width = hN * dh;
        double[] p = new double[relations];
        for (int b = 0; b < bN; b++) {
            for (int h = 0; h < hN; h++) {
                for (int i = 0; i < nq; i++) {
                    int a0 = ((b * hN + h) * nq + i) * nk;
                    for (int l = 0; l < relations; l++) {
                        int r0 = ((b * relations + l) * nq + i) * nk;
                        double sum = 0;
                        for (int j = 0; j < nk; j++) {
                            sum += alpha.getFlat(a0 + j) * r.getFlat(r0 + j);
                        }
                        p[l] = sum;
                    }
                    int o0 = ((b * hN + h) * nq + i) * dh;
                    for (int c = 0; c < dh; c++) {
                        double sum = out.getFlat(o0 + c);
                        for (int l = 0; l < relations; l++) {
                            sum += p[l] * wr[l * width + h * dh + c];
                        }
                        out.setFlat(o0 + c, sum);
                    }
                }
            }
        }
    }
}

package org.attune.positional.bias;

import java.nio.file.Path;

import org.attune.api.backend.ComputeBackend;
import org.attune.api.position.EncodingForm;
import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.PositionalEncodingMethod;
import org.attune.api.position.PositionalResult;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * FlashBias: an attention bias given by, or reduced to, a low-rank factorisation. Wu et al., "FlashBias: Fast
 * Computation of Attention with Bias", arXiv:2505.12044 (and the SDPA form in thuml/FlashBias): a bias B = U·Vᵀ of rank R enters attention as
 * extra query/key channels, softmax(QKᵀ/√d + U·Vᵀ) = softmax([Q/√d, U]·[K, V]ᵀ), so that a fused kernel never
 * materialises B. This encoding returns the bias that factorisation represents, for any attention:
 * <pre>
 *   exact factors (factor-q, factor-k):   b[h, i, j] = Σ_{r&lt;R} U[h, pᵢ, r] · V[h, pⱼ, r]
 *   a static bias table with rank=R:      b[h] = Σ_{r&lt;R} σᵣ uᵣ vᵣᵀ  (truncated SVD of the table [h])
 *   |b[h, i, j] − table[h, pᵢ, pⱼ]| ≤ ‖table[h] − b[h]‖₂ = σ_{R+1}[h]          (Eckart–Young)
 * </pre>
 * With factors the product is exact (the paper's case of ALiBi, rank 2: −m(i − j) = [−m·i, m]·[1, j]ᵀ); with
 * a table the error of every entry is at most the (R+1)-th singular value of its head's table, which is 0 when R
 * is at least the table's rank (the SVD is {@link LowRankFactors}). Rows of the factor and table files are
 * indexed by position, query i at pᵢ = queryOffset + i, key j at pⱼ = keyOffset + j. Bias [H, Nq, Nk] float64.
 */
@Component(service = PositionalEncoding.class)
@PositionalEncodingMethod(id = "flashbias", name = "FlashBias", family = "bias",
    paper = "FlashBias: Fast Computation of Attention with Bias", arxiv = "2505.12044", year = 2025,
    cost = "O(n^2 R)",
    options = {"factor-q=.npy [H, Pq, R] of query factors U (rows by position); with factor-k: the exact product",
        "factor-k=.npy [H, Pk, R] of key factors V (rows by position)",
        "bias=.npy [H, Pq, Pk] static bias table to factorise (rows and columns by position)",
        "rank=R kept singular values of each head's table; error per entry <= sigma_{R+1}; default: the full rank"})
public final class FlashBias implements PositionalEncoding {

    @Override
    public EncodingForm form() {
        return EncodingForm.BIAS;
    }

    @Override
    public PositionalResult encode(PositionalCall call, ComputeBackend backend) {
        int heads = call.q() != null ? call.q().dim(1) : call.heads();
        int lastQ = call.queryOffset() + (call.q() != null ? call.q().dim(2) : call.nq());
        int lastK = call.keyOffset() + (call.k() != null ? call.k().dim(2) : call.nk());
        String fq = call.param("factor-q", "").strip(), fk = call.param("factor-k", "").strip();
        String table = call.param("bias", "").strip();
        if (!fq.isEmpty() || !fk.isEmpty()) {
            if (fq.isEmpty() || fk.isEmpty() || !table.isEmpty()) {
                throw new InvalidInputException(PositionalCall.option(fq.isEmpty() ? "factor-q" : "factor-k"),
                    "expected both factor-q and factor-k, and no bias table");
            }
            Tensor u = ParameterTables.read(PositionalCall.option("factor-q"), Path.of(fq), "[H, Pq, R]", heads, -1, -1);
            Tensor v = ParameterTables.read(PositionalCall.option("factor-k"), Path.of(fk), "[H, Pk, R]", heads, -1,
                u.dim(2));
            requireRows("factor-q", u.dim(1), lastQ);
            requireRows("factor-k", v.dim(1), lastK);
            int rank = u.dim(2), pq = u.dim(1), pk = v.dim(1);
            double[] ud = u.doubleData(), vd = v.doubleData();
            return PositionalResult.bias(BiasTables.of(call, (h, i, j) -> {
                double s = 0;
                for (int r = 0; r < rank; r++) {
                    s += ud[(h * pq + (int) i) * rank + r] * vd[(h * pk + (int) j) * rank + r];
                }
                return s;
            }));
        }
        if (table.isEmpty()) {
            throw new InvalidInputException(PositionalCall.option("bias"),
                "expected a .npy bias table [H, Pq, Pk], or factor-q and factor-k");
        }
        Tensor b = ParameterTables.read(PositionalCall.option("bias"), Path.of(table), "[H, Pq, Pk]", heads, -1, -1);
        requireRows("bias", b.dim(1), lastQ);
        requireRows("bias", b.dim(2), lastK);
        int pq = b.dim(1), pk = b.dim(2);
        int rank = call.intParam("rank", pk);
        if (rank < 1 || rank > pk) {
            throw new InvalidInputException(PositionalCall.option("rank"), "expected 1 <= rank <= " + pk + ", got " + rank);
        }
        LowRankFactors[] factors = new LowRankFactors[heads];
        double[] all = b.doubleData();
        for (int h = 0; h < heads; h++) {
            double[] head = new double[pq * pk];
            System.arraycopy(all, h * pq * pk, head, 0, pq * pk);
            factors[h] = LowRankFactors.truncate(head, pq, pk, rank);
        }
        return PositionalResult.bias(BiasTables.of(call, (h, i, j) -> factors[h].entry((int) i, (int) j)));
    }

    private static void requireRows(String option, int rows, int needed) {
        if (rows < needed) {
            throw new InvalidInputException(PositionalCall.option(option), "expected rows for positions up to "
                + (needed - 1) + ", got " + rows);
        }
    }
}

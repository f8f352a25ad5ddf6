package org.attune.backend.cpu;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;

import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.AttentionProblem;
import org.attune.api.backend.BackendDeclinedException;
import org.attune.api.backend.Operation;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Scaled dot-product attention with grouped KV heads, on Nd4j/OpenBLAS:
 * <pre>
 *   T[b,h,i,j]   = bias[b,h,i,j] + (allowed(b,h,i,j) ? 0 : −∞),
 *                  allowed = mask[b,h,i,j] ∧ (¬causal ∨ j ≤ i)
 *   S[b,h,i,j]   = scale · q[b,h,i,:]·k[b,g,j,:] + T[b,h,i,j],      g = h / G,  G = Hq / Hkv
 *   P[b,h,i,:]   = softmax_j S[b,h,i,:]                              (row maximum subtracted)
 *   out[b,h,i,:] = Σ_j P[b,h,i,j] · v[b,g,j,:],   or 0 when no j is allowed
 * </pre>
 * The G query heads that share KV head g are adjacent in q's layout, so for each pair (b, g) they form one
 * {@code [G·Nq, D]} matrix; with P = B·Hkv pairs the two products are batched gemms into preallocated buffers:
 * {@code S[P, G·Nq, Nk] = scale · Q[P, G·Nq, D] · K[P, Nk, D]ᵀ + 1 · T} (T written into S beforehand, gemm β = 1) and
 * {@code O[P, G·Nq, Dv] = P · V[P, Nk, Dv]}, which is {@code out} reshaped. The softmax runs in place on S. Pairs are
 * processed in chunks so that S stays below {@link #SCORE_CHUNK_ELEMENTS} elements (one pair at least); a single
 * pair whose scores exceed 2^31 − 1 elements (the reach of an int-indexed buffer) is declined.
 *
 * <p>Rows with no allowed key come out of the softmax as NaN (0/0); they are written as zero rows, which is the
 * documented result of {@link AttentionOptions}.
 *
 * <p>The backend's {@code attention} runs {@link FlashAttentionKernel}; this composite path (scale, causal, mask and
 * bias only) stays as the Nd4j baseline that the benchmarks compare it with.
 */
final class ScaledDotProductAttention {
    /** Upper bound on the elements of one chunk's score buffer: 2^25, i.e. 128 MiB of float32. */
    static final long SCORE_CHUNK_ELEMENTS = 1L << 25;

    private ScaledDotProductAttention() {
    }

    static Tensor compute(Tensor q, Tensor k, Tensor v, AttentionOptions options, Tensor out) {
        return compute(q, k, v, options, out, SCORE_CHUNK_ELEMENTS);
    }

    /** As {@link #compute(Tensor, Tensor, Tensor, AttentionOptions, Tensor)} with another bound on a chunk's scores. */
    static Tensor compute(Tensor q, Tensor k, Tensor v, AttentionOptions options, Tensor out, long chunkElements) {
        AttentionProblem p = AttentionProblem.of(q, k, v, options, out);
        if (out == null) {
            out = Tensor.zeros(q.dtype(), p.outputShape());
        }
        if (out.size() == 0) {
            return out;
        }
        int pairs = p.batch() * p.kvHeads();
        int rows = p.groupSize() * p.nq();
        long perPair = Math.max(1L, (long) rows * p.nk());
        if (perPair > Integer.MAX_VALUE) {
            throw new BackendDeclinedException(Nd4jCpuBackend.BACKEND_ID, Operation.ATTENTION.id(),
                "the scores of one (batch, kv head) pair, G·Nq·Nk = " + perPair + " elements, exceed 2^31 - 1");
        }
        int chunk = (int) Math.max(1, Math.min(pairs, chunkElements / perPair));
        LogitTerms terms = new LogitTerms(p, options);
        for (int p0 = 0; p0 < pairs; p0 += chunk) {
            computeChunk(q, k, v, p, terms, p0, Math.min(pairs, p0 + chunk), out);
        }
        return out;
    }

    private static void computeChunk(Tensor q, Tensor k, Tensor v, AttentionProblem p, LogitTerms terms, int p0,
                                     int p1, Tensor out) {
        int c = p1 - p0;
        int rows = p.groupSize() * p.nq();
        int nk = p.nk();
        DType dtype = q.dtype();
        boolean[] emptyRow = new boolean[c * rows];
        if (nk == 0) {
            Arrays.fill(emptyRow, true);
            writeZeroRows(out, p0, rows, p.dv(), emptyRow);
            return;
        }
        INDArray nq = null;
        INDArray nkArr = null;
        INDArray nv = null;
        INDArray scores = null;
        INDArray no = null;
        try {
            boolean hasTerms = terms.present();
            scores = hasTerms ? OffHeapCopy.allocate(dtype, c, rows, nk) : OffHeapCopy.zeros(dtype, c, rows, nk);
            if (hasTerms) {
                terms.write(scores, p0, p1, emptyRow);
            }
            if (p.d() > 0) {
                nq = OffHeapCopy.allocate(dtype, c, rows, p.d());
                OffHeapCopy.put(q, p0 * rows * p.d(), c * rows * p.d(), nq, 0);
                nkArr = OffHeapCopy.allocate(dtype, c, nk, p.d());
                OffHeapCopy.put(k, p0 * nk * p.d(), c * nk * p.d(), nkArr, 0);
                Nd4j.exec(new Mmul(nq, nkArr, scores, p.scale(), hasTerms ? 1.0 : 0.0,
                    MMulTranspose.builder().transposeB(true).build()));
            }
            Nd4j.exec((DynamicCustomOp) new SoftMax(scores, scores, 2));
            if (p.dv() > 0) {
                nv = OffHeapCopy.allocate(dtype, c, nk, p.dv());
                OffHeapCopy.put(v, p0 * nk * p.dv(), c * nk * p.dv(), nv, 0);
                no = OffHeapCopy.zeros(dtype, c, rows, p.dv());
                Nd4j.exec(new Mmul(scores, nv, no, 1.0, 0.0, MMulTranspose.builder().build()));
                OffHeapCopy.get(no, 0, out, p0 * rows * p.dv(), c * rows * p.dv());
                writeZeroRows(out, p0, rows, p.dv(), emptyRow);
            }
        } finally {
            OffHeapCopy.release(nq, nkArr, nv, scores, no);
        }
    }

    /** Zeros the output rows of pairs [p0, …) whose flag in {@code emptyRow} is set. */
    private static void writeZeroRows(Tensor out, int p0, int rows, int dv, boolean[] emptyRow) {
        int base = out.offset() + p0 * rows * dv;
        for (int r = 0; r < emptyRow.length; r++) {
            if (emptyRow[r]) {
                int from = base + r * dv;
                if (out.dtype() == DType.FLOAT32) {
                    Arrays.fill(out.floatData(), from, from + dv, 0f);
                } else {
                    Arrays.fill(out.doubleData(), from, from + dv, 0d);
                }
            }
        }
    }

    /**
     * The additive logit term {@code T[b,h,i,j] = bias + (allowed ? 0 : −∞)} of one call, read through the
     * broadcast strides that {@link AttentionProblem} computed.
     */
    private static final class LogitTerms {
        private final AttentionProblem p;
        private final boolean causal;
        private final boolean[] mask;
        private final int maskOffset;
        private final int[] ms;
        private final float[] biasF;
        private final double[] biasD;
        private final int biasOffset;
        private final int[] bs;

        LogitTerms(AttentionProblem p, AttentionOptions o) {
            this.p = p;
            this.causal = o.causal();
            Tensor m = o.mask().orElse(null);
            this.mask = m == null ? null : m.booleanData();
            this.maskOffset = m == null ? 0 : m.offset();
            this.ms = p.maskStrides();
            Tensor b = o.bias().orElse(null);
            this.biasF = b != null && b.dtype() == DType.FLOAT32 ? b.floatData() : null;
            this.biasD = b != null && b.dtype() == DType.FLOAT64 ? b.doubleData() : null;
            this.biasOffset = b == null ? 0 : b.offset();
            this.bs = p.biasStrides();
        }

        boolean present() {
            return causal || mask != null || bs != null;
        }

        /** Writes T for pairs [p0, p1) into {@code scores} ([p1 − p0, G·Nq, Nk]); flags rows with no allowed key. */
        void write(INDArray scores, int p0, int p1, boolean[] emptyRow) {
            int nq = p.nq();
            int nk = p.nk();
            int g = p.groupSize();
            boolean f32 = scores.dataType() == DataType.FLOAT;
            FloatBuffer fb = f32 ? OffHeapCopy.floats(scores) : null;
            DoubleBuffer db = f32 ? null : OffHeapCopy.doubles(scores);
            float[] rowF = f32 ? new float[nk] : null;
            double[] rowD = f32 ? null : new double[nk];
            int row = 0;
            for (int pair = p0; pair < p1; pair++) {
                int b = pair / p.kvHeads();
                int kvHead = pair % p.kvHeads();
                for (int hl = 0; hl < g; hl++) {
                    int h = kvHead * g + hl;
                    for (int i = 0; i < nq; i++, row++) {
                        int mk = mask == null ? 0 : maskOffset + b * ms[0] + h * ms[1] + i * ms[2];
                        int bk = bs == null ? 0 : biasOffset + b * bs[0] + h * bs[1] + i * bs[2];
                        boolean any = false;
                        for (int j = 0; j < nk; j++) {
                            boolean allowed = (!causal || j <= i) && (mask == null || mask[mk + j * ms[3]]);
                            any |= allowed;
                            double t = !allowed ? Double.NEGATIVE_INFINITY
                                : bs == null ? 0.0 : biasF != null ? biasF[bk + j * bs[3]] : biasD[bk + j * bs[3]];
                            if (f32) {
                                rowF[j] = (float) t;
                            } else {
                                rowD[j] = t;
                            }
                        }
                        emptyRow[row] = !any;
                        if (f32) {
                            fb.put(row * nk, rowF, 0, nk);
                        } else {
                            db.put(row * nk, rowD, 0, nk);
                        }
                    }
                }
            }
        }
    }
}

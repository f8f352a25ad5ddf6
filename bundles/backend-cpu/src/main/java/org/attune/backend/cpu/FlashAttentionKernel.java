package org.attune.backend.cpu;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.AttentionProblem;
import org.attune.api.backend.AttentionResult;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fused scaled dot-product attention on tiles with an online softmax (Dao et al., "FlashAttention: Fast and
 * Memory-Efficient Exact Attention with IO-Awareness", arXiv:2205.14135, algorithm 1, forward pass), with every
 * option of {@link AttentionOptions}:
 * <pre>
 *   for each (b, h) and query tile Q_t (rows i0 … i1 − 1), g = h / (Hq / Hkv):
 *     m = sink_h, l = [sink given], O = 0
 *     for each key tile K_u, V_u that some row of the tile may see ({@link KernelTiling}):
 *       S = (scale · Q_t) K_uᵀ,  then the rules of {@link TileLogits} (cap, bias, ALiBi, mask, causal, window)
 *       m' = max(m, rowmax S);  P = e^{S − m'};  l = e^{m − m'} l + rowsum P;  O = e^{m − m'} O + P V_u
 *     out = O / l,  lse = m + log l        (l = 0: zero row, lse −∞)
 * </pre>
 * No [Nq, Nk] matrix exists: the extra memory is a fixed set of tile buffers per worker ((d + 128 + Dv) · 144
 * floats, 144 KiB for d = Dv = 64), independent of the sequence lengths. Tasks are (batch·head, query tile) pairs,
 * handed out from one counter to one worker per processor (the caller and the backend's own {@link KernelWorkers}),
 * head by head and within a head from the last query tile down ({@link KernelTiling#head}).
 *
 * <p>float32 runs vectorised with the Vector API ({@link FloatVector#SPECIES_PREFERRED}) and accumulates in float32:
 * with Q, S and O held transposed (one query row per vector lane), both products are register-blocked
 * 4 × 4-vector micro-kernels that read K and V in place as broadcast scalars, and the online softmax is lane-wise.
 * As in FlashAttention-2, the float32 logits are in base 2: log₂e is folded into the query scale (and into the cap
 * and the additive terms), so the softmax weights are powers of two ({@link OnlineSoftmax#exp2Columns}). On a key
 * tile each block of 4 vectors of rows goes through scores, logit rules, softmax and P·V in turn while its 32 KiB
 * of scores are still in cache, and on a tile that no rule changes (fully visible; no cap, bias, slopes or mask)
 * the row maxima come out of the S micro-kernel. float64 runs the same tiles with scalar float64 loops and
 * {@link Math#exp}.
 *
 * <p>Numerics: the logits are never exponentiated without subtracting a running maximum, so |logits| beyond 400
 * neither overflow nor lose more than float32 rounding; the float32 error against float64 stays within twice the
 * naive float32 computation's (FlashAttentionKernelTest). A fully masked row gives a zero output row (lse −∞).
 */
final class FlashAttentionKernel {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private FlashAttentionKernel() {
    }

    static Tensor compute(Tensor q, Tensor k, Tensor v, AttentionOptions o, Tensor out, KernelWorkers pool) {
        return run(q, k, v, o, out, false, pool).output();
    }

    static AttentionResult computeWithLse(Tensor q, Tensor k, Tensor v, AttentionOptions o, Tensor out,
            KernelWorkers pool) {
        return run(q, k, v, o, out, true, pool);
    }

    private static AttentionResult run(Tensor q, Tensor k, Tensor v, AttentionOptions o, Tensor out, boolean lse,
            KernelWorkers pool) {
        AttentionProblem p = AttentionProblem.of(q, k, v, o, out);
        Tensor result = out != null ? out : Tensor.zeros(q.dtype(), p.outputShape());
        Tensor logSumExp = lse ? Tensor.zeros(q.dtype(), p.lseShape()) : null;
        KernelTiling tiling = new KernelTiling(p, o);
        TileLogits logits = new TileLogits(p, o, tiling);
        int tasks = tiling.tasks();
        if (tasks == 0) {
            return new AttentionResult(result, logSumExp);
        }
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            Tiles tiles = q.dtype() == DType.FLOAT32
                ? new FloatTiles(p, tiling, logits, q, k, v, result, logSumExp)
                : new DoubleTiles(p, tiling, logits, q, k, v, result, logSumExp);
            for (int t = next.getAndIncrement(); t < tasks; t = next.getAndIncrement()) {
                tiles.run(t);
            }
        };
        int workers = (int) Math.min(Math.min(tasks, pool.size() + 1L), Math.max(1, p.flops() / 2e6));
        List<KernelWorkers.Lent> lent = pool.lend(worker, workers - 1);
        worker.run();
        for (KernelWorkers.Lent l : lent) {
            l.join();
        }
        return new AttentionResult(result, logSumExp);
    }

    /** One worker's buffers and the work of one (batch·head, query tile) task. */
    private abstract static class Tiles {
        final AttentionProblem p;
        final KernelTiling tiling;
        final TileLogits logits;
        final OnlineSoftmax softmax;
        final Tensor lse;

        Tiles(AttentionProblem p, KernelTiling tiling, TileLogits logits, boolean float32, Tensor lse) {
            this.p = p;
            this.tiling = tiling;
            this.logits = logits;
            this.softmax = new OnlineSoftmax(KernelTiling.QUERY_TILE, float32);
            this.lse = lse;
        }

        abstract void run(int task);

        /** Writes the log-sum-exp of the tile's rows, when asked for. */
        void writeLse(int bh, int i0, int rows) {
            if (lse != null) {
                for (int r = 0; r < rows; r++) {
                    lse.setFlat(bh * p.nq() + i0 + r, softmax.logSumExp(r));
                }
            }
        }
    }

    /**
     * float32 tiles, vectorised over query rows: Q, the scores and the output accumulator are held transposed
     * ([d, rows], [keys, rows], [Dv, rows]) so that K and V are read in place as broadcast scalars, every vector lane
     * is one query row, and the online softmax needs no horizontal reduction. Query rows are padded to a multiple of
     * four vectors; padding lanes are computed and never written out. Buffers are [·, LD] with LD = BQ + 16.
     */
    private static final class FloatTiles extends Tiles {
        private static final int BQ = KernelTiling.QUERY_TILE;
        /**
         * Row stride of the transposed buffers: BQ plus one 64-byte line, so that a walk down one column (a query
         * row's scores, or one vector of rows over d) does not fall into the same few L1 cache sets at every step,
         * as a power-of-two stride would.
         */
        private static final int LD = BQ + 16;
        private final float[] q;
        private final float[] k;
        private final float[] v;
        private final float[] out;
        private final int qOff;
        private final int kOff;
        private final int vOff;
        private final int outOff;
        private final int d;
        private final int dv;
        /** (scale · Q)ᵀ [d, LD]. */
        private final float[] qt;
        /** Scores, then P, transposed [KEY_TILE, LD]. */
        private final float[] st;
        /** Output accumulator transposed [Dv, LD]. */
        private final float[] ot;
        /** max(m, rowmax S) of the current tile's rows, found by {@link #scores}. */
        private final float[] tileMax;
        /** 1 / l of the tile's rows, for the output. */
        private final float[] inverseSums;
        /** Offsets of one vector of consecutive rows in q and in out: i·d and i·Dv. */
        private final int[] queryRows;
        private final int[] outputRows;

        FloatTiles(AttentionProblem p, KernelTiling tiling, TileLogits logits, Tensor q, Tensor k, Tensor v,
                   Tensor out, Tensor lse) {
            super(p, tiling, logits, true, lse);
            this.q = q.floatData();
            this.k = k.floatData();
            this.v = v.floatData();
            this.out = out.floatData();
            this.qOff = q.offset();
            this.kOff = k.offset();
            this.vOff = v.offset();
            this.outOff = out.offset();
            this.d = p.d();
            this.dv = p.dv();
            this.qt = new float[d * LD];
            this.st = new float[KernelTiling.KEY_TILE * LD];
            this.ot = new float[dv * LD];
            this.tileMax = new float[BQ];
            this.inverseSums = new float[BQ];
            this.queryRows = new int[F.length()];
            this.outputRows = new int[F.length()];
            for (int i = 0; i < F.length(); i++) {
                queryRows[i] = i * d;
                outputRows[i] = i * dv;
            }
        }

        @Override
        void run(int task) {
            int bh = tiling.head(task);
            int i0 = tiling.firstRow(task);
            int i1 = tiling.endRow(task);
            int rows = i1 - i0;
            int block = 4 * F.length();
            int lanes = (rows + block - 1) / block * block;
            int nk = p.nk();
            int kvHead = bh / p.queryHeads() * p.kvHeads() + bh % p.queryHeads() / p.groupSize();
            int kBase = kOff + kvHead * nk * d;
            int vBase = vOff + kvHead * nk * dv;
            int qBase = qOff + (bh * p.nq() + i0) * d;
            loadQueries(qBase, rows, lanes, (float) (p.scale() * OnlineSoftmax.LOG2E));
            Arrays.fill(ot, 0f);
            softmax.start(lanes, logits.sink(bh));
            float cap = (float) (logits.cap() * OnlineSoftmax.LOG2E);
            boolean additive = logits.additive();
            int jEnd = tiling.endKey(i1);
            for (int j0 = tiling.firstKey(i0); j0 < jEnd; j0 += KernelTiling.KEY_TILE) {
                int cols = Math.min(KernelTiling.KEY_TILE, nk - j0);
                boolean visible = tiling.fullyVisible(i0, i1, j0, j0 + cols);
                int kAt = kBase + j0 * d;
                int vAt = vBase + j0 * dv;
                boolean plain = visible && cap == 0 && !additive;
                // Each block of rows goes through scores, logit rules, softmax and P·V in turn, while its 32 KiB of
                // scores are still in cache; on a tile no rule touches the row maxima come out of the S micro-kernel.
                for (int r = 0; r < lanes; r += block) {
                    int to = r + block;
                    scores(kAt, i0, r, j0, cols);
                    if (cap > 0) {
                        capScores(r, to, cols, cap);
                    }
                    if (additive) {
                        logits.applyTransposed(st, LD, bh, i0, r, Math.min(to, rows), j0, cols, OnlineSoftmax.LOG2E);
                    } else if (!visible) {
                        logits.maskGeometryTransposed(st, LD, i0, r, Math.min(to, rows), j0, cols);
                    }
                    if (plain) {
                        softmax.update(st, LD, r, to, cols, tileMax);
                    } else {
                        softmax.update(st, LD, r, to, cols);
                    }
                    accumulate(vAt, i0, r, j0, cols);
                }
            }
            storeOutput(outOff + (bh * p.nq() + i0) * dv, rows);
            writeLse(bh, i0, rows);
        }

        /**
         * qt[e, r] = scale · q[r, e] for the tile's rows r &lt; rows (q from {@code qBase}, row-major [rows, d]) and
         * 0 for the padding lanes up to {@code lanes}: one gather per vector of rows and feature (the transposition
         * costs about as much as a key tile of work otherwise, a few per cent of a causal task).
         */
        private void loadQueries(int qBase, int rows, int lanes, float scale) {
            int w = F.length();
            int whole = rows / w * w;
            for (int e = 0; e < d; e++) {
                int at = e * LD;
                for (int r = 0; r < whole; r += w) {
                    FloatVector.fromArray(F, q, qBase + r * d + e, queryRows, 0).mul(scale).intoArray(qt, at + r);
                }
                for (int r = whole; r < lanes; r++) {
                    qt[at + r] = r < rows ? q[qBase + r * d + e] * scale : 0f;
                }
            }
        }

        /** out[r, e] = ot[e, r] / l_r for the tile's rows (out from {@code oBase}, row-major [rows, Dv]), scattered. */
        private void storeOutput(int oBase, int rows) {
            int w = F.length();
            for (int r = 0; r < rows; r++) {
                inverseSums[r] = (float) softmax.inverseSum(r);
            }
            int whole = rows / w * w;
            for (int e = 0; e < dv; e++) {
                int at = e * LD;
                for (int r = 0; r < whole; r += w) {
                    FloatVector.fromArray(F, ot, at + r).mul(FloatVector.fromArray(F, inverseSums, r))
                        .intoArray(out, oBase + r * dv + e, outputRows, 0);
                }
                for (int r = whole; r < rows; r++) {
                    out[oBase + r * dv + e] = ot[at + r] * inverseSums[r];
                }
            }
        }

        /**
         * st[c, r] = Σ_e k[c, e] · qt[e, r] for keys c &lt; cols of the tile starting at {@code kAt} and the block of
         * 4 vectors of rows (lanes) starting at r: 4 keys × 4 vectors at a time, then single keys. Only the keys that
         * some row of the block may see are computed (the causal diagonal costs half); the others are set to −∞ by
         * the geometry rules before the softmax. Also sets {@link #tileMax} of the block to the maximum of the
         * running maxima and the computed scores, which is the softmax's new maximum when no rule changes the tile.
         */
        private void scores(int kAt, int i0, int r, int j0, int cols) {
            int w = F.length();
            int c = tiling.firstVisibleKey(i0 + r, j0, cols);
            int end = tiling.endVisibleKey(i0 + r + 4 * w - 1, j0, cols);
            FloatVector m0 = softmax.maxima(r);
            FloatVector m1 = softmax.maxima(r + w);
            FloatVector m2 = softmax.maxima(r + 2 * w);
            FloatVector m3 = softmax.maxima(r + 3 * w);
            for (; c + 4 <= end; c += 4) {
                int k0 = kAt + c * d;
                int k1 = k0 + d;
                int k2 = k1 + d;
                int k3 = k2 + d;
                FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00;
                FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
                FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
                FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
                for (int e = 0; e < d; e++) {
                    int qb = e * LD + r;
                    FloatVector q0 = FloatVector.fromArray(F, qt, qb);
                    FloatVector q1 = FloatVector.fromArray(F, qt, qb + w);
                    FloatVector q2 = FloatVector.fromArray(F, qt, qb + 2 * w);
                    FloatVector q3 = FloatVector.fromArray(F, qt, qb + 3 * w);
                    FloatVector x = FloatVector.broadcast(F, k[k0 + e]);
                    a00 = q0.fma(x, a00);
                    a01 = q1.fma(x, a01);
                    a02 = q2.fma(x, a02);
                    a03 = q3.fma(x, a03);
                    x = FloatVector.broadcast(F, k[k1 + e]);
                    a10 = q0.fma(x, a10);
                    a11 = q1.fma(x, a11);
                    a12 = q2.fma(x, a12);
                    a13 = q3.fma(x, a13);
                    x = FloatVector.broadcast(F, k[k2 + e]);
                    a20 = q0.fma(x, a20);
                    a21 = q1.fma(x, a21);
                    a22 = q2.fma(x, a22);
                    a23 = q3.fma(x, a23);
                    x = FloatVector.broadcast(F, k[k3 + e]);
                    a30 = q0.fma(x, a30);
                    a31 = q1.fma(x, a31);
                    a32 = q2.fma(x, a32);
                    a33 = q3.fma(x, a33);
                }
                int s0 = c * LD + r;
                int s1 = s0 + LD;
                int s2 = s1 + LD;
                int s3 = s2 + LD;
                a00.intoArray(st, s0);
                a01.intoArray(st, s0 + w);
                a02.intoArray(st, s0 + 2 * w);
                a03.intoArray(st, s0 + 3 * w);
                a10.intoArray(st, s1);
                a11.intoArray(st, s1 + w);
                a12.intoArray(st, s1 + 2 * w);
                a13.intoArray(st, s1 + 3 * w);
                a20.intoArray(st, s2);
                a21.intoArray(st, s2 + w);
                a22.intoArray(st, s2 + 2 * w);
                a23.intoArray(st, s2 + 3 * w);
                a30.intoArray(st, s3);
                a31.intoArray(st, s3 + w);
                a32.intoArray(st, s3 + 2 * w);
                a33.intoArray(st, s3 + 3 * w);
                m0 = m0.max(a00.max(a10).max(a20.max(a30)));
                m1 = m1.max(a01.max(a11).max(a21.max(a31)));
                m2 = m2.max(a02.max(a12).max(a22.max(a32)));
                m3 = m3.max(a03.max(a13).max(a23.max(a33)));
            }
            for (; c < end; c++) {
                int k0 = kAt + c * d;
                FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00;
                for (int e = 0; e < d; e++) {
                    int qb = e * LD + r;
                    FloatVector x = FloatVector.broadcast(F, k[k0 + e]);
                    a00 = FloatVector.fromArray(F, qt, qb).fma(x, a00);
                    a01 = FloatVector.fromArray(F, qt, qb + w).fma(x, a01);
                    a02 = FloatVector.fromArray(F, qt, qb + 2 * w).fma(x, a02);
                    a03 = FloatVector.fromArray(F, qt, qb + 3 * w).fma(x, a03);
                }
                int s0 = c * LD + r;
                a00.intoArray(st, s0);
                a01.intoArray(st, s0 + w);
                a02.intoArray(st, s0 + 2 * w);
                a03.intoArray(st, s0 + 3 * w);
                m0 = m0.max(a00);
                m1 = m1.max(a01);
                m2 = m2.max(a02);
                m3 = m3.max(a03);
            }
            m0.intoArray(tileMax, r);
            m1.intoArray(tileMax, r + w);
            m2.intoArray(tileMax, r + 2 * w);
            m3.intoArray(tileMax, r + 3 * w);
        }

        /** st ↦ cap · tanh(st / cap) on lanes [from, to) of the tile. */
        private void capScores(int from, int to, int cols, float cap) {
            float inv = 1f / cap;
            for (int c = 0; c < cols; c++) {
                for (int r = from; r < to; r += F.length()) {
                    int at = c * LD + r;
                    FloatVector.fromArray(F, st, at).mul(inv).lanewise(VectorOperators.TANH).mul(cap)
                        .intoArray(st, at);
                }
            }
        }

        /**
         * ot[e, r] = α_r · ot[e, r] + Σ_{c &lt; cols} v[c, e] · P[c, r] for the V tile starting at {@code vAt} and the
         * block of 4 vectors of rows starting at r: 4 value columns × 4 vectors at a time, then single value
         * columns; keys that no row of the block sees (P = 0) are skipped as in {@link #scores}.
         */
        private void accumulate(int vAt, int i0, int r, int j0, int cols) {
            int w = F.length();
            int from = tiling.firstVisibleKey(i0 + r, j0, cols);
            int to = tiling.endVisibleKey(i0 + r + 4 * w - 1, j0, cols);
            FloatVector al0 = softmax.alphas(r);
            FloatVector al1 = softmax.alphas(r + w);
            FloatVector al2 = softmax.alphas(r + 2 * w);
            FloatVector al3 = softmax.alphas(r + 3 * w);
            int e = 0;
            for (; e + 4 <= dv; e += 4) {
                int o0 = e * LD + r;
                int o1 = o0 + LD;
                int o2 = o1 + LD;
                int o3 = o2 + LD;
                FloatVector a00 = FloatVector.fromArray(F, ot, o0).mul(al0);
                FloatVector a01 = FloatVector.fromArray(F, ot, o0 + w).mul(al1);
                FloatVector a02 = FloatVector.fromArray(F, ot, o0 + 2 * w).mul(al2);
                FloatVector a03 = FloatVector.fromArray(F, ot, o0 + 3 * w).mul(al3);
                FloatVector a10 = FloatVector.fromArray(F, ot, o1).mul(al0);
                FloatVector a11 = FloatVector.fromArray(F, ot, o1 + w).mul(al1);
                FloatVector a12 = FloatVector.fromArray(F, ot, o1 + 2 * w).mul(al2);
                FloatVector a13 = FloatVector.fromArray(F, ot, o1 + 3 * w).mul(al3);
                FloatVector a20 = FloatVector.fromArray(F, ot, o2).mul(al0);
                FloatVector a21 = FloatVector.fromArray(F, ot, o2 + w).mul(al1);
                FloatVector a22 = FloatVector.fromArray(F, ot, o2 + 2 * w).mul(al2);
                FloatVector a23 = FloatVector.fromArray(F, ot, o2 + 3 * w).mul(al3);
                FloatVector a30 = FloatVector.fromArray(F, ot, o3).mul(al0);
                FloatVector a31 = FloatVector.fromArray(F, ot, o3 + w).mul(al1);
                FloatVector a32 = FloatVector.fromArray(F, ot, o3 + 2 * w).mul(al2);
                FloatVector a33 = FloatVector.fromArray(F, ot, o3 + 3 * w).mul(al3);
                for (int c = from; c < to; c++) {
                    int pb = c * LD + r;
                    FloatVector p0 = FloatVector.fromArray(F, st, pb);
                    FloatVector p1 = FloatVector.fromArray(F, st, pb + w);
                    FloatVector p2 = FloatVector.fromArray(F, st, pb + 2 * w);
                    FloatVector p3 = FloatVector.fromArray(F, st, pb + 3 * w);
                    int vb = vAt + c * dv + e;
                    FloatVector x = FloatVector.broadcast(F, v[vb]);
                    a00 = p0.fma(x, a00);
                    a01 = p1.fma(x, a01);
                    a02 = p2.fma(x, a02);
                    a03 = p3.fma(x, a03);
                    x = FloatVector.broadcast(F, v[vb + 1]);
                    a10 = p0.fma(x, a10);
                    a11 = p1.fma(x, a11);
                    a12 = p2.fma(x, a12);
                    a13 = p3.fma(x, a13);
                    x = FloatVector.broadcast(F, v[vb + 2]);
                    a20 = p0.fma(x, a20);
                    a21 = p1.fma(x, a21);
                    a22 = p2.fma(x, a22);
                    a23 = p3.fma(x, a23);
                    x = FloatVector.broadcast(F, v[vb + 3]);
                    a30 = p0.fma(x, a30);
                    a31 = p1.fma(x, a31);
                    a32 = p2.fma(x, a32);
                    a33 = p3.fma(x, a33);
                }
                a00.intoArray(ot, o0);
                a01.intoArray(ot, o0 + w);
                a02.intoArray(ot, o0 + 2 * w);
                a03.intoArray(ot, o0 + 3 * w);
                a10.intoArray(ot, o1);
                a11.intoArray(ot, o1 + w);
                a12.intoArray(ot, o1 + 2 * w);
                a13.intoArray(ot, o1 + 3 * w);
                a20.intoArray(ot, o2);
                a21.intoArray(ot, o2 + w);
                a22.intoArray(ot, o2 + 2 * w);
                a23.intoArray(ot, o2 + 3 * w);
                a30.intoArray(ot, o3);
                a31.intoArray(ot, o3 + w);
                a32.intoArray(ot, o3 + 2 * w);
                a33.intoArray(ot, o3 + 3 * w);
            }
            for (; e < dv; e++) {
                int o0 = e * LD + r;
                FloatVector a00 = FloatVector.fromArray(F, ot, o0).mul(al0);
                FloatVector a01 = FloatVector.fromArray(F, ot, o0 + w).mul(al1);
                FloatVector a02 = FloatVector.fromArray(F, ot, o0 + 2 * w).mul(al2);
                FloatVector a03 = FloatVector.fromArray(F, ot, o0 + 3 * w).mul(al3);
                for (int c = from; c < to; c++) {
                    int pb = c * LD + r;
                    FloatVector x = FloatVector.broadcast(F, v[vAt + c * dv + e]);
                    a00 = FloatVector.fromArray(F, st, pb).fma(x, a00);
                    a01 = FloatVector.fromArray(F, st, pb + w).fma(x, a01);
                    a02 = FloatVector.fromArray(F, st, pb + 2 * w).fma(x, a02);
                    a03 = FloatVector.fromArray(F, st, pb + 3 * w).fma(x, a03);
                }
                a00.intoArray(ot, o0);
                a01.intoArray(ot, o0 + w);
                a02.intoArray(ot, o0 + 2 * w);
                a03.intoArray(ot, o0 + 3 * w);
            }
        }
    }

    /** float64 tiles, scalar loops with float64 accumulation. */
    private static final class DoubleTiles extends Tiles {
        private static final int BK = KernelTiling.KEY_TILE;
        private final double[] q;
        private final double[] k;
        private final double[] v;
        private final double[] out;
        private final int qOff;
        private final int kOff;
        private final int vOff;
        private final int outOff;
        private final double[] s;
        private final double[] acc;

        DoubleTiles(AttentionProblem p, KernelTiling tiling, TileLogits logits, Tensor q, Tensor k, Tensor v,
                    Tensor out, Tensor lse) {
            super(p, tiling, logits, false, lse);
            this.q = q.doubleData();
            this.k = k.doubleData();
            this.v = v.doubleData();
            this.out = out.doubleData();
            this.qOff = q.offset();
            this.kOff = k.offset();
            this.vOff = v.offset();
            this.outOff = out.offset();
            this.s = new double[KernelTiling.QUERY_TILE * BK];
            this.acc = new double[KernelTiling.QUERY_TILE * p.dv()];
        }

        @Override
        void run(int task) {
            int d = p.d();
            int dv = p.dv();
            int nk = p.nk();
            int bh = tiling.head(task);
            int i0 = tiling.firstRow(task);
            int i1 = tiling.endRow(task);
            int rows = i1 - i0;
            int kvHead = bh / p.queryHeads() * p.kvHeads() + bh % p.queryHeads() / p.groupSize();
            int kBase = kOff + kvHead * nk * d;
            int vBase = vOff + kvHead * nk * dv;
            int qBase = qOff + (bh * p.nq() + i0) * d;
            double scale = p.scale();
            Arrays.fill(acc, 0, rows * dv, 0d);
            softmax.start(rows, logits.sink(bh));
            boolean perElement = logits.perElement();
            int jEnd = tiling.endKey(i1);
            for (int j0 = tiling.firstKey(i0); j0 < jEnd; j0 += BK) {
                int cols = Math.min(BK, nk - j0);
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        double dot = 0;
                        for (int e = 0; e < d; e++) {
                            dot += q[qBase + r * d + e] * k[kBase + (j0 + c) * d + e];
                        }
                        s[r * BK + c] = scale * dot;
                    }
                }
                if (perElement || !tiling.fullyVisible(i0, i1, j0, j0 + cols)) {
                    logits.apply(s, BK, bh, i0, rows, j0, cols);
                }
                softmax.update(s, BK, rows, cols);
                for (int r = 0; r < rows; r++) {
                    double alpha = softmax.alphaDouble(r);
                    for (int e = 0; e < dv; e++) {
                        double o = alpha * acc[r * dv + e];
                        for (int c = 0; c < cols; c++) {
                            o += s[r * BK + c] * v[vBase + (j0 + c) * dv + e];
                        }
                        acc[r * dv + e] = o;
                    }
                }
            }
            int oBase = outOff + (bh * p.nq() + i0) * dv;
            for (int r = 0; r < rows; r++) {
                double inv = softmax.inverseSum(r);
                for (int e = 0; e < dv; e++) {
                    out[oBase + r * dv + e] = acc[r * dv + e] * inv;
                }
            }
            writeLse(bh, i0, rows);
        }
    }
}

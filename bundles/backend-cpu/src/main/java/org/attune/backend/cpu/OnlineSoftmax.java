package org.attune.backend.cpu;

import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The running maximum and sum of the online softmax (Milakov and Gimelshein, "Online normalizer calculation for
 * softmax", arXiv:1805.02867, algorithm 3; Dao et al., "FlashAttention", arXiv:2205.14135, algorithm 1, lines 9–12)
 * for the rows of one query tile. Per key tile with logits S:
 * <pre>
 *   m' = max(m, max_j S_j)      α = e^{m − m'}      P_j = e^{S_j − m'}      l' = α·l + Σ_j P_j
 * </pre>
 * and the caller rescales its output accumulator by α before adding P·V. It starts at m = sink, l = 1 with a sink
 * logit (the sink's own term e^{sink − m}), else at m = −∞, l = 0; at the end {@code out = acc / l} and
 * {@code lse = m + log l}. A row that has seen only −∞ keeps m = −∞ and l = 0 (P = 0, α = 1, never e^{−∞ + ∞}),
 * so a fully masked row ends as a zero row with lse −∞ (or the sink).
 *
 * <p>float32 tiles (vectorised over query rows, the tile stored transposed as [key, query]) are in base-2 units, as
 * in FlashAttention-2 (Dao, arXiv:2307.08691, which folds log₂e into the softmax scale): the caller gives logits
 * S·log₂e — it folds log₂e into the query scale, cap and bias — so the state is m₂ = m·log₂e and every weight is a
 * power of two, 2^{S₂ − m₂} = e^{S − m}, which costs one rounding and a polynomial less than e^x (see
 * {@link #exp2Columns}). {@link #start} takes the sink and {@link #logSumExp} gives the lse in natural units.
 * float64 tiles (row-major [query, key], the reference path) stay in natural units with {@link Math#exp}.
 */
final class OnlineSoftmax {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** log₂e = 1 / ln 2: a float32 logit S is handed over as S·LOG2E, rounded once. */
    static final double LOG2E = 1 / Math.log(2);

    private final float[] maxF;
    private final float[] sumF;
    private final float[] alphaF;
    /** Scratch of the float update: the rows' maxima after the tile, what the exponentials subtract, the tile sums. */
    private final float[] nextF;
    private final float[] baseF;
    private final float[] tileSumF;
    private final double[] maxD;
    private final double[] sumD;
    private final double[] alphaD;

    OnlineSoftmax(int rows, boolean float32) {
        maxF = float32 ? new float[rows] : null;
        sumF = float32 ? new float[rows] : null;
        alphaF = float32 ? new float[rows] : null;
        nextF = float32 ? new float[rows] : null;
        baseF = float32 ? new float[rows] : null;
        tileSumF = float32 ? new float[rows] : null;
        maxD = float32 ? null : new double[rows];
        sumD = float32 ? null : new double[rows];
        alphaD = float32 ? null : new double[rows];
    }

    /** Resets the first {@code rows} rows to the empty state, with the given sink logit (natural units, −∞ for none). */
    void start(int rows, double sink) {
        boolean withSink = sink != Double.NEGATIVE_INFINITY;
        if (maxF != null) {
            Arrays.fill(maxF, 0, rows, (float) (sink * LOG2E));
            Arrays.fill(sumF, 0, rows, withSink ? 1f : 0f);
        } else {
            Arrays.fill(maxD, 0, rows, sink);
            Arrays.fill(sumD, 0, rows, withSink ? 1d : 0d);
        }
    }

    /**
     * Folds rows [from, to) of one transposed float tile into the state: {@code st[c·stride + r]} is the base-2 logit
     * of query row r and key c (c &lt; cols, −∞ = masked); from and to are multiples of the vector length and
     * {@code stride} ≥ to. Every step is lane-wise over query rows, so no horizontal reduction is needed. Overwrites
     * the logits with P and sets {@link #alphas(int)}. A row whose maximum is still −∞ subtracts 0 instead, so its
     * P and α come out 0.
     */
    void update(float[] st, int stride, int from, int to, int cols) {
        int width = F.length();
        FloatVector minusInf = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int r = from; r < to; r += width) {
            FloatVector m = FloatVector.fromArray(F, maxF, r);
            for (int c = 0; c < cols; c++) {
                m = m.max(FloatVector.fromArray(F, st, c * stride + r));
            }
            m.intoArray(nextF, r);
            m.blend(0f, m.compare(VectorOperators.EQ, minusInf)).intoArray(baseF, r);
        }
        fold(st, stride, from, to, cols, baseF, nextF);
    }

    /**
     * Folds rows [from, to) of one transposed float tile whose new maxima the caller already knows: {@code max[r]} =
     * max(m_r, max_c st[c·stride + r]), finite (the tile has a finite logit in every row: no mask, bias, cap or
     * geometry rule touched it). Same results as {@link #update(float[], int, int, int, int)}, without the
     * pass that finds the maxima; the kernel calls it for each block of rows as soon as their scores are computed,
     * while they are still in cache.
     */
    void update(float[] st, int stride, int from, int to, int cols, float[] max) {
        fold(st, stride, from, to, cols, max, max);
    }

    /**
     * P = 2^{S − base}, α = 2^{m − base}, l = α·l + Σ P, m = next, lane-wise for rows [from, to). The
     * exponentials go through {@link #exp2Columns}, which takes and returns no vector: a Vector API value that
     * crosses a call the JIT compiler did not inline is boxed on the heap, and whether C2 inlines a call in a large
     * method depends on the order in which it compiled the methods — so the hot loop keeps its vectors in registers
     * whatever that order was (runs where the exponential stayed a call measured 0.6× the usual speed).
     */
    private void fold(float[] st, int stride, int from, int to, int cols, float[] base, float[] next) {
        int width = F.length();
        System.arraycopy(maxF, from, alphaF, from, to - from);
        for (int r = from; r < to; r += width) {
            exp2Columns(st, r, stride, cols, base, r, tileSumF);
            exp2Columns(alphaF, r, 0, 1, base, r, null);
            FloatVector alpha = FloatVector.fromArray(F, alphaF, r);
            FloatVector.fromArray(F, sumF, r).fma(alpha, FloatVector.fromArray(F, tileSumF, r)).intoArray(sumF, r);
        }
        System.arraycopy(next, from, maxF, from, to - from);
    }

    /** Folds one row-major double tile {@code s[r·stride + c]} (rows r &lt; rows, keys c &lt; cols) into the state. */
    void update(double[] s, int stride, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int base = r * stride;
            double old = maxD[r];
            double m = old;
            for (int c = 0; c < cols; c++) {
                m = Math.max(m, s[base + c]);
            }
            if (m == Double.NEGATIVE_INFINITY) {
                Arrays.fill(s, base, base + cols, 0d);
                alphaD[r] = 1d;
                continue;
            }
            double sum = 0;
            for (int c = 0; c < cols; c++) {
                double p = Math.exp(s[base + c] - m);
                s[base + c] = p;
                sum += p;
            }
            double alpha = Math.exp(old - m);
            alphaD[r] = alpha;
            sumD[r] = sumD[r] * alpha + sum;
            maxD[r] = m;
        }
    }

    /**
     * At or below this argument 2^x is 0 in float32 (the smallest normal is 2^{−126}), which is what a masked key
     * (−∞) must weigh: {@link #exp2Columns} clamps its arguments here and builds 2^{−127} as exactly 0.
     */
    private static final float ZERO_AT = -127f;

    /** 1.5 · 2²³ + 127: adding it rounds to an integer n and leaves n + 127 in the low mantissa bits. */
    private static final float SHIFTER = 12582912f + 127f;

    /*
     * 2^t on |t| ≤ 1/2: p(t) = 1 + P1·t + … + P5·t⁵, the near-minimax polynomial of degree 5 for the relative error
     * with p(0) = 1, so that a row's largest logit weighs exactly 1 (9.1·10⁻⁸ before float32 rounding, 1.9·10⁻⁷
     * with Horner's rule in float32), fitted by tools/exp2_polynomial.py.
     */
    private static final float P1 = 0.693147f;
    private static final float P2 = 0.24022242f;
    private static final float P3 = 0.055507336f;
    private static final float P4 = 0.009671513f;
    private static final float P5 = 0.0013264727f;

    /**
     * {@code a[c·stride + at …]} ← 2^{a − base[baseAt …]} for c &lt; cols (one vector of lanes each), and, when
     * {@code sums} is given, {@code sums[baseAt …]} ← Σ_c of the results. For arguments x ≤ 0, vectorised: x is
     * clamped to x ≥ {@link #ZERO_AT}, split as x = n + t with n = round(x) by the rounding shifter (exact, and
     * n + 127 comes out of its mantissa) and |t| ≤ 1/2, and 2^x = p(t) · 2ⁿ with 2ⁿ built in the exponent bits —
     * which makes 2^{−127} (and so −∞, a masked key) exactly 0. Against e^x this saves the multiplication by log₂e
     * and the two-step reduction by ln 2: six multiply-adds per vector instead of ten.
     */
    static void exp2Columns(float[] a, int at, int stride, int cols, float[] base, int baseAt, float[] sums) {
        FloatVector b = FloatVector.fromArray(F, base, baseAt);
        FloatVector shifter = FloatVector.broadcast(F, SHIFTER);
        FloatVector sum = FloatVector.zero(F);
        for (int c = 0; c < cols; c++) {
            int i = c * stride + at;
            FloatVector x = FloatVector.fromArray(F, a, i).sub(b).max(ZERO_AT);
            FloatVector y = x.add(shifter);
            FloatVector t = x.sub(y.sub(shifter));
            FloatVector p = t.fma(FloatVector.broadcast(F, P5), FloatVector.broadcast(F, P4));
            p = p.fma(t, FloatVector.broadcast(F, P3));
            p = p.fma(t, FloatVector.broadcast(F, P2));
            p = p.fma(t, FloatVector.broadcast(F, P1));
            p = p.fma(t, FloatVector.broadcast(F, 1f));
            IntVector bits = y.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23);
            FloatVector e = p.mul(bits.reinterpretAsFloats());
            e.intoArray(a, i);
            sum = sum.add(e);
        }
        if (sums != null) {
            sum.intoArray(sums, baseAt);
        }
    }

    /** The running maxima m (base 2) of float rows r … r + lanes − 1. */
    FloatVector maxima(int r) {
        return FloatVector.fromArray(F, maxF, r);
    }

    /** The rescaling factors α of rows r … r + lanes − 1 from the last float update. */
    FloatVector alphas(int r) {
        return FloatVector.fromArray(F, alphaF, r);
    }

    /** The rescaling factor α of row r from the last float64 update. */
    double alphaDouble(int r) {
        return alphaD[r];
    }

    /** 1 / l of row r, or 0 for a row without any weight (fully masked, no sink). */
    double inverseSum(int r) {
        double l = maxF != null ? sumF[r] : sumD[r];
        return l > 0 ? 1.0 / l : 0.0;
    }

    /** m + log l of row r (natural units), or −∞ for a row without any weight. */
    double logSumExp(int r) {
        double l = maxF != null ? sumF[r] : sumD[r];
        return l > 0 ? (maxF != null ? maxF[r] / LOG2E : maxD[r]) + Math.log(l) : Double.NEGATIVE_INFINITY;
    }
}

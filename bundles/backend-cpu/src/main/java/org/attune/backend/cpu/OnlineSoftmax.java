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
 * <p>float32 state and float32 sums for float32 tiles (vectorised over query rows, the tile stored transposed as
 * [key, query]), float64 for float64 tiles (row-major [query, key]).
 */
final class OnlineSoftmax {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

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

    /** Resets the first {@code rows} rows to the empty state, with the given sink logit (−∞ for none). */
    void start(int rows, double sink) {
        boolean withSink = sink != Double.NEGATIVE_INFINITY;
        if (maxF != null) {
            Arrays.fill(maxF, 0, rows, (float) sink);
            Arrays.fill(sumF, 0, rows, withSink ? 1f : 0f);
        } else {
            Arrays.fill(maxD, 0, rows, sink);
            Arrays.fill(sumD, 0, rows, withSink ? 1d : 0d);
        }
    }

    /**
     * Folds one transposed float tile into the state: {@code st[c·stride + r]} is the logit of query row r and key c
     * (c &lt; cols, −∞ = masked), for rows r &lt; {@code lanes} (a multiple of the vector length, {@code stride} ≥ lanes).
     * Every step is lane-wise over query rows, so no horizontal reduction is needed. Overwrites the logits with P and
     * sets {@link #alphas(int)}. A row whose maximum is still −∞ subtracts 0 instead, so its P and α come out 0.
     */
    void update(float[] st, int stride, int lanes, int cols) {
        int width = F.length();
        FloatVector minusInf = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int r = 0; r < lanes; r += width) {
            FloatVector m = FloatVector.fromArray(F, maxF, r);
            for (int c = 0; c < cols; c++) {
                m = m.max(FloatVector.fromArray(F, st, c * stride + r));
            }
            m.intoArray(nextF, r);
            m.blend(0f, m.compare(VectorOperators.EQ, minusInf)).intoArray(baseF, r);
        }
        fold(st, stride, lanes, cols, baseF, nextF, false);
    }

    /**
     * Folds one transposed float tile whose rows' new maxima the caller already knows: {@code max[r]} =
     * max(m_r, max_c st[c·stride + r]), and every logit of the tile is finite (no mask, bias, cap or geometry rule
     * touched it), so the maximum is finite too and the exponentials need no −∞ handling.
     * Same results as {@link #update(float[], int, int, int)} except for logits more than 87.3 below the row
     * maximum, whose weight becomes about 2^{−126} instead of 0.
     */
    void update(float[] st, int stride, int lanes, int cols, float[] max) {
        fold(st, stride, lanes, cols, max, max, true);
    }

    /**
     * P = e^{S − base}, α = e^{m − base}, l = α·l + Σ P, m = next, lane-wise for rows r &lt; lanes. The exponentials
     * go through {@link #expColumns}, which takes and returns no vector: a Vector API value that crosses a call the
     * JIT compiler did not inline is boxed on the heap, and whether C2 inlines a call in a large method depends on
     * the order in which it compiled the methods — so the hot loop keeps its vectors in registers whatever that
     * order was (runs where the exponential stayed a call measured 0.6× the usual speed).
     */
    private void fold(float[] st, int stride, int lanes, int cols, float[] base, float[] next, boolean finite) {
        int width = F.length();
        float zeroBelow = finite ? Float.NEGATIVE_INFINITY : UNDERFLOW;
        System.arraycopy(maxF, 0, alphaF, 0, lanes);
        for (int r = 0; r < lanes; r += width) {
            expColumns(st, r, stride, cols, base, r, zeroBelow, tileSumF);
            expColumns(alphaF, r, 0, 1, base, r, zeroBelow, null);
            FloatVector alpha = FloatVector.fromArray(F, alphaF, r);
            FloatVector.fromArray(F, sumF, r).fma(alpha, FloatVector.fromArray(F, tileSumF, r)).intoArray(sumF, r);
        }
        System.arraycopy(next, 0, maxF, 0, lanes);
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

    private static final float LOG2E = 1.44269504f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** Below this argument e^x underflows float32; the result is exactly 0 (also for −∞, a masked key). */
    private static final float UNDERFLOW = -87.33654f;

    /** 1.5 · 2²³ + 127: adding it rounds to an integer n and leaves n + 127 in the low mantissa bits. */
    private static final float SHIFTER = 12582912f + 127f;

    /**
     * {@code a[c·stride + at …]} ← e^{a − base[baseAt …]} for c &lt; cols (one vector of lanes each), and, when
     * {@code sums} is given, {@code sums[baseAt …]} ← Σ_c of the results. For arguments x ≤ 0, vectorised: x = n·ln 2
     * + t with n = round(x·log₂e) and |t| ≤ ln 2 / 2 (ln 2 split in two for an exact reduction), e^t by its degree-6
     * Taylor polynomial (truncation below 1.3·10⁻⁷ relative on that interval), times 2ⁿ built in the exponent bits
     * (n + 127 comes out of the rounding shifter's mantissa). Arguments below {@code zeroBelow} give exactly 0: pass
     * {@link #UNDERFLOW} so that masked keys (−∞) get zero weight, or −∞ where every argument is finite and the
     * largest is 0 — then arguments below {@link #UNDERFLOW} give e^{UNDERFLOW}, about 2^{−126}, below float32
     * resolution of the sum.
     */
    static void expColumns(float[] a, int at, int stride, int cols, float[] base, int baseAt, float zeroBelow,
                           float[] sums) {
        FloatVector b = FloatVector.fromArray(F, base, baseAt);
        FloatVector log2e = FloatVector.broadcast(F, LOG2E);
        FloatVector shifter = FloatVector.broadcast(F, SHIFTER);
        FloatVector sum = FloatVector.zero(F);
        for (int c = 0; c < cols; c++) {
            int i = c * stride + at;
            FloatVector x = FloatVector.fromArray(F, a, i).sub(b);
            FloatVector xc = x.max(UNDERFLOW);
            FloatVector y = xc.fma(log2e, shifter);
            FloatVector n = y.sub(SHIFTER);
            FloatVector t = n.fma(FloatVector.broadcast(F, -LN2_HI), xc);
            t = n.fma(FloatVector.broadcast(F, -LN2_LO), t);
            FloatVector poly = t.fma(FloatVector.broadcast(F, 1f / 720f), FloatVector.broadcast(F, 1f / 120f));
            poly = poly.fma(t, FloatVector.broadcast(F, 1f / 24f));
            poly = poly.fma(t, FloatVector.broadcast(F, 1f / 6f));
            poly = poly.fma(t, FloatVector.broadcast(F, 0.5f));
            poly = poly.fma(t, FloatVector.broadcast(F, 1f));
            poly = poly.fma(t, FloatVector.broadcast(F, 1f));
            IntVector bits = y.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23);
            FloatVector e = poly.mul(bits.reinterpretAsFloats()).blend(0f, x.compare(VectorOperators.LT, zeroBelow));
            e.intoArray(a, i);
            sum = sum.add(e);
        }
        if (sums != null) {
            sum.intoArray(sums, baseAt);
        }
    }

    /** The running maxima m of float rows r … r + lanes − 1. */
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

    /** m + log l of row r, or −∞ for a row without any weight. */
    double logSumExp(int r) {
        double l = maxF != null ? sumF[r] : sumD[r];
        return l > 0 ? (maxF != null ? maxF[r] : maxD[r]) + Math.log(l) : Double.NEGATIVE_INFINITY;
    }
}

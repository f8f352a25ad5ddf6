package org.attune.backend.cpu;

import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.AttentionProblem;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;

/**
 * The per-element logit rules of one attention call, applied to a tile of scaled logits x = scale · q·k:
 * <pre>
 *   S = cap(x) + bias[b,h,i,j] − m_h · |i − j|     cap(x) = c · tanh(x / c) with soft-capping, else x
 *   S = −∞ where the mask is false or (i, j) is outside the causal/window bounds of {@link KernelTiling}
 * </pre>
 * Tiles that are inside the bounds and have no mask, bias, slopes or cap skip this entirely.
 */
final class TileLogits {
    private final KernelTiling tiling;
    private final int heads;
    private final boolean[] mask;
    private final int maskOffset;
    private final int[] ms;
    private final float[] biasF;
    private final double[] biasD;
    private final int biasOffset;
    private final int[] bs;
    private final double[] slopes;
    private final double cap;
    private final double[] sinks;

    TileLogits(AttentionProblem p, AttentionOptions o, KernelTiling tiling) {
        this.tiling = tiling;
        this.heads = p.queryHeads();
        Tensor m = o.mask().orElse(null);
        this.mask = m == null ? null : m.booleanData();
        this.maskOffset = m == null ? 0 : m.offset();
        this.ms = p.maskStrides();
        Tensor b = o.bias().orElse(null);
        this.biasF = b != null && b.dtype() == DType.FLOAT32 ? b.floatData() : null;
        this.biasD = b != null && b.dtype() == DType.FLOAT64 ? b.doubleData() : null;
        this.biasOffset = b == null ? 0 : b.offset();
        this.bs = p.biasStrides();
        this.slopes = o.alibiSlopes().map(Tensor::toDoubleArray).orElse(null);
        this.cap = o.softCap().orElse(0);
        this.sinks = o.sinks().map(Tensor::toDoubleArray).orElse(null);
    }

    /** Whether some element needs more than the geometry: a mask, a bias, ALiBi slopes or a cap. */
    boolean perElement() {
        return mask != null || bs != null || slopes != null || cap > 0;
    }

    /** The soft-capping constant, or 0 for none. */
    double cap() {
        return cap;
    }

    /** The sink logit of flat batch·head index bh, or −∞ without sinks. */
    double sink(int bh) {
        return sinks == null ? Double.NEGATIVE_INFINITY : sinks[bh % heads];
    }

    /** The additive term of (b, h, i, j) after capping: bias and ALiBi, or −∞ when (i, j) is not allowed. */
    double term(int bh, int i, int j) {
        int b = bh / heads;
        int h = bh % heads;
        if (!tiling.visible(i, j)
            || mask != null && !mask[maskOffset + b * ms[0] + h * ms[1] + i * ms[2] + j * ms[3]]) {
            return Double.NEGATIVE_INFINITY;
        }
        double t = 0;
        if (bs != null) {
            int at = biasOffset + b * bs[0] + h * bs[1] + i * bs[2] + j * bs[3];
            t = biasF != null ? biasF[at] : biasD[at];
        }
        if (slopes != null) {
            t -= slopes[h] * Math.abs(i - j);
        }
        return t;
    }

    /**
     * Applies the rules to rows [from, to) of a transposed float tile {@code st[c·stride + r]} of keys j0 + c
     * (c &lt; cols) and rows i0 + r, the cap excepted (the caller caps, vectorised), for logits in units of
     * 1/{@code unit}: the tile holds unit·S, so the terms are added as unit·t ({@code unit} = log₂e for the base-2
     * float kernel).
     */
    void applyTransposed(float[] st, int stride, int bh, int i0, int from, int to, int j0, int cols, double unit) {
        for (int c = 0; c < cols; c++) {
            int base = c * stride;
            for (int r = from; r < to; r++) {
                double t = term(bh, i0 + r, j0 + c);
                st[base + r] = t == Double.NEGATIVE_INFINITY ? Float.NEGATIVE_INFINITY : (float) (st[base + r] + unit * t);
            }
        }
    }

    /**
     * Only the causal and window rules on rows [from, to) of a transposed float tile, as runs of −∞: key j0 + c is
     * seen by the rows [{@link KernelTiling#firstRowSeeing}, {@link KernelTiling#lastRowSeeing}].
     */
    void maskGeometryTransposed(float[] st, int stride, int i0, int from, int to, int j0, int cols) {
        for (int c = 0; c < cols; c++) {
            int base = c * stride;
            long lo = Math.max(from, Math.min(to, tiling.firstRowSeeing(j0 + c) - i0));
            long hi = Math.max(lo, Math.min(to, tiling.lastRowSeeing(j0 + c) - i0 + 1));
            java.util.Arrays.fill(st, base + from, base + (int) lo, Float.NEGATIVE_INFINITY);
            java.util.Arrays.fill(st, base + (int) hi, base + to, Float.NEGATIVE_INFINITY);
        }
    }

    /** Whether there is a mask, a bias or ALiBi slopes: terms beyond the causal and window geometry. */
    boolean additive() {
        return mask != null || bs != null || slopes != null;
    }

    /** Applies the rules, the cap included, to a double tile {@code s[r·stride + c]} of rows i0 + r and keys j0 + c. */
    void apply(double[] s, int stride, int bh, int i0, int rows, int j0, int cols) {
        for (int r = 0; r < rows; r++) {
            int base = r * stride;
            for (int c = 0; c < cols; c++) {
                double x = s[base + c];
                double t = term(bh, i0 + r, j0 + c);
                s[base + c] = t == Double.NEGATIVE_INFINITY ? t : (cap > 0 ? cap * Math.tanh(x / cap) : x) + t;
            }
        }
    }
}

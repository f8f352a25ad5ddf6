package org.attune.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * The base-2 online softmax of the float32 kernel: its exponential against {@link Math#pow} in float64, and two
 * folded tiles against a one-pass float64 softmax over both.
 */
class OnlineSoftmaxTest {
    private static final int W = FloatVector.SPECIES_PREFERRED.length();

    /**
     * Largest relative error of exp2Columns for arguments in the normal range: the polynomial's 2.3·10⁻⁷ (float32
     * Horner, tools/exp2_polynomial.py) plus the rounding of x − base and of the product with 2ⁿ — about 4 units
     * of the last place of float32 (2⁻²⁴ ≈ 6·10⁻⁸).
     */
    private static final double EXP2_RELATIVE = 3.5e-7;

    @Test
    void exp2ColumnsMatchesFloat64PowerOfTwoOverTheNormalRange() {
        int cols = 4096;
        float[] a = new float[cols * W];
        float[] x = new float[cols * W];
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < a.length; i++) {
            x[i] = (float) (-126 * random.nextDouble());
            a[i] = x[i];
        }
        x[0] = 0f;
        a[0] = 0f;
        float[] base = new float[W];
        float[] sums = new float[W];
        OnlineSoftmax.exp2Columns(a, 0, W, cols, base, 0, sums);
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            double expected = Math.pow(2, x[i]);
            worst = Math.max(worst, Math.abs(a[i] / expected - 1));
        }
        assertTrue(worst <= EXP2_RELATIVE, "largest relative error " + worst);
        assertEquals(1f, a[0], "2^0");
        for (int lane = 0; lane < W; lane++) {
            double sum = 0;
            for (int c = 0; c < cols; c++) {
                sum += a[c * W + lane];
            }
            assertEquals(sum, sums[lane], 1e-5 * sum, "sum of lane " + lane);
        }
    }

    @Test
    void exp2ColumnsGivesExactZeroForMaskedAndUnderflowingArguments() {
        float[] a = new float[4 * W];
        for (int lane = 0; lane < W; lane++) {
            a[lane] = Float.NEGATIVE_INFINITY;
            a[W + lane] = -127f;
            a[2 * W + lane] = -1000f;
            a[3 * W + lane] = -Float.MAX_VALUE;
        }
        float[] base = new float[W];
        java.util.Arrays.fill(base, 3f);
        float[] sums = new float[W];
        OnlineSoftmax.exp2Columns(a, 0, W, 4, base, 0, sums);
        for (float v : a) {
            assertEquals(0f, v, "weight of a masked or underflowing logit");
        }
        assertEquals(0f, sums[0]);
    }

    /**
     * Two tiles of natural logits spanning ±400 (handed over in base 2), the second through the path with known
     * maxima, against one float64 softmax: the sum l·2^m and the log-sum-exp to float32 rounding of the logits.
     */
    @Test
    void twoFoldedTilesEqualOneFloat64SoftmaxInNaturalUnits() {
        int rows = 2 * W;
        int cols = 37;
        SplittableRandom random = new SplittableRandom(11);
        double[][] logits = new double[rows][2 * cols];
        for (double[] row : logits) {
            double centre = 800 * random.nextDouble() - 400;
            for (int c = 0; c < row.length; c++) {
                row[c] = centre + 30 * random.nextGaussian();
            }
        }
        OnlineSoftmax softmax = new OnlineSoftmax(rows, true);
        softmax.start(rows, Double.NEGATIVE_INFINITY);
        float[] st = new float[cols * rows];
        float[] max = new float[rows];
        for (int tile = 0; tile < 2; tile++) {
            for (int r = 0; r < rows; r++) {
                max[r] = softmax.maxima(r - r % W).lane(r % W);
                for (int c = 0; c < cols; c++) {
                    st[c * rows + r] = (float) (logits[r][tile * cols + c] * OnlineSoftmax.LOG2E);
                    max[r] = Math.max(max[r], st[c * rows + r]);
                }
            }
            if (tile == 0) {
                softmax.update(st, rows, 0, rows, cols);
            } else {
                softmax.update(st, rows, 0, rows, cols, max);
            }
        }
        for (int r = 0; r < rows; r++) {
            double m = Double.NEGATIVE_INFINITY;
            for (double x : logits[r]) {
                m = Math.max(m, x);
            }
            double l = 0;
            for (double x : logits[r]) {
                l += Math.exp(x - m);
            }
            double lse = m + Math.log(l);
            // float32 logits of magnitude ≤ 600 carry 2⁻²⁴·600 ≈ 4·10⁻⁵ of rounding each
            assertEquals(lse, softmax.logSumExp(r), 1e-4, "log-sum-exp of row " + r);
        }
    }
}

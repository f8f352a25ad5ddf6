package org.attune.attention.normalization;

/**
 * Softmax over the rows or the columns of one [Nq, Nk] plane of logits, in place, in float64:
 * <pre>
 *   rows:    x_ij ← exp(x_ij − m_i) / Σ_{j'} exp(x_ij' − m_i),   m_i = max_j x_ij
 *   columns: x_ij ← exp(x_ij − m_j) / Σ_{i'} exp(x_i'j − m_j),   m_j = max_i x_ij
 * </pre>
 * An entry of −∞ (not allowed) becomes 0; a row or column with no finite entry becomes all zeros.
 */
final class PlaneSoftmax {
    private PlaneSoftmax() {
    }

    /** The softmax of each row. */
    static void rows(double[][] plane) {
        for (double[] row : plane) {
            double max = Double.NEGATIVE_INFINITY;
            for (double x : row) {
                max = Math.max(max, x);
            }
            double sum = 0;
            for (int j = 0; j < row.length; j++) {
                row[j] = row[j] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(row[j] - max);
                sum += row[j];
            }
            for (int j = 0; j < row.length; j++) {
                row[j] = sum == 0 ? 0 : row[j] / sum;
            }
        }
    }

    /** The softmax of each column. */
    static void columns(double[][] plane) {
        int nk = plane.length == 0 ? 0 : plane[0].length;
        for (int j = 0; j < nk; j++) {
            double max = Double.NEGATIVE_INFINITY;
            for (double[] row : plane) {
                max = Math.max(max, row[j]);
            }
            double sum = 0;
            for (double[] row : plane) {
                row[j] = row[j] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(row[j] - max);
                sum += row[j];
            }
            for (double[] row : plane) {
                row[j] = sum == 0 ? 0 : row[j] / sum;
            }
        }
    }
}

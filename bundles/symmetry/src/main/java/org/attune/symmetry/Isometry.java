package org.attune.symmetry;

import org.attune.api.equivariance.GroupElement;

/**
 * An element x ↦ Q·x + t of a Euclidean group or one of its subgroups.
 *
 * @param group       the group id
 * @param n           the dimension
 * @param rotation    Q, n×n row-major, orthogonal
 * @param translation t, length n (zeros in groups without translations)
 */
record Isometry(String group, int n, double[] rotation, double[] translation) implements GroupElement {
    @Override
    public String describe() {
        StringBuilder s = new StringBuilder("Q=" + OrthogonalMatrices.describe(rotation, n));
        boolean moved = false;
        for (double v : translation) {
            moved |= v != 0;
        }
        if (moved) {
            s.append(" t=[");
            for (int i = 0; i < n; i++) {
                s.append(i == 0 ? "" : ", ").append(String.format(java.util.Locale.ROOT, "%.4f", translation[i]));
            }
            s.append(']');
        }
        return s.toString();
    }
}

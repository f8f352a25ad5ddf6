package org.attune.symmetry;

import org.attune.api.equivariance.GroupElement;

/**
 * An element r^k·s^f of C_n or D_n: r the rotation by 2π/n, s the reflection (x, y) ↦ (x, −y).
 *
 * @param group   the group id
 * @param n       the order of the rotation subgroup
 * @param k       rotation steps, in [0, n)
 * @param flipped whether s is applied (first)
 */
record PlanarSymmetry(String group, int n, int k, boolean flipped) implements GroupElement {
    @Override
    public String describe() {
        return "r^" + k + (flipped ? "·s" : "") + " (rotation " + (360.0 * k / n) + "°" + (flipped ? " after y ↦ −y" : "")
            + ")";
    }
}

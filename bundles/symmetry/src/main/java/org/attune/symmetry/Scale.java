package org.attune.symmetry;

import org.attune.api.equivariance.GroupElement;

/**
 * A uniform scaling x ↦ s·x, s &gt; 0.
 *
 * @param factor s
 */
record Scale(double factor) implements GroupElement {
    @Override
    public String group() {
        return ScalingGroup.ID;
    }

    @Override
    public String describe() {
        return "scale " + factor;
    }
}

package org.attune.api.equivariance;

/**
 * An element of a {@link SymmetryGroup}, opaque to everyone but its group. {@link #describe()} gives a
 * readable form for reports.
 */
public interface GroupElement {
    /** The id of the group this element belongs to. */
    String group();

    /** A readable form, e.g. a rotation matrix or a permutation. */
    String describe();
}

package org.attune.api.equivariance;

import java.util.SplittableRandom;

import org.attune.api.tensor.Tensor;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A symmetry group with seeded sampling and actions on typed data, registered with the {@link #ID} property.
 * Data types ({@code representation}) are named strings such as {@code scalar}, {@code vector},
 * {@code points}, {@code sequence}, {@code irrep:2}; a group rejects those it cannot act on with an
 * {@link org.attune.api.tensor.InvalidInputException}.
 */
@ConsumerType
public interface SymmetryGroup {
    /** Service property (String): the group id, e.g. {@code SO(3)}, {@code S_n}. */
    String ID = "attune.group.id";

    /** A random element from the group's (Haar, where it has one) distribution. */
    GroupElement sample(SplittableRandom random);

    /** The product {@code a·b}: first b, then a. */
    GroupElement compose(GroupElement a, GroupElement b);

    /** The inverse element. */
    GroupElement inverse(GroupElement g);

    /** {@code g·x} for data of the given representation. */
    Tensor act(GroupElement g, String representation, Tensor x);
}

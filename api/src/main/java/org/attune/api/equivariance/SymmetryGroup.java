package org.attune.api.equivariance;

import java.util.SplittableRandom;

import org.attune.api.tensor.Tensor;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A symmetry group with seeded sampling and actions on typed data, registered with the {@link #ID} property.
 * Clients look groups up through {@link org.attune.api.registry.MethodRegistry#group(String)}.
 *
 * <p>Data types ({@code representation}) are named strings. The vocabulary, each group taking the subset it
 * can act on:
 * <ul>
 * <li>{@value #SCALAR}: any shape; unchanged by every group except {@code scaling} with a weight.</li>
 * <li>{@value #VECTOR}: [..., n]; the linear part acts on the last axis (no translation).</li>
 * <li>{@value #POINTS}: [nodes, n]; the full action on each row, translation included; permutation groups
 * reorder the rows.</li>
 * <li>{@code irrep:l}: [..., 2l+1]; the real Wigner-D matrix D^l(R) acts on the last axis (SO(3), O(3), SE(3),
 * E(3)); reflections act with parity (−1)^l, as on spherical harmonics Y^l(−x) = (−1)^l Y^l(x).</li>
 * <li>{@value #IMAGE}: [..., H, W]; rot90, flips and shifts of the last two axes.</li>
 * <li>{@value #SEQUENCE}: [length, ...]; reorders or rolls axis 0. {@code axis:k} does the same on axis k
 * (negative k counts from the end).</li>
 * <li>{@code edges:N}: int64 [2, edges] indices of N nodes; relabelled as the N nodes are permuted.</li>
 * <li>{@value #POSITIONS}: int64 [..., d] integer positions; integer shifts add their offset.</li>
 * </ul>
 * A group rejects a representation it cannot act on, or data of the wrong shape, with an
 * {@link org.attune.api.tensor.InvalidInputException} naming the representation. Actions compute in float64
 * and return a new tensor of the input's element type.
 */
@ConsumerType
public interface SymmetryGroup {
    /** Service property (String): the group id, e.g. {@code SO(3)}, {@code E(5)}, {@code C_4}, {@code S_n}. */
    String ID = "attune.group.id";

    /** Invariant data. */
    String SCALAR = "scalar";
    /** Vectors on the last axis. */
    String VECTOR = "vector";
    /** Point clouds [nodes, n]. */
    String POINTS = "points";
    /** Images on the last two axes. */
    String IMAGE = "image";
    /** Sequences along axis 0. */
    String SEQUENCE = "sequence";
    /** Edge lists [2, edges] of N nodes: {@code EDGES + N}. */
    String EDGES = "edges:";
    /** Integer positions [..., d]. */
    String POSITIONS = "positions";

    /**
     * The dimension n of the space the group acts on by vectors and points (3 for SO(3), 2 for C_n), or 0 for
     * groups that act on indices only (permutations, shifts).
     */
    int dimension();

    /**
     * A random element, drawn from the Haar measure where the group has a probability Haar measure; each group
     * documents the distribution it uses otherwise. The same seed state gives the same element.
     */
    GroupElement sample(SplittableRandom random);

    /** The product {@code a·b}: first b, then a. */
    GroupElement compose(GroupElement a, GroupElement b);

    /** The inverse element. */
    GroupElement inverse(GroupElement g);

    /**
     * {@code g·x} for data of the given representation.
     *
     * @param g              an element of this group
     * @param representation a name from the vocabulary above
     * @param x              the data, not modified
     * @return a new tensor of x's element type
     */
    Tensor act(GroupElement g, String representation, Tensor x);
}

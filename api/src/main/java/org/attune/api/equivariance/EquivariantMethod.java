package org.attune.api.equivariance;

import org.attune.api.backend.ComputeBackend;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * An equivariant method on geometric graphs, registered with {@link EquivarianceMethod} properties; its
 * {@code symmetries} property names the group ids ({@link SymmetryGroup#ID}) under which it claims
 * equivariance.
 */
@ConsumerType
public interface EquivariantMethod {
    /** Applies the method. */
    GeometricOutput apply(GeometricInput input, ComputeBackend backend);
}

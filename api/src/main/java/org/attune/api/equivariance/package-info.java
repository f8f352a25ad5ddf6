/**
 * Equivariant methods and the symmetry groups they claim: {@link org.attune.api.equivariance.EquivariantMethod}
 * maps a geometric graph (coordinates, features, edges) to new coordinates and features;
 * {@link org.attune.api.equivariance.SymmetryGroup} samples group elements and acts on typed data;
 * {@link org.attune.api.equivariance.EquivarianceCertificate} checks any declared symmetry claim.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.0.0")
package org.attune.api.equivariance;

/**
 * Equivariant methods and the symmetry groups they claim: {@link org.attune.api.equivariance.EquivariantMethod}
 * maps a geometric graph (coordinates, features, edges) to new coordinates and features;
 * {@link org.attune.api.equivariance.SymmetryGroup} samples group elements and acts on typed data;
 * {@link org.attune.api.equivariance.EquivarianceCertificate} checks any declared symmetry claim;
 * {@link org.attune.api.equivariance.IrrepAlgebra} (since 2.1) gives steerable methods the float64 spherical harmonics,
 * Clebsch–Gordan coefficients, Wigner-D matrices, radial bases and S² quadratures.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.2.0")
package org.attune.api.equivariance;

/**
 * Row-major tensors of float32, float64, int64 and boolean elements, and NumPy {@code .npy} exchange.
 *
 * <p>A {@link org.attune.api.tensor.Tensor} is a contiguous row-major block of a typed Java array, with a
 * shape and an offset. Views ({@code reshape}, {@code slice}, {@code select}) share the array; everything
 * else copies. {@link org.attune.api.tensor.Npy} reads and writes NumPy format 1.0/2.0/3.0 files so that data
 * moves between Attune and Python unchanged.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.attune.api.tensor;

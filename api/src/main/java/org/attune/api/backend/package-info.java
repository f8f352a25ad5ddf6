/**
 * The compute-backend SPI: the heavy tensor operations that plug-ins call and backends implement.
 *
 * <p>{@link org.attune.api.backend.ComputeBackend} is a {@code @ProviderType}: every plug-in calls it, a few
 * backends (the Nd4j CPU backend, the pure-Java reference backend, the GPU provider) implement it, so a new
 * operation is a minor version. A backend states per operation and element type whether it supports it
 * ({@link org.attune.api.backend.Support}); when it declines a call it throws
 * {@link org.attune.api.backend.BackendDeclinedException} with the reason. Nothing falls back silently to
 * another backend.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.attune.api.backend;

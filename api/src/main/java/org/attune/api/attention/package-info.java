/**
 * Attention mechanisms: the {@link org.attune.api.attention.AttentionMechanism} service, its call
 * ({@link org.attune.api.attention.AttentionCall}) and the {@link org.attune.api.attention.AttentionMethod}
 * component property type that publishes its descriptor.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.attune.api.attention;

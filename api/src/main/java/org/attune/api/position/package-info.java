/**
 * Positional encodings: the {@link org.attune.api.position.PositionalEncoding} service in its four forms
 * ({@link org.attune.api.position.EncodingForm}), so that any attention mechanism composes with any encoding.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.attune.api.position;

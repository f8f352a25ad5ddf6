/**
 * Positional encodings: the {@link org.attune.api.position.PositionalEncoding} service in its four forms
 * ({@link org.attune.api.position.EncodingForm}: absolute, rotary, bias, conditional), its call
 * ({@link org.attune.api.position.PositionalCall}) and result, the
 * {@link org.attune.api.position.PositionalEncodingMethod} descriptor, and the
 * {@link org.attune.api.position.SymmetryCertificate} that checks each encoding's declared symmetries.
 * Any attention mechanism composes with any encoding: token forms replace q and k, the bias form adds to
 * the call's logit bias. Since 2.1 a token-form result may also carry a value transform (applied to v before
 * attention) and an output transform (applied to the attention output), see
 * {@link org.attune.api.position.PositionalResult}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.1.0")
package org.attune.api.position;

/** Diagnostics: measurements of attention behaviour, registered as {@link org.attune.api.diagnostics.Diagnostic}. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.attune.api.diagnostics;

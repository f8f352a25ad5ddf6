package org.attune.api.diagnostics;

import org.attune.api.backend.ComputeBackend;
import org.osgi.annotation.versioning.ConsumerType;

/** A diagnostic, registered with {@link DiagnosticMethod} properties. */
@ConsumerType
public interface Diagnostic {
    /** Measures. */
    DiagnosticReport run(DiagnosticCall call, ComputeBackend backend);
}

package org.attune.api.diagnostics;

import java.util.Map;

/** Named measurements, and a short readable summary. */
public record DiagnosticReport(Map<String, Double> values, String summary) {
    public DiagnosticReport {
        values = Map.copyOf(values);
    }
}

package org.attune.api.diagnostics;

import java.util.Map;

import org.attune.api.method.Parameters;
import org.attune.api.tensor.Tensor;

/** Named input tensors (e.g. {@code q}, {@code k}, {@code weights}) and parameters of a diagnostic. */
public record DiagnosticCall(Map<String, Tensor> inputs, Map<String, String> params) {
    public DiagnosticCall {
        inputs = Map.copyOf(inputs);
        params = Map.copyOf(params == null ? Map.of() : params);
    }

    /** The parameters, read with defaults; errors name them as {@code --opt NAME}. */
    public Parameters parameters() {
        return new Parameters(params, "--opt ");
    }
}

package org.attune.api.attention;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import org.attune.api.backend.AttentionOptions;
import org.attune.api.method.Parameters;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;

/**
 * One attention call: query, key, value, the shared {@link AttentionOptions}, and method-specific
 * parameters ({@code --opt KEY=VALUE} on the shell), which must be among the method's declared options.
 *
 * @param q       queries
 * @param k       keys
 * @param v       values
 * @param options scale, causal, mask, bias
 * @param params  method parameters by name
 */
public record AttentionCall(Tensor q, Tensor k, Tensor v, AttentionOptions options, Map<String, String> params) {

    public AttentionCall {
        Objects.requireNonNull(q, "q");
        Objects.requireNonNull(k, "k");
        Objects.requireNonNull(v, "v");
        options = options == null ? AttentionOptions.defaults() : options;
        params = Map.copyOf(params == null ? Map.of() : params);
    }

    /** A call with default options and no parameters. */
    public static AttentionCall of(Tensor q, Tensor k, Tensor v) {
        return new AttentionCall(q, k, v, AttentionOptions.defaults(), Map.of());
    }

    /** This call with other options. */
    public AttentionCall withOptions(AttentionOptions o) {
        return new AttentionCall(q, k, v, o, params);
    }

    /** This call with one more parameter. */
    public AttentionCall withParam(String name, String value) {
        Map<String, String> m = new LinkedHashMap<>(params);
        m.put(name, value);
        return new AttentionCall(q, k, v, options, m);
    }

    /** A parameter, or {@code dflt} when absent. */
    public String param(String name, String dflt) {
        return params.getOrDefault(name, dflt);
    }

    /** An integer parameter; a malformed value is an {@link InvalidInputException} naming it. */
    public int intParam(String name, int dflt) {
        return parameters().integer(name, dflt);
    }

    /** A long parameter; a malformed value is an {@link InvalidInputException} naming it. */
    public long longParam(String name, long dflt) {
        return parameters().longInteger(name, dflt);
    }

    /** A floating-point parameter; a malformed value is an {@link InvalidInputException} naming it. */
    public double doubleParam(String name, double dflt) {
        return parameters().number(name, dflt);
    }

    private Parameters parameters() {
        return new Parameters(params, "--opt ");
    }
}

package org.attune.equivariance.canonicalization;

import java.util.Map;

import org.attune.api.tensor.InvalidInputException;

/**
 * The method parameters of one call, read with their defaults; a malformed value is an
 * {@link InvalidInputException} naming the parameter.
 *
 * @param params method parameters by name
 */
record Options(Map<String, String> params) {
    /** An integer parameter of at least 1. */
    int positive(String name, int dflt) {
        String s = params.get(name);
        if (s == null) {
            return dflt;
        }
        try {
            int v = Integer.parseInt(s.strip());
            if (v >= 1) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidInputException(name, "expected an integer >= 1, got '" + s + "'");
    }

    /** A boolean parameter, {@code true} or {@code false}. */
    boolean flag(String name, boolean dflt) {
        String s = params.get(name);
        if (s == null) {
            return dflt;
        }
        return switch (s.strip()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new InvalidInputException(name, "expected true or false, got '" + s + "'");
        };
    }
}

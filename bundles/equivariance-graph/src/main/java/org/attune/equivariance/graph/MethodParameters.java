package org.attune.equivariance.graph;

import java.util.Map;

import org.attune.api.tensor.InvalidInputException;

/**
 * The parameters of one call, read by name with a default; a malformed value is an
 * {@link InvalidInputException} naming the parameter and what was expected.
 *
 * @param values parameters by name
 */
record MethodParameters(Map<String, String> values) {
    /** An integer ≥ min, or the default. */
    int integer(String name, int dflt, int min) {
        String s = values.get(name);
        if (s == null) {
            return dflt;
        }
        try {
            int v = Integer.parseInt(s.strip());
            if (v >= min) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidInputException(name, "expected an integer >= " + min + ", got '" + s + "'");
    }

    /** A finite number &gt; 0, or the default. */
    double positive(String name, double dflt) {
        String s = values.get(name);
        if (s == null) {
            return dflt;
        }
        try {
            double v = Double.parseDouble(s.strip());
            if (v > 0 && Double.isFinite(v)) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidInputException(name, "expected a finite number > 0, got '" + s + "'");
    }

    /** An irreps layout ({@link IrrepLayout#parse}), or the default. */
    IrrepLayout layout(String name, IrrepLayout dflt) {
        String s = values.get(name);
        return s == null ? dflt : IrrepLayout.parse(s, name);
    }

    /** One of {@code allowed}, or the default. */
    String choice(String name, String dflt, String... allowed) {
        String s = values.getOrDefault(name, dflt).strip();
        for (String a : allowed) {
            if (a.equals(s)) {
                return a;
            }
        }
        throw new InvalidInputException(name, "expected one of " + String.join(", ", allowed) + ", got '" + s + "'");
    }

    /** true or false, or the default. */
    boolean flag(String name, boolean dflt) {
        return choice(name, Boolean.toString(dflt), "true", "false").equals("true");
    }
}

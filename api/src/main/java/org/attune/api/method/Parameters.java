package org.attune.api.method;

import java.util.Map;

import org.attune.api.tensor.InvalidInputException;

/**
 * The string parameters of one method call ({@code --opt K=V} of an attention or diagnostic call,
 * {@code --pe-option K=V} of a positional encoding, the parameters of a geometric input), read by name with a
 * default. A malformed value is an {@link InvalidInputException} whose argument is the option as the user wrote it:
 * {@code prefix + name}, e.g. {@code "--opt heads"}.
 */
public final class Parameters {
    private final Map<String, String> values;
    private final String prefix;

    /**
     * @param values parameters by name (null: none)
     * @param prefix what the user writes before a parameter's name ({@code "--opt "}, {@code "--pe-option "}, or "")
     */
    public Parameters(Map<String, String> values, String prefix) {
        this.values = values == null ? Map.of() : values;
        this.prefix = prefix;
    }

    /** The option as the user names it: prefix + name. */
    public String argument(String name) {
        return prefix + name;
    }

    /** The raw value, or {@code dflt} when absent. */
    public String text(String name, String dflt) {
        return values.getOrDefault(name, dflt);
    }

    /** An integer, or {@code dflt} when absent. */
    public int integer(String name, int dflt) {
        String s = values.get(name);
        if (s == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            throw new InvalidInputException(argument(name), "expected an integer, got '" + s + "'");
        }
    }

    /** An integer ≥ {@code min}, or {@code dflt} when absent. */
    public int integer(String name, int dflt, int min) {
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
        throw new InvalidInputException(argument(name), "expected an integer >= " + min + ", got '" + s + "'");
    }

    /** A long integer, or {@code dflt} when absent. */
    public long longInteger(String name, long dflt) {
        String s = values.get(name);
        if (s == null) {
            return dflt;
        }
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            throw new InvalidInputException(argument(name), "expected an integer, got '" + s + "'");
        }
    }

    /** A number (infinities and NaN as Java writes them included), or {@code dflt} when absent. */
    public double number(String name, double dflt) {
        String s = values.get(name);
        if (s == null) {
            return dflt;
        }
        try {
            return Double.parseDouble(s.strip());
        } catch (NumberFormatException e) {
            throw new InvalidInputException(argument(name), "expected a number, got '" + s + "'");
        }
    }

    /** A finite number, or {@code dflt} when absent. */
    public double finite(String name, double dflt) {
        return bounded(name, dflt, false);
    }

    /** A finite number &gt; 0, or {@code dflt} when absent. */
    public double positive(String name, double dflt) {
        return bounded(name, dflt, true);
    }

    private double bounded(String name, double dflt, boolean positive) {
        String s = values.get(name);
        if (s == null) {
            return dflt;
        }
        try {
            double v = Double.parseDouble(s.strip());
            if (Double.isFinite(v) && (!positive || v > 0)) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidInputException(argument(name),
            "expected a finite number" + (positive ? " > 0" : "") + ", got '" + s + "'");
    }

    /** {@code true} or {@code false}, or {@code dflt} when absent. */
    public boolean flag(String name, boolean dflt) {
        return choice(name, Boolean.toString(dflt), "true", "false").equals("true");
    }

    /** One of {@code allowed}, or {@code dflt} when absent. */
    public String choice(String name, String dflt, String... allowed) {
        String s = values.getOrDefault(name, dflt).strip();
        for (String a : allowed) {
            if (a.equals(s)) {
                return a;
            }
        }
        throw new InvalidInputException(argument(name), "expected " + (allowed.length == 2 ? allowed[0] + " or "
            + allowed[1] : "one of " + String.join(", ", allowed)) + ", got '" + s + "'");
    }
}

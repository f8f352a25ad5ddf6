package org.attune.shell;

import java.util.ArrayList;
import java.util.List;

/** Numbers given as option values, parsed with messages that name the option and say what was expected. */
final class OptionValues {
    private OptionValues() {
    }

    /** An integer ≥ {@code min}. */
    static int integer(String option, String text, int min) {
        int v;
        try {
            v = Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new CommandFailure(option + ": expected an integer >= " + min + ", got '" + text + "'");
        }
        if (v < min) {
            throw new CommandFailure(option + ": expected an integer >= " + min + ", got " + v);
        }
        return v;
    }

    /** A long integer, any sign. */
    static long longInteger(String option, String text) {
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw new CommandFailure(option + ": expected an integer, got '" + text + "'");
        }
    }

    /** A finite number. */
    static double number(String option, String text) {
        double v;
        try {
            v = Double.parseDouble(text.strip());
        } catch (NumberFormatException e) {
            throw new CommandFailure(option + ": expected a number, got '" + text + "'");
        }
        if (!Double.isFinite(v)) {
            throw new CommandFailure(option + ": expected a finite number, got '" + text + "'");
        }
        return v;
    }

    /** A comma-separated list of integers ≥ {@code min}, e.g. {@code 512,1024,2048}. */
    static int[] integers(String option, String text, int min) {
        List<Integer> out = new ArrayList<>();
        for (String piece : text.split(",")) {
            if (!piece.isBlank()) {
                try {
                    out.add(Integer.parseInt(piece.strip()));
                } catch (NumberFormatException e) {
                    throw new CommandFailure(option + ": expected comma-separated integers >= " + min + " (e.g. 512,1024), got '"
                        + text + "'");
                }
                if (out.getLast() < min) {
                    throw new CommandFailure(option + ": expected integers >= " + min + ", got " + out.getLast());
                }
            }
        }
        if (out.isEmpty()) {
            throw new CommandFailure(option + ": expected comma-separated integers (e.g. 512,1024), got '" + text + "'");
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** A comma-separated list of names, blanks dropped. */
    static List<String> names(String text) {
        List<String> out = new ArrayList<>();
        for (String piece : text.split(",")) {
            if (!piece.isBlank()) {
                out.add(piece.strip());
            }
        }
        return out;
    }
}

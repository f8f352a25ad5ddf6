package org.attune.shell;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.attune.api.method.MethodDescriptor;

/**
 * Method parameters given as {@code --opt KEY=VALUE}, in the order given.
 *
 * <p>Each {@code --opt} value holds one or more pairs separated by commas: {@code --opt window=64,stride=2}.
 * A comma-separated piece without {@code =} continues the previous value, so {@code --opt sizes=1,2,3} gives
 * {@code sizes = "1,2,3"}. Keys are letters, digits, {@code _ . -}; a key given twice is an error.
 */
final class OptionPairs {
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.\\-]+");

    private OptionPairs() {
    }

    /**
     * Parses the values of every {@code --opt} given.
     *
     * @param option the option's name, for messages
     * @param values one entry per use of the option; empty entries are skipped
     * @return the pairs in the order given
     * @throws CommandFailure naming the option and the malformed text
     */
    static Map<String, String> parse(String option, List<String> values) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (String value : values) {
            if (value == null || value.isBlank()) {
                continue;
            }
            String last = null;
            for (String piece : value.split(",", -1)) {
                int eq = piece.indexOf('=');
                String key = eq < 0 ? "" : piece.substring(0, eq).strip();
                if (eq > 0 && KEY.matcher(key).matches()) {
                    if (pairs.containsKey(key)) {
                        throw new CommandFailure(option + ": '" + key + "' given twice");
                    }
                    pairs.put(key, piece.substring(eq + 1).strip());
                    last = key;
                } else if (last != null) {
                    pairs.put(last, pairs.get(last) + "," + piece.strip());
                } else {
                    throw new CommandFailure(option + ": expected KEY=VALUE (e.g. window=64), got '" + value + "'");
                }
            }
        }
        return Collections.unmodifiableMap(pairs);
    }

    /**
     * Rejects a parameter the method does not declare, naming the first: {@code OPTION name: not an option of ID;
     * expected one of [...] (INFO ID)}.
     *
     * @param option      the option's name, for the message ({@code --opt}, {@code --pe-option})
     * @param method      the method's descriptor
     * @param params      the parameters given
     * @param infoCommand the command that lists the method's options ({@code attune:info}, {@code pe:info}, …)
     */
    static void requireDeclared(String option, MethodDescriptor method, Map<String, String> params, String infoCommand) {
        for (String name : params.keySet()) {
            if (!method.optionNames().contains(name)) {
                throw new CommandFailure(option + " " + name + ": not an option of " + method.id() + "; expected one of "
                    + method.optionNames() + " (" + infoCommand + " " + method.id() + ")");
            }
        }
    }
}

package org.attune.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The words of a command line that Gogo did not bind to an option, split into positional arguments and the
 * further uses of one repeatable option.
 *
 * <p>Gogo 1.1.6 binds each {@code @Parameter} option once (the first occurrence of any of its names) and leaves
 * later occurrences, name and value, among the positional words in command-line order. A command that lets an
 * option repeat takes its positional arguments as {@code String...} and splits them here. Any other word that
 * starts with {@code -} is an unknown or repeated option and is rejected, so a file whose name starts with
 * {@code -} must be given as {@code ./-name}.
 *
 * @param values   positional arguments in order
 * @param repeated values of the repeatable option beyond the first, in order
 */
record Positionals(List<String> values, List<String> repeated) {

    /**
     * Splits {@code words}.
     *
     * @param words      the words Gogo left over, possibly null
     * @param repeatable names of the option that may repeat (empty for none)
     * @param allowed    what the command accepts, for the message on an unknown option
     */
    static Positionals split(String[] words, Set<String> repeatable, String allowed) {
        List<String> values = new ArrayList<>();
        List<String> repeated = new ArrayList<>();
        if (words == null) {
            return new Positionals(values, repeated);
        }
        for (int i = 0; i < words.length; i++) {
            String w = words[i] == null ? "null" : words[i];
            if (repeatable.contains(w)) {
                if (i + 1 >= words.length) {
                    throw new CommandFailure(w + ": expected a value after it");
                }
                repeated.add(words[++i]);
            } else if (w.startsWith("-") && w.length() > 1) {
                throw new CommandFailure(w + ": unknown or repeated option; expected " + allowed);
            } else {
                values.add(w);
            }
        }
        return new Positionals(List.copyOf(values), List.copyOf(repeated));
    }
}

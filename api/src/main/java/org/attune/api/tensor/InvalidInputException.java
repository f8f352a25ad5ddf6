package org.attune.api.tensor;

import java.util.Arrays;

/**
 * Bad input to a method or backend: names the argument, says what was expected and what was given.
 * The message is one line, fit to print in the shell as is.
 */
public class InvalidInputException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String argument;

    /**
     * @param argument the argument's name as the user knows it, e.g. {@code q} or {@code --mask}
     * @param problem  what is wrong, including what was expected
     */
    public InvalidInputException(String argument, String problem) {
        super(argument + ": " + problem);
        this.argument = argument;
    }

    /** The name of the offending argument. */
    public String argument() {
        return argument;
    }

    /** A shape error: {@code q: expected shape [batch, heads, seq, dim], got [2, 3]}. */
    public static InvalidInputException shape(String argument, String expected, int[] actual) {
        return new InvalidInputException(argument, "expected shape " + expected + ", got " + Arrays.toString(actual));
    }
}

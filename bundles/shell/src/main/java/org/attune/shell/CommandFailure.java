package org.attune.shell;

import java.io.IOException;
import java.io.UncheckedIOException;

import org.attune.api.backend.BackendDeclinedException;
import org.attune.api.registry.NoImplementationException;
import org.attune.api.tensor.InvalidInputException;

/**
 * A command failed on bad input or an unavailable method: the message is one line that names the argument and
 * what was expected, fit to print as is.
 *
 * <p>Gogo's interactive shell prints a failing command's exception with {@code toString()} (gogo.jline 1.1.8
 * {@code Shell.runShell}), a pipe stage not at the end prints {@code "gogo: " + simple class name + ": " +
 * message} (gogo.runtime 1.1.6 {@code Pipe}); neither prints a stack trace. {@link #toString()} is therefore the
 * bare message, so the user sees exactly the one line. Because it is thrown, {@code ./attune -c} still sees the
 * command fail.
 */
public final class CommandFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A failure with this one-line message. */
    public CommandFailure(String message) {
        super(message);
    }

    /** A failure with this one-line message, caused by {@code cause}. */
    public CommandFailure(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The one-line failure for an exception thrown while running {@code command}. Exceptions of the Attune API
     * already carry a one-line message naming the argument ({@link InvalidInputException},
     * {@link NoImplementationException}, {@link BackendDeclinedException}) and pass it on unchanged; anything else
     * is reported with its type, since its message alone may be empty.
     */
    public static CommandFailure of(String command, Exception e) {
        if (e instanceof CommandFailure f) {
            return f;
        }
        if (e instanceof InvalidInputException || e instanceof NoImplementationException
            || e instanceof BackendDeclinedException) {
            return new CommandFailure(oneLine(e.getMessage()), e);
        }
        Throwable t = e instanceof UncheckedIOException u && u.getCause() != null ? u.getCause() : e;
        String kind = t instanceof IOException ? "I/O error" : t.getClass().getSimpleName();
        String message = t.getMessage() == null ? "" : ": " + oneLine(t.getMessage());
        return new CommandFailure(command + " failed: " + kind + message, e);
    }

    /** Joins the lines of a message with "; " so that it prints as one line. */
    static String oneLine(String message) {
        return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    /** The bare message: Gogo prints this, so the user sees one line without a class name. */
    @Override
    public String toString() {
        return getMessage();
    }
}

package org.attune.api.registry;

/** No service implements the requested id (never installed, stopped, or uninstalled). */
public class NoImplementationException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String id;

    public NoImplementationException(String what, String id, String detail) {
        super("no implementation of " + what + " '" + id + "'" + (detail == null || detail.isEmpty() ? "" : ": " + detail));
        this.id = id;
    }

    /** The id that was asked for. */
    public String id() {
        return id;
    }
}

package org.attune.api.backend;

/** A backend declined an operation it does not support; the message names the backend and the reason. */
public class BackendDeclinedException extends UnsupportedOperationException {
    private static final long serialVersionUID = 1L;
    private final String backend;
    private final String reason;

    public BackendDeclinedException(String backend, String operation, String reason) {
        super("backend " + backend + " declines " + operation + ": " + reason);
        this.backend = backend;
        this.reason = reason;
    }

    /** The id of the backend that declined. */
    public String backend() {
        return backend;
    }

    /** Why it declined. */
    public String reason() {
        return reason;
    }
}

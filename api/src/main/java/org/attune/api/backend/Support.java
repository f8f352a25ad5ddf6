package org.attune.api.backend;

/**
 * Whether a backend supports something, and if not, why.
 *
 * @param supported true when the backend runs it
 * @param reason    empty when supported; otherwise a one-line reason fit for {@code attune:why}
 */
public record Support(boolean supported, String reason) {
    private static final Support YES = new Support(true, "");

    public Support {
        reason = reason == null ? "" : reason;
    }

    /** Supported. */
    public static Support yes() {
        return YES;
    }

    /** Not supported, for the given reason. */
    public static Support no(String reason) {
        return new Support(false, reason);
    }

    /** Throws {@link BackendDeclinedException} unless supported. */
    public void orThrow(String backend, String what) {
        if (!supported) {
            throw new BackendDeclinedException(backend, what, reason);
        }
    }
}

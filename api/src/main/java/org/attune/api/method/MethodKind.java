package org.attune.api.method;

import java.util.Locale;

/** The kinds of method services, each with its own service interface. */
public enum MethodKind {
    /** {@link org.attune.api.attention.AttentionMechanism}. */
    ATTENTION,
    /** {@link org.attune.api.position.PositionalEncoding}. */
    POSITIONAL_ENCODING,
    /** {@link org.attune.api.equivariance.EquivariantMethod}. */
    EQUIVARIANT,
    /** {@link org.attune.api.diagnostics.Diagnostic}. */
    DIAGNOSTIC;

    /** Kebab-case id as in the {@code attune.method.kind} property: attention, positional-encoding, ... */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses an id or enum name, case-insensitively; also accepts {@code pe} and {@code equi}. */
    public static MethodKind parse(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (MethodKind k : values()) {
            if (k.id().equals(t)) {
                return k;
            }
        }
        return switch (t) {
            case "pe", "position", "positional" -> POSITIONAL_ENCODING;
            case "equi", "equivariance" -> EQUIVARIANT;
            default -> throw new org.attune.api.tensor.InvalidInputException("--kind",
                "expected one of attention, positional-encoding, equivariant, diagnostic; got '" + s + "'");
        };
    }
}

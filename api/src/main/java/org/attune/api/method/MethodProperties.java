package org.attune.api.method;

/**
 * Names of the service properties that describe a method. Every method service carries them; the
 * registry, {@code attune:list} and {@code attune:info} read nothing else.
 */
public final class MethodProperties {
    private MethodProperties() {
    }

    /** Common prefix of the method properties, as used by the component property types. */
    public static final String PREFIX = "attune.method.";
    /** String: short kebab-case id, unique per kind, e.g. {@code sdpa}. */
    public static final String ID = PREFIX + "id";
    /** String: the method's name in the paper's spelling, e.g. "Scaled dot-product attention". */
    public static final String NAME = PREFIX + "name";
    /** String: a {@link MethodKind#id()}. */
    public static final String KIND = PREFIX + "kind";
    /** String: the family, e.g. {@code core}, {@code linear}, {@code rotary}. */
    public static final String FAMILY = PREFIX + "family";
    /** String: title of the paper that introduced the method. */
    public static final String PAPER = PREFIX + "paper";
    /** String: arXiv identifier, e.g. {@code 1706.03762}. */
    public static final String ARXIV = PREFIX + "arxiv";
    /** Integer: publication year. */
    public static final String YEAR = PREFIX + "year";
    /** String: time cost in sequence length n, e.g. {@code O(n^2)}. */
    public static final String COST = PREFIX + "cost";
    /** String[]: the options the method accepts, each {@code name=description}. */
    public static final String OPTIONS = PREFIX + "options";
    /** String[]: symmetry claims, e.g. {@code permutation:tokens}, {@code shift:relative}. */
    public static final String SYMMETRIES = PREFIX + "symmetries";
}

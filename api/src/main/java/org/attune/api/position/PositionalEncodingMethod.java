package org.attune.api.position;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Publishes a positional encoding's descriptor as service properties ({@code attune.method.*}, see
 * {@link org.attune.api.method.MethodProperties}); used like {@link org.attune.api.attention.AttentionMethod}:
 * <pre>
 * &#64;Component(service = PositionalEncoding.class)
 * &#64;PositionalEncodingMethod(id = "rope", name = "RoPE", family = "rotary", paper = "RoFormer: ...",
 *     arxiv = "2104.09864", year = 2021, symmetries = SymmetryCertificate.RELATIVE)
 * public final class RotaryPositionEmbedding implements PositionalEncoding { ... }
 * </pre>
 */
@ComponentPropertyType
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface PositionalEncodingMethod {
    /** Property prefix: members become {@code attune.method.<member>}. */
    String PREFIX_ = "attune.method.";

    /** Short kebab-case id. */
    String id();

    /** Name in the paper's spelling. */
    String name();

    /** Always {@code positional-encoding}. */
    String kind() default "positional-encoding";

    /** Family. */
    String family();

    /** Paper title. */
    String paper();

    /** arXiv id. */
    String arxiv() default "";

    /** Publication year. */
    int year();

    /** Time cost in sequence length. */
    String cost() default "O(n)";

    /** Accepted parameters ({@code --pe-option KEY=VALUE} on the shell), each {@code name=description}. */
    String[] options() default {};

    /**
     * Symmetry claims in the vocabulary of {@link SymmetryCertificate}, each optionally followed by the
     * parameters under which it holds: {@code shift:relative}, {@code shift:grid(padding=circular)}.
     */
    String[] symmetries() default {};
}

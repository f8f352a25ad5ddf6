package org.attune.api.attention;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Publishes an attention method's descriptor as service properties ({@code attune.method.*}, see
 * {@link org.attune.api.method.MethodProperties}). Put it on the DS component class:
 * <pre>
 * &#64;Component(service = AttentionMechanism.class)
 * &#64;AttentionMethod(id = "sdpa", name = "Scaled dot-product attention", family = "core",
 *     paper = "Attention Is All You Need", arxiv = "1706.03762", year = 2017)
 * public final class ScaledDotProductAttention implements AttentionMechanism { ... }
 * </pre>
 */
@ComponentPropertyType
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface AttentionMethod {
    /** Property prefix: members become {@code attune.method.<member>}. */
    String PREFIX_ = "attune.method.";

    /** Short kebab-case id. */
    String id();

    /** Name in the paper's spelling. */
    String name();

    /** Always {@code attention}. */
    String kind() default "attention";

    /** Family, e.g. {@code core}. */
    String family();

    /** Paper title. */
    String paper();

    /** arXiv id. */
    String arxiv() default "";

    /** Publication year. */
    int year();

    /** Time cost in sequence length. */
    String cost() default "O(n^2)";

    /** Accepted {@code --opt} parameters, each {@code name=description}. */
    String[] options() default {};

    /** Symmetry claims. */
    String[] symmetries() default {};
}

package org.attune.api.position;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Publishes a method's descriptor as service properties ({@code attune.method.*}, see
 * {@link org.attune.api.method.MethodProperties}); used like {@link org.attune.api.attention.AttentionMethod}.
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

    /** Accepted parameters, each {@code name=description}. */
    String[] options() default {};

    /** Symmetry claims. */
    String[] symmetries() default {};
}

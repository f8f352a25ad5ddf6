package org.attune.gpu;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import org.attune.api.backend.AttentionOptions;

/**
 * The {@link AttentionOptions} the attention kernels implement: scale, causal, mask and bias. Every other
 * option — including ones added to the API after this bundle was built — is found generically: each public
 * no-argument accessor of {@code AttentionOptions} not listed here is compared with its value in
 * {@link AttentionOptions#defaults()}, and one that differs is named, so the call is declined rather than run
 * without it.
 */
final class SupportedOptions {
    /** Accessors of the options the kernels apply. */
    static final Set<String> IMPLEMENTED = Set.of("scale", "causal", "mask", "bias");
    /** Public no-argument methods of AttentionOptions that are not options. */
    private static final Set<String> NOT_OPTIONS = Set.of("toBuilder", "toString", "hashCode", "getClass");

    private SupportedOptions() {
    }

    /** The names of the options set in {@code options} (differing from the defaults) that the kernels lack. */
    static List<String> unsupported(AttentionOptions options) {
        AttentionOptions defaults = AttentionOptions.defaults();
        List<String> names = new ArrayList<>();
        for (Method m : AttentionOptions.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.getParameterCount() != 0 || m.getReturnType() == void.class
                || IMPLEMENTED.contains(m.getName()) || NOT_OPTIONS.contains(m.getName())) {
                continue;
            }
            try {
                if (!Objects.equals(m.invoke(options), m.invoke(defaults))) {
                    names.add(m.getName());
                }
            } catch (IllegalAccessException | InvocationTargetException e) {
                names.add(m.getName());
            }
        }
        names.sort(null);
        return names;
    }
}

package org.attune.api.method;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A method's identity, provenance and capabilities, as published in its service properties.
 *
 * @param id         short kebab-case id, e.g. {@code sdpa}
 * @param name       name in the paper's spelling
 * @param kind       service kind
 * @param family     family, e.g. {@code core}
 * @param paper      paper title
 * @param arxiv      arXiv id, or empty
 * @param year       publication year, or 0
 * @param cost       time cost in sequence length, e.g. {@code O(n^2)}
 * @param options    accepted options, each {@code name=description}
 * @param symmetries symmetry claims, e.g. {@code permutation:tokens}
 */
public record MethodDescriptor(String id, String name, MethodKind kind, String family, String paper, String arxiv,
                               int year, String cost, List<String> options, List<String> symmetries) {

    public MethodDescriptor {
        options = List.copyOf(options);
        symmetries = List.copyOf(symmetries);
    }

    /**
     * Reads a descriptor from service properties.
     *
     * @throws IllegalArgumentException when {@link MethodProperties#ID} or {@link MethodProperties#KIND} is missing
     */
    public static MethodDescriptor fromProperties(Map<String, ?> p) {
        Object id = p.get(MethodProperties.ID);
        Object kind = p.get(MethodProperties.KIND);
        if (id == null || kind == null) {
            throw new IllegalArgumentException("service lacks " + MethodProperties.ID + " or " + MethodProperties.KIND);
        }
        Object year = p.get(MethodProperties.YEAR);
        return new MethodDescriptor(id.toString(), str(p, MethodProperties.NAME, id.toString()),
            MethodKind.parse(kind.toString()), str(p, MethodProperties.FAMILY, ""), str(p, MethodProperties.PAPER, ""),
            str(p, MethodProperties.ARXIV, ""),
            year instanceof Number n ? n.intValue() : year == null ? 0 : Integer.parseInt(year.toString().trim()),
            str(p, MethodProperties.COST, ""), list(p.get(MethodProperties.OPTIONS)),
            list(p.get(MethodProperties.SYMMETRIES)));
    }

    /** The service properties of this descriptor. */
    public Map<String, Object> toProperties() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(MethodProperties.ID, id);
        m.put(MethodProperties.NAME, name);
        m.put(MethodProperties.KIND, kind.id());
        m.put(MethodProperties.FAMILY, family);
        m.put(MethodProperties.PAPER, paper);
        m.put(MethodProperties.ARXIV, arxiv);
        m.put(MethodProperties.YEAR, year);
        m.put(MethodProperties.COST, cost);
        m.put(MethodProperties.OPTIONS, options.toArray(String[]::new));
        m.put(MethodProperties.SYMMETRIES, symmetries.toArray(String[]::new));
        return m;
    }

    /** Option names without their descriptions. */
    public List<String> optionNames() {
        return options.stream().map(o -> o.contains("=") ? o.substring(0, o.indexOf('=')) : o).toList();
    }

    private static String str(Map<String, ?> p, String key, String dflt) {
        Object v = p.get(key);
        return v == null ? dflt : v.toString();
    }

    private static List<String> list(Object v) {
        List<String> out = new ArrayList<>();
        if (v instanceof String[] a) {
            out.addAll(List.of(a));
        } else if (v instanceof Iterable<?> it) {
            it.forEach(o -> out.add(o.toString()));
        } else if (v != null && !v.toString().isEmpty()) {
            out.add(v.toString());
        }
        return out;
    }
}

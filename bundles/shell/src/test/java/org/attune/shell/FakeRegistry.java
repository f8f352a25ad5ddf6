package org.attune.shell;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.diagnostics.Diagnostic;
import org.attune.api.equivariance.EquivariantMethod;
import org.attune.api.equivariance.SymmetryGroup;
import org.attune.api.method.MethodDescriptor;
import org.attune.api.method.MethodKind;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.registry.BackendInfo;
import org.attune.api.registry.Candidate;
import org.attune.api.registry.Choice;
import org.attune.api.registry.MethodRegistry;
import org.attune.api.registry.NoImplementationException;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;

/**
 * A registry over fixed methods and two {@link FakeBackend}s: {@code ref} (ranking 10, exact) and {@code shifted}
 * (ranking 0, adds 0.001 to every output). Attention method {@code sdpa} is plain attention; {@code scaled}
 * multiplies it by its {@code factor} option. Positional encoding {@code rope} is {@link FakeEncoding#doubling()};
 * tests add others with {@link #withEncoding}. Records the last call.
 */
final class FakeRegistry implements MethodRegistry {
    static final MethodDescriptor SDPA = new MethodDescriptor("sdpa", "Scaled dot-product attention",
        MethodKind.ATTENTION, "core", "Attention Is All You Need", "1706.03762", 2017, "O(n^2)", List.of(),
        List.of("permutation:keys"));
    static final MethodDescriptor SCALED = new MethodDescriptor("scaled", "Scaled output", MethodKind.ATTENTION,
        "test", "", "", 0, "O(n^2)", List.of("factor=multiplies the output", "label=ignored text"), List.of());
    static final MethodDescriptor ROPE = new MethodDescriptor("rope", "RoFormer", MethodKind.POSITIONAL_ENCODING,
        "rotary", "RoFormer: Enhanced Transformer with Rotary Position Embedding", "2104.09864", 2021, "O(n)",
        List.of(), List.of("shift:relative"));

    private final List<MethodDescriptor> methods = new ArrayList<>(List.of(SDPA, SCALED, ROPE));
    private final Map<String, PositionalEncoding> encodings = new LinkedHashMap<>(Map.of("rope", FakeEncoding.doubling()));
    private final Map<String, FakeBackend> backends = new LinkedHashMap<>();
    private String selected;
    AttentionCall lastCall;
    String lastBackend;
    int calls;

    FakeRegistry() {
        backends.put("ref", new FakeBackend("ref", 0));
        backends.put("shifted", new FakeBackend("shifted", 0.001));
    }

    @Override
    public List<MethodDescriptor> methods(MethodKind kind, String family) {
        return methods.stream().filter(m -> kind == null || m.kind() == kind)
            .filter(m -> family == null || m.family().equals(family))
            .sorted(Comparator.comparing(MethodDescriptor::kind).thenComparing(MethodDescriptor::family)
                .thenComparing(MethodDescriptor::id))
            .toList();
    }

    @Override
    public List<MethodDescriptor> describe(String id) {
        return methods.stream().filter(m -> m.id().equals(id)).toList();
    }

    @Override
    public Tensor attend(String id, AttentionCall call) {
        return attend(id, call, backend().id());
    }

    @Override
    public Tensor attend(String id, AttentionCall call, String backendId) {
        MethodDescriptor m = describe(id).stream().filter(d -> d.kind() == MethodKind.ATTENTION).findFirst()
            .orElseThrow(() -> new NoImplementationException("attention", id, "never installed"));
        for (String name : call.params().keySet()) {
            if (!m.optionNames().contains(name)) {
                throw new InvalidInputException("--opt " + name, "not an option of " + id + "; expected one of "
                    + m.optionNames());
            }
        }
        ComputeBackend backend = backend(backendId);
        lastCall = call;
        lastBackend = backendId;
        calls++;
        Tensor out = backend.attention(call.q(), call.k(), call.v(), call.options(), null);
        double factor = call.doubleParam("factor", 1.0);
        for (int i = 0; i < out.size(); i++) {
            out.setFlat(i, out.getFlat(i) * factor);
        }
        return out;
    }

    @Override
    public List<BackendInfo> backends() {
        String active = backend().id();
        return List.of(
            new BackendInfo("ref", "Reference loops", "CPU (1 thread)", 10, List.of("attention"), List.of("f32", "f64"),
                active.equals("ref")),
            new BackendInfo("shifted", "Shifted loops", "CPU (1 thread)", 0, List.of("attention"), List.of("f32"),
                active.equals("shifted")));
    }

    @Override
    public ComputeBackend backend() {
        return backends.get(selected == null ? "ref" : selected);
    }

    @Override
    public ComputeBackend backend(String id) {
        FakeBackend b = backends.get(id);
        if (b == null) {
            throw new NoImplementationException("backend", id, "not registered");
        }
        return b;
    }

    @Override
    public ComputeBackend backendFor(org.attune.api.backend.Operation op, org.attune.api.tensor.DType dtype) {
        return backend();
    }

    @Override
    public void useBackend(String id) {
        if ("auto".equals(id)) {
            selected = null;
        } else {
            backend(id);
            selected = id;
        }
    }

    @Override
    public List<Choice> explain(String id) {
        List<Choice> out = new ArrayList<>();
        for (MethodDescriptor m : describe(id)) {
            out.add(new Choice(id, m.kind().id(), List.of(
                new Candidate(id, 41, 5, "org.attune.attention.core", "0.2.0", true, "highest ranking (5)"),
                new Candidate(id, 17, 0, "org.attune.attention.old", "0.1.0", false, "lower ranking (0 < 5)"))));
        }
        if (backends.containsKey(id)) {
            out.add(new Choice(id, "backend", List.of(new Candidate(id, 7, id.equals("ref") ? 10 : 0,
                "org.attune.backend." + id, "0.1.0", backend().id().equals(id), "selected by ranking"))));
        }
        return out;
    }

    @Override
    public AttentionMechanism attention(String id) {
        throw new NoImplementationException("attention", id, "the shell calls attend");
    }

    @Override
    public PositionalEncoding positionalEncoding(String id) {
        PositionalEncoding pe = encodings.get(id);
        if (pe == null) {
            throw new NoImplementationException("positional-encoding", id, "not in the fake");
        }
        return pe;
    }

    /** This registry with one more positional encoding; {@code rope} is {@link FakeEncoding#doubling()}. */
    FakeRegistry withEncoding(MethodDescriptor descriptor, PositionalEncoding encoding) {
        methods.add(descriptor);
        encodings.put(descriptor.id(), encoding);
        return this;
    }

    private final Map<String, EquivariantMethod> equivariants = new LinkedHashMap<>();
    private final Map<String, SymmetryGroup> groups = new LinkedHashMap<>();

    /** This registry with one more equivariant method (for the equi: commands). */
    FakeRegistry withEquivariant(MethodDescriptor descriptor, EquivariantMethod method) {
        methods.add(descriptor);
        equivariants.put(descriptor.id(), method);
        return this;
    }

    /** This registry with one more symmetry group (for the equi: commands). */
    FakeRegistry withGroup(String id, SymmetryGroup group) {
        groups.put(id, group);
        return this;
    }

    @Override
    public EquivariantMethod equivariant(String id) {
        EquivariantMethod m = equivariants.get(id);
        if (m == null) {
            throw new NoImplementationException("equivariant", id, "not in the fake");
        }
        return m;
    }

    private final Map<String, Diagnostic> diagnostics = new LinkedHashMap<>();

    /** This registry with one more diagnostic (for the diag: commands). */
    FakeRegistry withDiagnostic(MethodDescriptor descriptor, Diagnostic diagnostic) {
        methods.add(descriptor);
        diagnostics.put(descriptor.id(), diagnostic);
        return this;
    }

    @Override
    public Diagnostic diagnostic(String id) {
        Diagnostic d = diagnostics.get(id);
        if (d == null) {
            throw new NoImplementationException("diagnostic", id, "not in the fake");
        }
        return d;
    }

    @Override
    public List<String> groups() {
        return groups.keySet().stream().sorted().toList();
    }

    @Override
    public SymmetryGroup group(String id) {
        SymmetryGroup g = groups.get(id);
        if (g == null) {
            throw new NoImplementationException("group", id, "not in the fake");
        }
        return g;
    }
}

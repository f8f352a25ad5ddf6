package org.attune.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.backend.BackendDeclinedException;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.backend.Operation;
import org.attune.api.backend.Support;
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
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleListener;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The {@link MethodRegistry}: follows every method, group and backend service through dynamic, greedy,
 * multiple references, and serves calls from the best provider of each id (see {@link ProviderTable} for the
 * rule while a provider's bundle is being updated).
 *
 * <p>Framework property {@code attune.registry.grace.ms} (default 5000): how long a call waits for a
 * departed implementation to come back.
 */
@Component(service = MethodRegistry.class, immediate = true)
public final class AttuneRegistry implements MethodRegistry {
    /** Framework property: grace period in milliseconds. */
    public static final String GRACE_PROPERTY = "attune.registry.grace.ms";
    private static final long DEFAULT_GRACE_MS = 5000;
    private static final String AUTO = "auto";

    private final BundleContext context;
    private final ProviderTable<AttentionMechanism> attention;
    private final ProviderTable<PositionalEncoding> positional;
    private final ProviderTable<EquivariantMethod> equivariant;
    private final ProviderTable<Diagnostic> diagnostics;
    private final ProviderTable<SymmetryGroup> groups;
    private final ProviderTable<ComputeBackend> backends;
    private final AtomicReference<String> selectedBackend = new AtomicReference<>(AUTO);
    private final BundleListener wakeOnBundleEvents;

    @Activate
    public AttuneRegistry(BundleContext context) {
        this(context, graceFrom(context));
    }

    AttuneRegistry(BundleContext context, long graceMillis) {
        this.context = context;
        java.util.function.LongPredicate uninstalled = bundleId -> {
            Bundle b = context.getBundle(bundleId);
            return b == null || b.getState() == Bundle.UNINSTALLED;
        };
        java.util.function.LongSupplier clock = () -> System.nanoTime() / 1_000_000;
        attention = new ProviderTable<>(MethodKind.ATTENTION.id(), "attention method", graceMillis, clock, uninstalled);
        positional = new ProviderTable<>(MethodKind.POSITIONAL_ENCODING.id(), "positional encoding", graceMillis, clock,
            uninstalled);
        equivariant = new ProviderTable<>(MethodKind.EQUIVARIANT.id(), "equivariant method", graceMillis, clock,
            uninstalled);
        diagnostics = new ProviderTable<>(MethodKind.DIAGNOSTIC.id(), "diagnostic", graceMillis, clock, uninstalled);
        groups = new ProviderTable<>("symmetry-group", "symmetry group", graceMillis, clock, uninstalled);
        backends = new ProviderTable<>("backend", "backend", graceMillis, clock, uninstalled);
        wakeOnBundleEvents = event -> tables().forEach(ProviderTable::wake);
        context.addBundleListener(wakeOnBundleEvents);
    }

    private static long graceFrom(BundleContext context) {
        String v = context.getProperty(GRACE_PROPERTY);
        return v == null ? DEFAULT_GRACE_MS : Long.parseLong(v.trim());
    }

    @Deactivate
    void deactivate() {
        context.removeBundleListener(wakeOnBundleEvents);
        tables().forEach(ProviderTable::wake);
    }

    private List<ProviderTable<?>> tables() {
        return List.of(attention, positional, equivariant, diagnostics, groups, backends);
    }

    private List<ProviderTable<?>> methodTables() {
        return List.of(attention, positional, equivariant, diagnostics);
    }

    // ---------------------------------------------------------------------------------------- references

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    void addAttention(ServiceReference<AttentionMechanism> ref, AttentionMechanism s) {
        attention.add(provider(ref, s, "attune.method.id"));
    }

    void removeAttention(AttentionMechanism s) {
        attention.remove(s);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    void addPositional(ServiceReference<PositionalEncoding> ref, PositionalEncoding s) {
        positional.add(provider(ref, s, "attune.method.id"));
    }

    void removePositional(PositionalEncoding s) {
        positional.remove(s);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    void addEquivariant(ServiceReference<EquivariantMethod> ref, EquivariantMethod s) {
        equivariant.add(provider(ref, s, "attune.method.id"));
    }

    void removeEquivariant(EquivariantMethod s) {
        equivariant.remove(s);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    void addDiagnostic(ServiceReference<Diagnostic> ref, Diagnostic s) {
        diagnostics.add(provider(ref, s, "attune.method.id"));
    }

    void removeDiagnostic(Diagnostic s) {
        diagnostics.remove(s);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    void addGroup(ServiceReference<SymmetryGroup> ref, SymmetryGroup s) {
        groups.add(provider(ref, s, SymmetryGroup.ID));
    }

    void removeGroup(SymmetryGroup s) {
        groups.remove(s);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
        policyOption = ReferencePolicyOption.GREEDY)
    void addBackend(ServiceReference<ComputeBackend> ref, ComputeBackend s) {
        backends.add(provider(ref, s, ComputeBackend.ID));
    }

    void removeBackend(ComputeBackend s) {
        backends.remove(s);
    }

    private static <S> Provider<S> provider(ServiceReference<S> ref, S service, String idProperty) {
        Map<String, Object> props = new java.util.LinkedHashMap<>();
        for (String key : ref.getPropertyKeys()) {
            props.put(key, ref.getProperty(key));
        }
        Object id = props.get(idProperty);
        Object ranking = props.get(Constants.SERVICE_RANKING);
        Bundle b = ref.getBundle();
        return new Provider<>(service, id == null ? "(no " + idProperty + ")" : id.toString(),
            ((Number) props.get(Constants.SERVICE_ID)).longValue(), ranking instanceof Integer r ? r : 0,
            b == null ? -1 : b.getBundleId(), b == null ? "?" : b.getSymbolicName(),
            b == null ? "" : b.getVersion().toString(), props);
    }

    // ---------------------------------------------------------------------------------------- methods

    @Override
    public List<MethodDescriptor> methods(MethodKind kind, String family) {
        List<MethodDescriptor> out = new ArrayList<>();
        for (ProviderTable<?> t : methodTables()) {
            for (Provider<?> p : t.best(Comparator.comparing(Provider::id))) {
                MethodDescriptor d = descriptor(p);
                if ((kind == null || d.kind() == kind) && (family == null || d.family().equalsIgnoreCase(family))) {
                    out.add(d);
                }
            }
        }
        out.sort(Comparator.comparing((MethodDescriptor d) -> d.kind().ordinal()).thenComparing(MethodDescriptor::family)
            .thenComparing(MethodDescriptor::id));
        return out;
    }

    private static MethodDescriptor descriptor(Provider<?> p) {
        return MethodDescriptor.fromProperties(p.properties());
    }

    @Override
    public List<MethodDescriptor> describe(String id) {
        List<MethodDescriptor> out = new ArrayList<>();
        for (ProviderTable<?> t : methodTables()) {
            Provider<?> p = t.current(id);
            if (p != null) {
                out.add(descriptor(p));
            }
        }
        return out;
    }

    @Override
    public AttentionMechanism attention(String id) {
        return attention.choose(id).service();
    }

    @Override
    public PositionalEncoding positionalEncoding(String id) {
        return positional.choose(id).service();
    }

    @Override
    public EquivariantMethod equivariant(String id) {
        return equivariant.choose(id).service();
    }

    @Override
    public Diagnostic diagnostic(String id) {
        return diagnostics.choose(id).service();
    }

    @Override
    public SymmetryGroup group(String id) {
        return groups.choose(id).service();
    }

    @Override
    public Tensor attend(String id, AttentionCall call) {
        Provider<AttentionMechanism> p = attention.choose(id);
        return attend(p, call, backendFor(Operation.ATTENTION, call.q().dtype()));
    }

    @Override
    public Tensor attend(String id, AttentionCall call, String backendId) {
        return attend(attention.choose(id), call, backend(backendId));
    }

    private static Tensor attend(Provider<AttentionMechanism> p, AttentionCall call, ComputeBackend backend) {
        MethodDescriptor d = descriptor(p);
        List<String> accepted = d.optionNames();
        for (String name : call.params().keySet()) {
            if (!accepted.contains(name)) {
                throw new InvalidInputException("--opt " + name, "'" + p.id() + "' has no such option; it accepts "
                    + (accepted.isEmpty() ? "none" : String.join(", ", accepted)));
            }
        }
        return p.service().attend(call, backend);
    }

    // ---------------------------------------------------------------------------------------- backends

    @Override
    public List<String> groups() {
        return groups.best(Provider::order).stream().map(Provider::id).sorted().toList();
    }

    @Override
    public List<BackendInfo> backends() {
        String active = activeBackendId();
        List<BackendInfo> out = new ArrayList<>();
        for (Provider<ComputeBackend> p : backends.best(Provider::order)) {
            out.add(new BackendInfo(p.id(), String.valueOf(p.properties().getOrDefault(ComputeBackend.NAME, p.id())),
                String.valueOf(p.properties().getOrDefault(ComputeBackend.DEVICE, "")), p.ranking(),
                strings(p.properties().get(ComputeBackend.OPERATIONS)), strings(p.properties().get(ComputeBackend.DTYPES)),
                p.id().equals(active)));
        }
        return out;
    }

    private static List<String> strings(Object v) {
        if (v instanceof String[] a) {
            return Arrays.asList(a);
        }
        return v == null ? List.of() : List.of(v.toString());
    }

    private String activeBackendId() {
        String sel = selectedBackend.get();
        if (!AUTO.equals(sel)) {
            return sel;
        }
        List<Provider<ComputeBackend>> best = backends.best(Provider::order);
        return best.isEmpty() ? null : best.get(0).id();
    }

    @Override
    public ComputeBackend backend() {
        String sel = selectedBackend.get();
        if (!AUTO.equals(sel)) {
            return backends.choose(sel).service();
        }
        List<Provider<ComputeBackend>> best = backends.best(Provider::order);
        if (best.isEmpty()) {
            throw new NoImplementationException("backend", AUTO, "no compute backend is registered");
        }
        return best.get(0).service();
    }

    @Override
    public ComputeBackend backend(String id) {
        return backends.choose(id).service();
    }

    @Override
    public ComputeBackend backendFor(Operation op, DType dtype) {
        String what = op.id() + " on " + dtype.shortName();
        String sel = selectedBackend.get();
        if (!AUTO.equals(sel)) {
            ComputeBackend b = backends.choose(sel).service();
            b.supports(op, dtype).orThrow(sel, what);
            return b;
        }
        List<String> declined = new ArrayList<>();
        for (Provider<ComputeBackend> p : backends.best(Provider::order)) {
            Support s = p.service().supports(op, dtype);
            if (s.supported()) {
                return p.service();
            }
            declined.add(p.id() + ": " + s.reason());
        }
        if (declined.isEmpty()) {
            throw new NoImplementationException("backend", AUTO, "no compute backend is registered");
        }
        throw new BackendDeclinedException(AUTO, what, "every backend declines (" + String.join("; ", declined) + ")");
    }

    @Override
    public void useBackend(String id) {
        if (AUTO.equals(id)) {
            selectedBackend.set(AUTO);
            return;
        }
        backends.choose(id);
        selectedBackend.set(id);
    }

    @Override
    public List<Choice> explain(String id) {
        List<Choice> out = new ArrayList<>();
        for (ProviderTable<?> t : methodTables()) {
            if (t.knows(id)) {
                out.add(new Choice(id, t.what(), t.candidates(id)));
            }
        }
        if (groups.knows(id)) {
            out.add(new Choice(id, groups.what(), groups.candidates(id)));
        }
        if (backends.knows(id)) {
            List<Candidate> cs = backends.candidates(id);
            String active = activeBackendId();
            List<Candidate> withUse = new ArrayList<>();
            for (Candidate c : cs) {
                boolean inUse = c.chosen() && id.equals(active);
                String why = !c.chosen() ? c.reason()
                    : inUse ? (AUTO.equals(selectedBackend.get()) ? "in use: highest-ranked backend"
                        : "in use: selected with backend:use") + "; " + c.reason()
                    : "not in use: calls go to '" + active + "'" + (AUTO.equals(selectedBackend.get())
                        ? " (higher service.ranking)" : " (selected with backend:use)");
                withUse.add(new Candidate(c.id(), c.serviceId(), c.ranking(), c.bundle(), c.version(), inUse, why));
            }
            out.add(new Choice(id, backends.what(), withUse));
        }
        return out;
    }
}

package org.attune.shell;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.registry.BackendInfo;
import org.attune.api.registry.MethodRegistry;
import org.attune.api.registry.NoImplementationException;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code backend:list} and {@code backend:use}: the compute backends and which one calls go to. */
@Component(service = BackendCommands.class)
@GogoCommand(scope = "backend", function = {"list", "use"})
public final class BackendCommands {
    /** The id that returns to ranking order. */
    static final String AUTO = "auto";

    private final MethodRegistry registry;
    private final Supplier<List<Map<String, Object>>> unavailable;

    @Activate
    public BackendCommands(@Reference MethodRegistry registry, BundleContext context) {
        this(registry, () -> unavailableBackends(context));
    }

    /** Commands over a registry, with the status properties of backends that could not register. */
    BackendCommands(MethodRegistry registry, Supplier<List<Map<String, Object>>> unavailable) {
        this.registry = registry;
        this.unavailable = unavailable;
    }

    /** Properties of the services that report a backend as unavailable ({@link ComputeBackend#UNAVAILABLE}). */
    private static List<Map<String, Object>> unavailableBackends(BundleContext context) {
        try {
            ServiceReference<?>[] refs = context.getServiceReferences((String) null,
                "(" + ComputeBackend.UNAVAILABLE + "=*)");
            List<Map<String, Object>> out = new ArrayList<>();
            for (ServiceReference<?> r : refs == null ? new ServiceReference<?>[0] : refs) {
                Map<String, Object> p = new LinkedHashMap<>();
                for (String key : r.getPropertyKeys()) {
                    p.put(key, r.getProperty(key));
                }
                out.add(p);
            }
            return out;
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Descriptor("list the compute backends, best first; * marks the one in use; backends that could not register say why")
    public String list() {
        try {
            List<BackendInfo> backends = registry.backends();
            StringBuilder sb = new StringBuilder();
            if (backends.isEmpty()) {
                sb.append("no backends registered");
            } else {
                TextTable table = new TextTable("", "ID", "NAME", "DEVICE", "RANKING", "OPERATIONS", "DTYPES").alignRight(4);
                for (BackendInfo b : backends) {
                    table.row(b.active() ? "*" : "", b.id(), b.name(), b.device(), b.ranking(),
                        String.join(",", b.operations()), String.join(",", b.dtypes()));
                }
                sb.append(table);
            }
            for (Map<String, Object> p : unavailable.get()) {
                sb.append("\n").append(p.get(ComputeBackend.UNAVAILABLE)).append(": not registered: ")
                    .append(p.get(ComputeBackend.UNAVAILABLE_REASON));
            }
            return sb.toString();
        } catch (RuntimeException e) {
            throw CommandFailure.of("backend:list", e);
        }
    }

    @Descriptor("send later calls to this backend; auto returns to the highest-ranked one")
    public String use(@Descriptor("backend id (backend:list shows them), or auto") String id) {
        try {
            try {
                registry.useBackend(id);
            } catch (NoImplementationException e) {
                throw new CommandFailure("ID: no backend '" + id + "'; expected auto or one of " + ids(), e);
            }
            BackendInfo active = registry.backends().stream().filter(BackendInfo::active).findFirst()
                .orElseThrow(() -> new CommandFailure("backend:use: no backend is active after selecting '" + id + "'"));
            return "using backend " + active.id() + " (" + active.name() + ", " + active.device() + ")"
                + (AUTO.equals(id) ? ", the highest-ranked" : "");
        } catch (RuntimeException e) {
            throw CommandFailure.of("backend:use", e);
        }
    }

    private String ids() {
        List<String> ids = registry.backends().stream().map(BackendInfo::id).toList();
        return ids.isEmpty() ? "(none registered)" : String.join(", ", ids);
    }
}

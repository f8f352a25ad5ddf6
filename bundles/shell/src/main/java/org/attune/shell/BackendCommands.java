package org.attune.shell;

import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.attune.api.registry.BackendInfo;
import org.attune.api.registry.MethodRegistry;
import org.attune.api.registry.NoImplementationException;
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

    @Activate
    public BackendCommands(@Reference MethodRegistry registry) {
        this.registry = registry;
    }

    @Descriptor("list the compute backends, best first; * marks the one in use")
    public String list() {
        try {
            List<BackendInfo> backends = registry.backends();
            if (backends.isEmpty()) {
                return "no backends registered";
            }
            TextTable table = new TextTable("", "ID", "NAME", "DEVICE", "RANKING", "OPERATIONS", "DTYPES").alignRight(4);
            for (BackendInfo b : backends) {
                table.row(b.active() ? "*" : "", b.id(), b.name(), b.device(), b.ranking(), String.join(",", b.operations()),
                    String.join(",", b.dtypes()));
            }
            return table.toString();
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

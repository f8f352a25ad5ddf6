package org.attune.shell;

import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.attune.api.method.MethodDescriptor;
import org.attune.api.method.MethodKind;
import org.attune.api.registry.Candidate;
import org.attune.api.registry.Choice;
import org.attune.api.registry.MethodRegistry;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code attune:list}, {@code attune:info}, {@code attune:why}: what is installed, what each method is, and why
 * the registry chose the implementation or backend it did.
 */
@Component(service = AttuneCommands.class)
@GogoCommand(scope = "attune", function = {"list", "info", "why"})
public final class AttuneCommands {
    private final MethodRegistry registry;

    @Activate
    public AttuneCommands(@Reference MethodRegistry registry) {
        this.registry = registry;
    }

    @Descriptor("list the installed methods: id, kind, family, name, paper")
    public String list(
        @Descriptor("only methods of this kind: attention, positional-encoding, equivariant, diagnostic")
        @Parameter(names = {"-k", "--kind"}, absentValue = "") String kind,
        @Descriptor("only methods of this family, e.g. core")
        @Parameter(names = {"-f", "--family"}, absentValue = "") String family) {
        try {
            MethodKind k = kind.isBlank() ? null : MethodKind.parse(kind);
            List<MethodDescriptor> methods = registry.methods(k, family.isBlank() ? null : family.strip());
            if (methods.isEmpty()) {
                return "no methods installed" + (k == null && family.isBlank() ? ""
                    : " matching" + (k == null ? "" : " --kind " + k.id()) + (family.isBlank() ? "" : " --family " + family.strip()));
            }
            TextTable table = new TextTable("ID", "KIND", "FAMILY", "NAME", "PAPER");
            for (MethodDescriptor m : methods) {
                table.row(m.id(), m.kind().id(), m.family(), m.name(), citation(m));
            }
            return table.toString();
        } catch (RuntimeException e) {
            throw CommandFailure.of("attune:list", e);
        }
    }

    @Descriptor("show a method's descriptor: paper, cost, options, symmetries and the bundle that provides it")
    public String info(@Descriptor("method id, e.g. sdpa (attune:list shows them)") String id) {
        try {
            List<MethodDescriptor> found = registry.describe(id);
            if (found.isEmpty()) {
                throw new CommandFailure("ID: no method with id '" + id + "' is installed (attune:list shows the installed ones)");
            }
            List<Choice> choices = registry.explain(id);
            StringBuilder sb = new StringBuilder();
            for (MethodDescriptor m : found) {
                if (!sb.isEmpty()) {
                    sb.append("\n\n");
                }
                sb.append(new MethodSheet(m).row("kind", m.kind().id()).provenance().row("cost", m.cost()).options()
                    .symmetries().provider(choices));
            }
            return sb.toString();
        } catch (RuntimeException e) {
            throw CommandFailure.of("attune:info", e);
        }
    }

    @Descriptor("explain the registry's choice for a method or backend id: every candidate, the chosen one marked *")
    public String why(@Descriptor("method or backend id, e.g. sdpa or cpu") String id) {
        try {
            List<Choice> choices = registry.explain(id);
            if (choices.isEmpty()) {
                throw new CommandFailure("ID: no method or backend with id '" + id
                    + "' (attune:list and backend:list show the installed ones)");
            }
            StringBuilder sb = new StringBuilder();
            for (Choice c : choices) {
                if (!sb.isEmpty()) {
                    sb.append("\n\n");
                }
                int n = c.candidates().size();
                sb.append(c.what()).append(' ').append(c.id()).append(": ").append(n).append(n == 1 ? " candidate" : " candidates")
                    .append(c.chosen().isPresent() ? "" : ", none chosen").append('\n');
                TextTable table = new TextTable("", "SERVICE", "RANKING", "BUNDLE", "VERSION", "REASON").alignRight(1, 2);
                for (Candidate cand : c.candidates()) {
                    table.row(cand.chosen() ? "*" : "", cand.serviceId(), cand.ranking(), cand.bundle(), cand.version(),
                        cand.reason());
                }
                sb.append(table);
            }
            return sb.toString();
        } catch (RuntimeException e) {
            throw CommandFailure.of("attune:why", e);
        }
    }

    /** "Title (arXiv:1706.03762, 2017)", leaving out what is unknown. */
    static String citation(MethodDescriptor m) {
        StringBuilder where = new StringBuilder();
        if (!m.arxiv().isBlank()) {
            where.append("arXiv:").append(m.arxiv());
        }
        if (m.year() > 0) {
            where.append(where.isEmpty() ? "" : ", ").append(m.year());
        }
        if (m.paper().isBlank()) {
            return where.toString();
        }
        return where.isEmpty() ? m.paper() : m.paper() + " (" + where + ")";
    }
}

package org.attune.shell;

import java.util.List;
import java.util.Optional;

import org.attune.api.method.MethodDescriptor;
import org.attune.api.method.MethodKind;
import org.attune.api.registry.Candidate;
import org.attune.api.registry.Choice;

/**
 * The layout of a method's info sheet, shared by {@code attune:info}, {@code pe:info} and {@code equi:info}:
 * a {@code id: name} line, then labelled rows (provenance, options with the flag that passes them, symmetries,
 * the providing bundle) aligned in one column.
 */
final class MethodSheet {
    private final MethodDescriptor method;
    private final TextTable rows = new TextTable("", "");

    MethodSheet(MethodDescriptor method) {
        this.method = method;
    }

    /** The shell option that passes this kind's parameters: {@code --pe-option} for encodings, else {@code --opt}. */
    static String optionFlag(MethodKind kind) {
        return kind == MethodKind.POSITIONAL_ENCODING ? PositionComposition.PE_OPTION : "--opt";
    }

    /** One labelled row. */
    MethodSheet row(String label, Object value) {
        rows.row("  " + label, value);
        return this;
    }

    /** Labelled rows, the label shown on the first only; {@code none} when empty. */
    MethodSheet rows(String label, List<String> values, String none) {
        if (values.isEmpty()) {
            return row(label, none);
        }
        for (int i = 0; i < values.size(); i++) {
            rows.row(i == 0 ? "  " + label : "", values.get(i));
        }
        return this;
    }

    /** family, paper, arXiv (with link), year. */
    MethodSheet provenance() {
        return row("family", method.family()).row("paper", method.paper())
            .row("arXiv", method.arxiv().isBlank() ? "" : method.arxiv() + "  https://arxiv.org/abs/" + method.arxiv())
            .row("year", method.year() > 0 ? method.year() : "");
    }

    /** Each declared option as {@code FLAG name  description}. */
    MethodSheet options() {
        String flag = optionFlag(method.kind());
        return rows("options", method.options().stream().map(o -> {
            int eq = o.indexOf('=');
            return flag + " " + (eq < 0 ? o : o.substring(0, eq) + "  " + o.substring(eq + 1));
        }).toList(), "none");
    }

    /** The symmetry claims on one row. */
    MethodSheet symmetries() {
        return row("symmetries", method.symmetries().isEmpty() ? "none declared" : String.join(", ", method.symmetries()));
    }

    /** The bundle, version, service and ranking of the implementation the registry chose. */
    MethodSheet provider(List<Choice> choices) {
        Optional<Candidate> chosen = choices.stream().filter(c -> c.what().equals(method.kind().id())).findFirst()
            .flatMap(Choice::chosen);
        return row("provided by", chosen.map(c -> c.bundle() + " " + c.version() + " (service " + c.serviceId()
            + ", ranking " + c.ranking() + ")").orElse("unknown"));
    }

    @Override
    public String toString() {
        String body = rows.toString();
        return method.id() + ": " + method.name() + "\n" + body.substring(body.indexOf('\n') + 1);
    }
}

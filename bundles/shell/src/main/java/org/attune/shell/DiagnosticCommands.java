package org.attune.shell;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.diagnostics.DiagnosticCall;
import org.attune.api.diagnostics.DiagnosticReport;
import org.attune.api.method.MethodDescriptor;
import org.attune.api.method.MethodKind;
import org.attune.api.registry.MethodRegistry;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code diag:list}, {@code diag:info}, {@code diag:run}: diagnostics ({@link org.attune.api.diagnostics.Diagnostic})
 * through the registry. {@code diag:run} reads the named input tensors from {@code .npy} files, runs the diagnostic on
 * the registry's current backend and prints the report's figures as a table sorted by name, then its summary;
 * {@code --out FILE} also writes the figures, in the table's order, as a float32 vector [figures]. An input is
 * given as {@code NAME=FILE.npy} or as a file whose name without {@code .npy} is the input's name
 * ({@code q.npy} is input {@code q}). Parameters are given with {@code --opt KEY=VALUE}, repeatable, and must be
 * among the diagnostic's declared options.
 */
@Component(service = DiagnosticCommands.class)
@GogoCommand(scope = "diag", function = {"list", "info", "run"})
public final class DiagnosticCommands {
    private static final Set<String> OPT = Set.of("-p", "--opt");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.\\-]+");

    private final MethodRegistry registry;

    @Activate
    public DiagnosticCommands(@Reference MethodRegistry registry) {
        this.registry = registry;
    }

    @Descriptor("list the installed diagnostics: id, family, name, paper")
    public String list() {
        try {
            List<MethodDescriptor> methods = registry.methods(MethodKind.DIAGNOSTIC, null);
            if (methods.isEmpty()) {
                return "no diagnostics installed";
            }
            TextTable table = new TextTable("ID", "FAMILY", "NAME", "PAPER");
            for (MethodDescriptor m : methods) {
                table.row(m.id(), m.family(), m.name(), AttuneCommands.citation(m));
            }
            return table.toString();
        } catch (RuntimeException e) {
            throw CommandFailure.of("diag:list", e);
        }
    }

    @Descriptor("show a diagnostic: paper, cost, options and the bundle that provides it")
    public String info(@Descriptor("diagnostic id, e.g. pamm-error (diag:list shows them)") String id) {
        try {
            MethodDescriptor m = descriptor(id);
            return new MethodSheet(m).provenance().row("cost", m.cost()).options().provider(registry.explain(id))
                .toString();
        } catch (RuntimeException e) {
            throw CommandFailure.of("diag:info", e);
        }
    }

    @Descriptor("run a diagnostic on input tensors read from .npy files; prints its figures and summary")
    public String run(
        @Descriptor("diagnostic parameter KEY=VALUE; repeat the option or separate pairs with commas (diag:info lists them)")
        @Parameter(names = {"-p", "--opt"}, absentValue = "") String opt,
        @Descriptor("also write the figures, in the table's order, to this float32 .npy file")
        @Parameter(names = {"--out"}, absentValue = "") String out,
        @Descriptor("ID [INPUT.npy | NAME=FILE.npy ...]: diagnostic id, then its named inputs (q.npy is input q)")
        String... arguments) {
        try {
            Positionals words = Positionals.split(arguments, OPT, "--opt (repeatable), --out");
            List<String> opts = new ArrayList<>();
            opts.add(opt);
            opts.addAll(words.repeated());
            Map<String, String> params = OptionPairs.parse("--opt", opts);
            List<String> args = words.values();
            if (args.isEmpty()) {
                throw new CommandFailure("diag:run: expected ID [INPUT.npy ...], got no arguments");
            }
            String id = args.get(0);
            MethodDescriptor m = descriptor(id);
            OptionPairs.requireDeclared("--opt", m, params, "diag:info");
            Map<String, Tensor> inputs = inputs(args.subList(1, args.size()));
            ComputeBackend backend = registry.backend();
            DiagnosticReport report = registry.diagnostic(id).run(new DiagnosticCall(inputs, params), backend);
            Map<String, Double> figures = new TreeMap<>(report.values());
            List<String> lines = new ArrayList<>();
            List<String> described = new ArrayList<>();
            inputs.forEach((name, t) -> described.add(name + " " + Tensor.format(t.shape())));
            lines.add(id + " on the " + backend.id() + " backend, inputs "
                + (described.isEmpty() ? "none" : String.join(", ", described))
                + (params.isEmpty() ? "" : ", options " + params));
            if (figures.isEmpty()) {
                lines.add("no figures reported");
            } else {
                TextTable table = new TextTable("FIGURE", "VALUE").alignRight(1);
                figures.forEach((name, value) -> table.row(name, number(value)));
                lines.add(table.toString());
            }
            if (report.summary() != null && !report.summary().isBlank()) {
                lines.add(report.summary().strip());
            }
            if (!out.isBlank()) {
                if (figures.isEmpty()) {
                    throw new CommandFailure("--out: " + id + " reported no figures to write");
                }
                double[] values = figures.values().stream().mapToDouble(Double::doubleValue).toArray();
                Path written = TensorFiles.writeFloat32("--out", out, Tensor.of(values, values.length));
                lines.add("wrote " + written + " (float32 [" + values.length + "], the figures in the table's order)");
            }
            return String.join("\n", lines);
        } catch (RuntimeException e) {
            throw CommandFailure.of("diag:run", e);
        }
    }

    /** The inputs by name, in the order given: {@code NAME=FILE} or a file named NAME.npy. */
    private static Map<String, Tensor> inputs(List<String> words) {
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        for (String word : words) {
            int eq = word.indexOf('=');
            String name;
            String path;
            if (eq > 0 && NAME.matcher(word.substring(0, eq)).matches()) {
                name = word.substring(0, eq);
                path = word.substring(eq + 1);
            } else {
                path = word;
                String file = Path.of(word).getFileName() == null ? word : Path.of(word).getFileName().toString();
                name = file.endsWith(".npy") ? file.substring(0, file.length() - 4) : file;
            }
            if (name.isEmpty() || path.isEmpty()) {
                throw new CommandFailure("INPUT " + word + ": expected FILE.npy or NAME=FILE.npy");
            }
            if (inputs.containsKey(name)) {
                throw new CommandFailure("INPUT " + word + ": input '" + name + "' given twice");
            }
            inputs.put(name, TensorFiles.read("INPUT " + name, path));
        }
        return inputs;
    }

    /** The descriptor of diagnostic id. */
    private MethodDescriptor descriptor(String id) {
        for (MethodDescriptor m : registry.describe(id)) {
            if (m.kind() == MethodKind.DIAGNOSTIC) {
                return m;
            }
        }
        throw new CommandFailure("ID: no diagnostic '" + id + "' is installed (diag:list shows the installed ones)");
    }

    /** Whole numbers as such, others as %.3e. */
    private static String number(double x) {
        if (x == Math.rint(x) && Math.abs(x) < 1e15) {
            return Long.toString((long) x);
        }
        return String.format(Locale.ROOT, "%.3e", x);
    }
}

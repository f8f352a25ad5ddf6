package org.attune.shell;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.equivariance.EquivarianceCertificate;
import org.attune.api.equivariance.GeometricInput;
import org.attune.api.equivariance.GeometricOutput;
import org.attune.api.method.MethodDescriptor;
import org.attune.api.method.MethodKind;
import org.attune.api.position.SymmetryCertificate;
import org.attune.api.registry.MethodRegistry;
import org.attune.api.registry.NoImplementationException;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code equi:list}, {@code equi:groups}, {@code equi:info}, {@code equi:check}, {@code equi:run}: symmetry
 * claims, the installed symmetry groups and equivariant methods through the registry. {@code equi:check} certifies every claim a method declares: equivariant
 * methods and attention permutation claims with {@link EquivarianceCertificate} (the group from the registry,
 * float32 or float64), positional encodings with {@link SymmetryCertificate} (float64); it prints one line per
 * claim and output and fails on a violation. {@code equi:run} applies an equivariant method to coordinates
 * [nodes, dim], features [nodes, channels] and optional int64 edges [2, edges] read from {@code .npy} files.
 */
@Component(service = EquivarianceCommands.class)
@GogoCommand(scope = "equi", function = {"list", "groups", "info", "check", "run"})
public final class EquivarianceCommands {
    /** Kinds whose claims equi:check certifies, in the order a shared id is resolved. */
    private static final List<MethodKind> KINDS = List.of(MethodKind.EQUIVARIANT, MethodKind.ATTENTION,
        MethodKind.POSITIONAL_ENCODING);
    /** Names of equi:run's repeatable option. */
    private static final Set<String> OPT = Set.of("-p", "--opt");
    /** Seed of equi:check's group elements and inputs. */
    static final long CHECK_SEED = 20240229L;

    private final MethodRegistry registry;

    @Activate
    public EquivarianceCommands(@Reference MethodRegistry registry) {
        this.registry = registry;
    }

    @Descriptor("list the installed methods that declare symmetry claims: id, kind, family, claims, name")
    public String list() {
        try {
            TextTable table = new TextTable("ID", "KIND", "FAMILY", "CLAIMS", "NAME");
            int n = 0;
            for (MethodKind kind : KINDS) {
                for (MethodDescriptor m : registry.methods(kind, null)) {
                    if (kind == MethodKind.EQUIVARIANT || !m.symmetries().isEmpty()) {
                        table.row(m.id(), kind.id(), m.family(), String.join(", ", m.symmetries()), m.name());
                        n++;
                    }
                }
            }
            return n == 0 ? "no methods with symmetry claims installed" : table.toString();
        } catch (RuntimeException e) {
            throw CommandFailure.of("equi:list", e);
        }
    }

    @Descriptor("list the installed symmetry groups: id, dimension of the space they act on, the methods whose claims they check")
    public String groups() {
        try {
            List<String> ids = registry.groups();
            if (ids.isEmpty()) {
                return "no symmetry groups installed (the symmetry bundle provides them)";
            }
            Map<String, List<String>> claimedBy = new TreeMap<>();
            for (MethodKind kind : List.of(MethodKind.EQUIVARIANT, MethodKind.ATTENTION)) {
                for (MethodDescriptor m : registry.methods(kind, null)) {
                    for (String claim : m.symmetries()) {
                        String group = kind == MethodKind.ATTENTION ? EquivarianceCertificate.PERMUTATION_GROUP
                            : EquivarianceCertificate.groupId(claim);
                        List<String> methods = claimedBy.computeIfAbsent(group, k -> new ArrayList<>());
                        if (!methods.contains(m.id())) {
                            methods.add(m.id());
                        }
                    }
                }
            }
            TextTable table = new TextTable("GROUP", "DIM", "CHECKS");
            for (String id : ids) {
                int dim = registry.group(id).dimension();
                List<String> methods = claimedBy.getOrDefault(id, List.of());
                table.row(id, dim == 0 ? "-" : Integer.toString(dim),
                    methods.isEmpty() ? "-" : methods.size() + ": " + String.join(", ", methods));
            }
            return table.toString();
        } catch (RuntimeException e) {
            throw CommandFailure.of("equi:groups", e);
        }
    }

    @Descriptor("show a method's symmetry claims, the group that checks each and whether it is installed")
    public String info(@Descriptor("method id (equi:list shows them)") String id) {
        try {
            MethodDescriptor m = descriptor(id);
            return new MethodSheet(m).row("kind", m.kind().id()).provenance().options()
                .rows("claims", m.symmetries().stream().map(c -> c + "  (" + checkedBy(m, c) + ")").toList(), "none declared")
                .provider(registry.explain(id)).toString();
        } catch (RuntimeException e) {
            throw CommandFailure.of("equi:info", e);
        }
    }

    @Descriptor("certify every symmetry claim of a method: f(g·x) against g·f(x) for random group elements; fails on a violation")
    public String check(
        @Descriptor("random group elements per claim (default 20)")
        @Parameter(names = {"--trials"}, absentValue = "20") String trials,
        @Descriptor("element type the method computes in: f64 (tolerance 1e-9) or f32 (tolerance 1e-3)")
        @Parameter(names = {"--dtype"}, absentValue = "f64") String dtype,
        @Descriptor("ID: method id")
        String... arguments) {
        try {
            List<String> args = Positionals.split(arguments, Set.of(), "--trials, --dtype").values();
            if (args.size() != 1) {
                throw new CommandFailure("equi:check: expected ID, got " + args.size() + " arguments");
            }
            String id = args.get(0);
            int n = positiveInt("--trials", trials);
            DType type = dtype(dtype);
            MethodDescriptor m = descriptor(id);
            if (m.symmetries().isEmpty()) {
                return id + " declares no symmetries: nothing to check";
            }
            ComputeBackend backend = registry.backend();
            TextTable table = new TextTable("CLAIM", "OUTPUT", "ACTS AS", "DTYPE", "ERROR", "TOLERANCE", "RESULT",
                "LARGEST AT").alignRight(4, 5);
            String failed = null;
            double worst = 0;
            for (EquivarianceCertificate.Finding f : findings(m, n, type, backend)) {
                table.row(f.claim(), f.output(), f.representation(), f.dtype().shortName(), number(f.error()),
                    number(f.tolerance()), f.holds() ? "holds" : "VIOLATED", f.detail());
                worst = Double.isNaN(f.error()) ? worst : Math.max(worst, f.error());
                if (!f.holds() && failed == null) {
                    failed = f.claim() + " violated on " + f.output() + ", error " + number(f.error()) + " > "
                        + number(f.tolerance()) + " (" + f.detail() + ")";
                }
            }
            if (failed != null) {
                throw new CommandFailure("equi:check " + id + ": " + failed + "\n" + table);
            }
            return table + "\nlargest error " + number(worst) + " (" + n + " trials, " + type.shortName() + " on the "
                + backend.id() + " backend): every claim holds";
        } catch (RuntimeException e) {
            throw CommandFailure.of("equi:check", e);
        }
    }

    @Descriptor("apply an equivariant method to coordinates [nodes, dim], features [nodes, channels] and optional int64 edges [2, edges]")
    public String run(
        @Descriptor("seed of the method's documented weight initialiser (default 0): the same seed gives the same function")
        @Parameter(names = {"--seed"}, absentValue = "0") String seed,
        @Descriptor("write the output coordinates to this float32 .npy file")
        @Parameter(names = {"--out-coords"}, absentValue = "") String outCoords,
        @Descriptor("write the output features to this float32 .npy file")
        @Parameter(names = {"--out-feats"}, absentValue = "") String outFeats,
        @Descriptor("method option KEY=VALUE (repeatable; equi:info ID lists them)")
        @Parameter(names = {"-p", "--opt"}, absentValue = "") String opt,
        @Descriptor("ID COORDS.npy FEATS.npy [EDGES.npy]: method id, then the graph (default edges: fully connected;"
            + " COORDS '-' for methods that read features only, such as images)")
        String... arguments) {
        try {
            Positionals words = Positionals.split(arguments, OPT,
                "--seed, --out-coords, --out-feats, --opt (repeatable)");
            List<String> args = words.values();
            if (args.size() != 3 && args.size() != 4) {
                throw new CommandFailure("equi:run: expected ID COORDS.npy FEATS.npy [EDGES.npy], got " + args.size()
                    + " argument" + (args.size() == 1 ? "" : "s"));
            }
            long s;
            try {
                s = Long.parseLong(seed.strip());
            } catch (NumberFormatException e) {
                throw new CommandFailure("--seed: expected an integer, got '" + seed + "'");
            }
            String id = args.get(0);
            List<String> opts = new ArrayList<>();
            opts.add(opt);
            opts.addAll(words.repeated());
            Map<String, String> params = OptionPairs.parse("--opt", opts);
            OptionPairs.requireDeclared("--opt", equivariantDescriptor(id), params, "equi:info");
            Tensor coords = args.get(1).equals("-") ? null : TensorFiles.read("COORDS.npy", args.get(1));
            Tensor feats = TensorFiles.read("FEATS.npy", args.get(2));
            Tensor edges = args.size() == 4 ? TensorFiles.read("EDGES.npy", args.get(3)) : null;
            ComputeBackend backend = registry.backend();
            GeometricOutput out = registry.equivariant(id).apply(new GeometricInput(coords, feats, edges, s, params),
                backend);
            List<String> lines = new ArrayList<>();
            lines.add(id + " on " + (coords == null ? "no" : Arrays.toString(coords.shape())) + " coordinates, "
                + Arrays.toString(feats.shape())
                + " features, " + (edges == null ? "fully connected" : edges.dim(edges.rank() - 1) + " edges")
                + " (seed " + s + ", " + backend.id() + " backend)");
            lines.add(describe("coords", out.coords(), "--out-coords", outCoords));
            lines.add(describe("feats", out.feats(), "--out-feats", outFeats));
            return String.join("\n", lines);
        } catch (RuntimeException e) {
            throw CommandFailure.of("equi:run", e);
        }
    }

    /** The findings of every claim of m, one per claim and output. */
    private List<EquivarianceCertificate.Finding> findings(MethodDescriptor m, int trials, DType dtype,
                                                          ComputeBackend backend) {
        List<EquivarianceCertificate.Finding> out = new ArrayList<>();
        switch (m.kind()) {
            case EQUIVARIANT -> {
                var method = registry.equivariant(m.id());
                for (String claim : m.symmetries()) {
                    out.addAll(EquivarianceCertificate.certify(method, claim,
                        registry.group(EquivarianceCertificate.groupId(claim)), Map.of(), dtype, trials, CHECK_SEED,
                        backend));
                }
            }
            case ATTENTION -> {
                AttentionMechanism method = (call, b) -> registry.attend(m.id(), call, b.id());
                for (String claim : m.symmetries()) {
                    out.add(EquivarianceCertificate.certify(method, claim,
                        registry.group(EquivarianceCertificate.PERMUTATION_GROUP), Map.of(), dtype, trials, CHECK_SEED,
                        backend));
                }
            }
            case POSITIONAL_ENCODING -> {
                for (SymmetryCertificate.Finding f : SymmetryCertificate.certify(registry.positionalEncoding(m.id()),
                    m.symmetries(), Map.of(), backend)) {
                    out.add(new EquivarianceCertificate.Finding(f.claim(), "logits", "shift", DType.FLOAT64, 1,
                        f.violation(), f.tolerance(), f.detail()));
                }
            }
            default -> throw new CommandFailure("ID: " + m.id() + " is a " + m.kind().id() + ", which declares no checkable claims");
        }
        return out;
    }

    /** The descriptor of equivariant method {@code id}, or a failure naming ID. */
    private MethodDescriptor equivariantDescriptor(String id) {
        return registry.describe(id).stream().filter(m -> m.kind() == MethodKind.EQUIVARIANT).findFirst()
            .orElseThrow(() -> new CommandFailure("ID: no equivariant method '" + id
                + "' is installed (equi:list shows the installed ones)"));
    }

    /** What checks a claim, for equi:info. */
    private String checkedBy(MethodDescriptor m, String claim) {
        if (m.kind() == MethodKind.POSITIONAL_ENCODING) {
            return "SymmetryCertificate, float64";
        }
        String group = m.kind() == MethodKind.ATTENTION ? EquivarianceCertificate.PERMUTATION_GROUP
            : EquivarianceCertificate.groupId(claim);
        try {
            registry.group(group);
            return "group " + group + ", installed";
        } catch (NoImplementationException e) {
            return "group " + group + ", NOT installed";
        }
    }

    /** The descriptor of id, preferring equivariant methods, then attention, then positional encodings. */
    private MethodDescriptor descriptor(String id) {
        List<MethodDescriptor> all = registry.describe(id);
        for (MethodKind kind : KINDS) {
            for (MethodDescriptor m : all) {
                if (m.kind() == kind) {
                    return m;
                }
            }
        }
        throw new CommandFailure("ID: no method with symmetry claims has id '" + id + "' (equi:list shows them)");
    }

    private static String describe(String name, Tensor t, String option, String file) {
        if (t == null) {
            if (!file.isBlank()) {
                throw new CommandFailure(option + ": the method returns no " + name + " to write");
            }
            return "  " + name + ": none (invariant-only method)";
        }
        String shape = Arrays.toString(t.shape());
        if (file.isBlank()) {
            double max = 0;
            for (int i = 0; i < t.size(); i++) {
                max = Math.max(max, Math.abs(t.getFlat(i)));
            }
            return "  " + name + ": " + shape + ", max |value| " + number(max) + " (not written; " + option + " FILE)";
        }
        Path written = TensorFiles.writeFloat32(option, file, t);
        return "  " + name + ": " + shape + " → " + written;
    }

    private static int positiveInt(String option, String value) {
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new CommandFailure(option + ": expected a positive integer, got '" + value + "'");
    }

    private static DType dtype(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "f64", "float64" -> DType.FLOAT64;
            case "f32", "float32" -> DType.FLOAT32;
            default -> throw new CommandFailure("--dtype: expected f32 or f64, got '" + value + "'");
        };
    }

    private static String number(double x) {
        return String.format(Locale.ROOT, "%.3e", x);
    }
}

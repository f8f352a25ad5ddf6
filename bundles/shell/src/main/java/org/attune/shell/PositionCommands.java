package org.attune.shell;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.attune.api.method.MethodDescriptor;
import org.attune.api.method.MethodKind;
import org.attune.api.position.EncodingForm;
import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.PositionalResult;
import org.attune.api.position.SymmetryCertificate;
import org.attune.api.registry.MethodRegistry;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code pe:list}, {@code pe:info}, {@code pe:apply}, {@code pe:bias}, {@code pe:check}: positional encodings
 * through the registry. {@code pe:apply} encodes q and k read from {@code .npy} files ([batch, heads, seq, dim]),
 * {@code pe:bias} writes a bias [heads, nq, nk], {@code pe:check} runs the certificate of every symmetry the
 * encoding declares ({@link SymmetryCertificate}) and fails on a violation. Encoding parameters are given with
 * {@code --pe-option KEY=VALUE}, repeatable, and must be among the encoding's declared options;
 * {@code --base} and {@code --convention} are shorthands for the rotary parameters of the same names.
 */
@Component(service = PositionCommands.class)
@GogoCommand(scope = "pe", function = {"list", "info", "apply", "bias", "check"})
public final class PositionCommands {
    private final MethodRegistry registry;

    @Activate
    public PositionCommands(@Reference MethodRegistry registry) {
        this.registry = registry;
    }

    @Descriptor("list the installed positional encodings: id, form, family, name, paper")
    public String list() {
        try {
            List<MethodDescriptor> methods = registry.methods(MethodKind.POSITIONAL_ENCODING, null);
            if (methods.isEmpty()) {
                return "no positional encodings installed";
            }
            TextTable table = new TextTable("ID", "FORM", "FAMILY", "NAME", "PAPER");
            for (MethodDescriptor m : methods) {
                table.row(m.id(), form(m.id()), m.family(), m.name(), AttuneCommands.citation(m));
            }
            return table.toString();
        } catch (RuntimeException e) {
            throw CommandFailure.of("pe:list", e);
        }
    }

    @Descriptor("show a positional encoding: form, paper, options, symmetry claims and the bundle that provides it")
    public String info(@Descriptor("encoding id, e.g. rope (pe:list shows them)") String id) {
        try {
            MethodDescriptor m = PositionComposition.descriptor(registry, "ID", id);
            return new MethodSheet(m).row("form", form(id)).provenance().row("cost", m.cost()).options().symmetries()
                .provider(registry.explain(id)).toString();
        } catch (RuntimeException e) {
            throw CommandFailure.of("pe:info", e);
        }
    }

    @Descriptor("apply a positional encoding to q and k read from .npy files [batch, heads, seq, dim]; writes float32 .npy")
    public String apply(
        @Descriptor("rotary base (the encoding's base parameter)")
        @Parameter(names = {"--base"}, absentValue = "") String base,
        @Descriptor("rotary pair convention: half (rotate-half, GPT-NeoX/HF LLaMA) or interleaved (RoFormer/GPT-J)")
        @Parameter(names = {"--convention"}, absentValue = "") String convention,
        @Descriptor("position of the first token of Q and of K (default 0)")
        @Parameter(names = {"--offset"}, absentValue = "0") String offset,
        @Descriptor("write the encoded queries to this file")
        @Parameter(names = {"--out-q"}, absentValue = "") String outQ,
        @Descriptor("write the encoded keys to this file")
        @Parameter(names = {"--out-k"}, absentValue = "") String outK,
        @Descriptor("encoding parameter KEY=VALUE; repeat the option or separate pairs with commas (pe:info lists them)")
        @Parameter(names = {"--pe-option"}, absentValue = "") String peOption,
        @Descriptor("ID Q.npy K.npy: encoding id, then query and key files [batch, heads, seq, dim]")
        String... arguments) {
        try {
            PositionComposition.Words pe = PositionComposition.take(arguments, peOption);
            List<String> args = Positionals.split(pe.rest(), Set.of(),
                "--base, --convention, --offset, --out-q, --out-k, --pe-option (repeatable)").values();
            if (args.size() != 3) {
                throw new CommandFailure("pe:apply: expected ID Q.npy K.npy, got " + args.size() + " argument"
                    + (args.size() == 1 ? "" : "s"));
            }
            if (outQ.isBlank() || outK.isBlank()) {
                throw new CommandFailure((outQ.isBlank() ? "--out-q" : "--out-k") + ": expected a file to write");
            }
            String id = args.get(0);
            MethodDescriptor m = PositionComposition.descriptor(registry, "ID", id);
            Map<String, String> params = new LinkedHashMap<>(OptionPairs.parse(PositionComposition.PE_OPTION, pe.options()));
            shorthand(m, params, "--base", "base", base);
            shorthand(m, params, "--convention", "convention", convention);
            OptionPairs.requireDeclared(PositionComposition.PE_OPTION, m, params, "pe:info");
            PositionalEncoding encoding = registry.positionalEncoding(id);
            if (encoding.form() == EncodingForm.BIAS) {
                throw new CommandFailure("ID: " + id + " is a bias encoding; pe:bias writes its bias");
            }
            int p = OptionValues.integer("--offset", offset, 0);
            Tensor q = TensorFiles.read("Q.npy", args.get(1)).requireShape("Q.npy (" + args.get(1) + ")",
                "[batch, heads, seq, dim]", -1, -1, -1, -1);
            Tensor k = TensorFiles.read("K.npy", args.get(2)).requireShape("K.npy (" + args.get(2) + ")",
                "[batch, heads, seq, dim]", -1, -1, -1, -1);
            PositionalResult r = encoding.encode(PositionalCall.tokens(q, k).withOffsets(p, p).withParams(params),
                registry.backend());
            Path wq = TensorFiles.writeFloat32("--out-q", outQ, r.q());
            Path wk = TensorFiles.writeFloat32("--out-k", outK, r.k());
            return id + " (" + form(id) + ") on " + registry.backend().id() + ", positions from " + p + ": q "
                + Tensor.format(r.q().shape()) + ", k " + Tensor.format(r.k().shape()) + "\nwrote " + wq + " (float32)"
                + "\nwrote " + wk + " (float32)";
        } catch (RuntimeException e) {
            throw CommandFailure.of("pe:apply", e);
        }
    }

    @Descriptor("write the logit bias [heads, nq, nk] of a bias encoding as float32 .npy")
    public String bias(
        @Descriptor("number of heads")
        @Parameter(names = {"--heads"}, absentValue = "8") String heads,
        @Descriptor("number of queries")
        @Parameter(names = {"--nq"}, absentValue = "16") String nq,
        @Descriptor("number of keys (default: --nq)")
        @Parameter(names = {"--nk"}, absentValue = "") String nk,
        @Descriptor("the bias of causal attention")
        @Parameter(names = {"--causal"}, presentValue = "true", absentValue = "false") boolean causal,
        @Descriptor("write the bias to this file")
        @Parameter(names = {"--out"}, absentValue = "") String out,
        @Descriptor("encoding parameter KEY=VALUE; repeat the option or separate pairs with commas (pe:info lists them)")
        @Parameter(names = {"--pe-option"}, absentValue = "") String peOption,
        @Descriptor("ID: encoding id")
        String... arguments) {
        try {
            PositionComposition.Words pe = PositionComposition.take(arguments, peOption);
            List<String> args = Positionals.split(pe.rest(), Set.of(),
                "--heads, --nq, --nk, --causal, --out, --pe-option (repeatable)").values();
            if (args.size() != 1) {
                throw new CommandFailure("pe:bias: expected ID, got " + args.size() + " arguments");
            }
            if (out.isBlank()) {
                throw new CommandFailure("--out: expected a file to write");
            }
            String id = args.get(0);
            MethodDescriptor m = PositionComposition.descriptor(registry, "ID", id);
            Map<String, String> params = OptionPairs.parse(PositionComposition.PE_OPTION, pe.options());
            OptionPairs.requireDeclared(PositionComposition.PE_OPTION, m, params, "pe:info");
            PositionalEncoding encoding = registry.positionalEncoding(id);
            if (encoding.form() != EncodingForm.BIAS) {
                throw new CommandFailure("ID: " + id + " is a " + form(id) + " encoding; pe:apply encodes q and k");
            }
            int h = OptionValues.integer("--heads", heads, 1);
            int n = OptionValues.integer("--nq", nq, 0);
            int mk = nk.isBlank() ? n : OptionValues.integer("--nk", nk, 0);
            Tensor b = encoding.encode(PositionalCall.bias(h, n, mk, causal).withParams(params), registry.backend()).bias();
            Path written = TensorFiles.writeFloat32("--out", out, b);
            return id + " bias " + Tensor.format(b.shape()) + (causal ? ", causal" : ", non-causal") + ", min "
                + number(min(b)) + ", max " + number(max(b)) + "\nwrote " + written + " (float32)";
        } catch (RuntimeException e) {
            throw CommandFailure.of("pe:bias", e);
        }
    }

    @Descriptor("run the certificate of each symmetry an encoding declares; prints the largest violation, fails on one")
    public String check(
        @Descriptor("encoding parameter KEY=VALUE for every check; repeat the option or separate pairs with commas")
        @Parameter(names = {"--pe-option"}, absentValue = "") String peOption,
        @Descriptor("ID: encoding id")
        String... arguments) {
        try {
            PositionComposition.Words pe = PositionComposition.take(arguments, peOption);
            List<String> args = Positionals.split(pe.rest(), Set.of(), "--pe-option (repeatable)").values();
            if (args.size() != 1) {
                throw new CommandFailure("pe:check: expected ID, got " + args.size() + " arguments");
            }
            String id = args.get(0);
            MethodDescriptor m = PositionComposition.descriptor(registry, "ID", id);
            Map<String, String> params = OptionPairs.parse(PositionComposition.PE_OPTION, pe.options());
            OptionPairs.requireDeclared(PositionComposition.PE_OPTION, m, params, "pe:info");
            if (m.symmetries().isEmpty()) {
                return id + " declares no symmetries: nothing to check";
            }
            List<SymmetryCertificate.Finding> findings = SymmetryCertificate.certify(registry.positionalEncoding(id),
                m.symmetries(), params, registry.backend());
            TextTable table = new TextTable("CLAIM", "VIOLATION", "TOLERANCE", "RESULT", "LARGEST AT").alignRight(1, 2);
            double worst = 0;
            SymmetryCertificate.Finding failed = null;
            for (SymmetryCertificate.Finding f : findings) {
                table.row(f.claim(), number(f.violation()), number(f.tolerance()), f.holds() ? "holds" : "VIOLATED",
                    f.detail());
                worst = Double.isNaN(f.violation()) ? worst : Math.max(worst, f.violation());
                if (!f.holds() && failed == null) {
                    failed = f;
                }
            }
            if (failed != null) {
                throw new CommandFailure("pe:check " + id + ": " + failed.claim() + " violated, relative violation "
                    + number(failed.violation()) + " > " + number(failed.tolerance()) + " (" + failed.detail() + ")");
            }
            return table + "\nlargest violation " + number(worst) + " (relative, float64 on the " + registry.backend().id()
                + " backend): every claim holds";
        } catch (RuntimeException e) {
            throw CommandFailure.of("pe:check", e);
        }
    }

    /** Puts a shorthand option's value into the parameters, if given. */
    private static void shorthand(MethodDescriptor m, Map<String, String> params, String option, String name, String value) {
        if (value.isBlank()) {
            return;
        }
        if (!m.optionNames().contains(name)) {
            throw new CommandFailure(option + ": " + m.id() + " has no " + name + " parameter (pe:info " + m.id() + ")");
        }
        if (params.containsKey(name)) {
            throw new CommandFailure(option + ": given twice, also as --pe-option " + name);
        }
        params.put(name, value.strip());
    }

    private String form(String id) {
        return registry.positionalEncoding(id).form().name().toLowerCase(Locale.ROOT);
    }

    private static double min(Tensor t) {
        double m = Double.POSITIVE_INFINITY;
        for (int i = 0; i < t.size(); i++) {
            m = Math.min(m, t.getFlat(i));
        }
        return t.size() == 0 ? 0 : m;
    }

    private static double max(Tensor t) {
        double m = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < t.size(); i++) {
            m = Math.max(m, t.getFlat(i));
        }
        return t.size() == 0 ? 0 : m;
    }

    private static String number(double x) {
        return String.format(Locale.ROOT, "%.3e", x);
    }
}

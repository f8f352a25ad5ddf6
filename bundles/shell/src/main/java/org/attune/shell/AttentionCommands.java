package org.attune.shell;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.attune.api.attention.AttentionCall;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.method.MethodKind;
import org.attune.api.registry.MethodRegistry;
import org.attune.api.registry.NoImplementationException;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code attention:run}, {@code attention:bench}, {@code attention:compare}: run attention methods through the
 * registry on tensors from {@code .npy} files or on seeded random inputs.
 *
 * <p>Tensors are [batch, heads, seq, dim]. Options are bound by Gogo once each; {@code --opt} may repeat (the
 * later uses arrive among the positional words, see {@link Positionals}) and also takes comma-separated pairs.
 */
@Component(service = AttentionCommands.class)
@GogoCommand(scope = "attention", function = {"run", "bench", "compare"})
public final class AttentionCommands {
    private static final Set<String> OPT = Set.of("-p", "--opt");
    /** Minimum warm-up time per method and length of attention:bench in the shell. */
    private static final long WARM_UP_NANOS = 300_000_000L;

    private final MethodRegistry registry;
    private final Consumer<String> progress;
    private final long minWarmUpNanos;

    @Activate
    public AttentionCommands(@Reference MethodRegistry registry) {
        // System.out is looked up per line: Gogo's ThreadIO routes it to the session that runs the command
        this(registry, line -> {
            System.out.println(line);
            System.out.flush();
        }, WARM_UP_NANOS);
    }

    /** Commands that report benchmark progress lines to {@code progress} and warm up only the requested runs. */
    AttentionCommands(MethodRegistry registry, Consumer<String> progress) {
        this(registry, progress, 0);
    }

    private AttentionCommands(MethodRegistry registry, Consumer<String> progress, long minWarmUpNanos) {
        this.registry = registry;
        this.progress = progress;
        this.minWarmUpNanos = minWarmUpNanos;
    }

    @Descriptor("run an attention method on q, k, v read from .npy files; prints the output shape and checksums")
    public RunResult run(
        @Descriptor("causal: query i attends to keys j <= i")
        @Parameter(names = {"-c", "--causal"}, presentValue = "true", absentValue = "false") boolean causal,
        @Descriptor("logit scale, a number (default 1/sqrt(dim))")
        @Parameter(names = {"-s", "--scale"}, absentValue = "") String scale,
        @Descriptor("boolean .npy mask broadcastable to [batch, heads, seq_q, seq_k], true = may attend")
        @Parameter(names = {"-m", "--mask"}, absentValue = "") String mask,
        @Descriptor("float .npy bias broadcastable to [batch, heads, seq_q, seq_k], added to the scaled logits")
        @Parameter(names = {"-b", "--bias"}, absentValue = "") String bias,
        @Descriptor("write the output to this file as float32 .npy")
        @Parameter(names = {"-o", "--out"}, absentValue = "") String out,
        @Descriptor("method parameter KEY=VALUE; repeat the option or separate pairs with commas (attune:info lists them)")
        @Parameter(names = {"-p", "--opt"}, absentValue = "") String opt,
        @Descriptor("backend id to run on (default: the one in use, see backend:list)")
        @Parameter(names = {"-B", "--backend"}, absentValue = "") String backend,
        @Descriptor("positional encoding id to compose with the method (pe:list shows them)")
        @Parameter(names = {"--pe"}, absentValue = "") String pe,
        @Descriptor("positional encoding parameter KEY=VALUE; repeat the option or separate pairs with commas (pe:info lists them)")
        @Parameter(names = {"--pe-option"}, absentValue = "") String peOption,
        @Descriptor("ID Q.npy K.npy V.npy: method id, then query, key and value files [batch, heads, seq, dim]; "
            + "relative paths are taken from the directory attune was started in")
        String... arguments) {
        try {
            PositionComposition.Words peWords = PositionComposition.take(arguments, peOption);
            Positionals words = Positionals.split(peWords.rest(), OPT,
                "--causal, --scale, --mask, --bias, --out, --opt (repeatable), --backend, --pe, --pe-option (repeatable)");
            List<String> args = words.values();
            if (args.size() != 4) {
                throw new CommandFailure("attention:run: expected ID Q.npy K.npy V.npy, got " + args.size() + " argument"
                    + (args.size() == 1 ? "" : "s") + (args.isEmpty() ? "" : " (" + String.join(" ", args) + ")"));
            }
            List<String> opts = new ArrayList<>();
            opts.add(opt);
            opts.addAll(words.repeated());
            Map<String, String> params = OptionPairs.parse("--opt", opts);

            AttentionOptions.Builder options = AttentionOptions.builder().causal(causal);
            if (!scale.isBlank()) {
                options.scale(OptionValues.number("--scale", scale));
            }
            Tensor q = rank4("Q.npy", args.get(1));
            Tensor k = rank4("K.npy", args.get(2));
            Tensor v = rank4("V.npy", args.get(3));
            if (!mask.isBlank()) {
                options.mask(TensorFiles.read("--mask", mask));
            }
            if (!bias.isBlank()) {
                options.bias(TensorFiles.read("--bias", bias));
            }
            String id = args.get(0);
            String backendId = backend.isBlank() ? null : backend.strip();
            AttentionCall call = new AttentionCall(q, k, v, options.build(), params);
            PositionComposition.Composed composed = pe.isBlank() ? PositionComposition.Composed.none(call)
                : PositionComposition.compose(registry, pe.strip(), peWords.options(), call, backendId);
            Tensor result = composed.output(attend(id, composed.call(), backendId));
            Path written = out.isBlank() ? null : TensorFiles.writeFloat32("--out", out, result);
            return RunResult.of(id, backendId != null ? backendId : activeBackend(), result, written);
        } catch (RuntimeException e) {
            throw CommandFailure.of("attention:run", e);
        }
    }

    @Descriptor("time attention methods on seeded random inputs: median and min time and GFLOP/s per method and length")
    public String bench(
        @Descriptor("sequence lengths, comma-separated")
        @Parameter(names = {"-n", "--n"}, absentValue = "512,1024,2048") String sizes,
        @Descriptor("head dimension")
        @Parameter(names = {"-d", "--d"}, absentValue = "64") String dim,
        @Descriptor("number of heads")
        @Parameter(names = {"-h", "--heads"}, absentValue = "8") String heads,
        @Descriptor("batch size")
        @Parameter(names = {"-b", "--batch"}, absentValue = "1") String batch,
        @Descriptor("causal attention (counts half the FLOP)")
        @Parameter(names = {"-c", "--causal"}, presentValue = "true", absentValue = "false") boolean causal,
        @Descriptor("timed runs per method and length")
        @Parameter(names = {"-r", "--repeat"}, absentValue = "5") String repeat,
        @Descriptor("untimed warm-up runs per method and length (at least 0.3 s of them unless 0)")
        @Parameter(names = {"-w", "--warmup"}, absentValue = "2") String warmup,
        @Descriptor("backend id to run on (default: the one in use)")
        @Parameter(names = {"-B", "--backend"}, absentValue = "") String backend,
        @Descriptor("also write the table to this CSV file")
        @Parameter(names = {"--csv"}, absentValue = "") String csv,
        @Descriptor("also draw time against n on log-log axes, one line per method, into this PNG file")
        @Parameter(names = {"--plot"}, absentValue = "") String plot,
        @Descriptor("ID...: attention method ids to time")
        String... ids) {
        try {
            int[] ns = OptionValues.integers("--n", sizes, 1);
            int d = OptionValues.integer("--d", dim, 1);
            int h = OptionValues.integer("--heads", heads, 1);
            int b = OptionValues.integer("--batch", batch, 1);
            int runs = OptionValues.integer("--repeat", repeat, 1);
            int warm = OptionValues.integer("--warmup", warmup, 0);
            List<String> methods = attentionIds("attention:bench", ids, 1);
            String backendId = backend.isBlank() ? null : backend.strip();
            String used = backendId != null ? backendId : activeBackend();

            int threads = Runtime.getRuntime().availableProcessors();
            double peak = PeakFlops.measure(threads, 100);
            TextTable table = new TextTable("METHOD", "N", "MEDIAN ms", "MIN ms", "GFLOP/s", "% PEAK")
                .alignRight(1, 2, 3, 4, 5);
            List<String> csvLines = new ArrayList<>(List.of("method,n,median_ms,min_ms,gflops,pct_peak"));
            BenchPlot chart = new BenchPlot();
            Map<Integer, RandomTensors> inputs = new HashMap<>();
            AttentionOptions options = AttentionOptions.builder().causal(causal).build();
            for (String id : methods) {
                for (int n : ns) {
                    RandomTensors in = inputs.computeIfAbsent(n, size -> RandomTensors.qkv(42, DType.FLOAT32, b, h, size, d));
                    AttentionCall call = new AttentionCall(in.q(), in.k(), in.v(), options, Map.of());
                    // at least --warmup runs and, in the shell, at least 0.3 s, so the first length is timed JIT-compiled
                    long warmStart = System.nanoTime();
                    for (int i = 0; i < warm || (warm > 0 && System.nanoTime() - warmStart < minWarmUpNanos); i++) {
                        attend(id, call, backendId);
                    }
                    double[] ms = new double[runs];
                    for (int i = 0; i < runs; i++) {
                        long t0 = System.nanoTime();
                        attend(id, call, backendId);
                        ms[i] = (System.nanoTime() - t0) / 1e6;
                    }
                    Arrays.sort(ms);
                    double median = runs % 2 == 1 ? ms[runs / 2] : (ms[runs / 2 - 1] + ms[runs / 2]) / 2;
                    double flop = 4.0 * b * h * (double) n * n * d * (causal ? 0.5 : 1.0);
                    String gflops = median > 0 ? fixed(flop / (median * 1e6), 1) : "inf";
                    String ofPeak = median > 0 ? fixed(100 * flop / (median * 1e6) / peak, 1) : "inf";
                    progress.accept("attention:bench " + id + " n=" + n + ": median " + fixed(median, 3) + " ms, min "
                        + fixed(ms[0], 3) + " ms, " + gflops + " GFLOP/s");
                    table.row(id, n, fixed(median, 3), fixed(ms[0], 3), gflops, ofPeak);
                    csvLines.add(id + "," + n + "," + fixed(median, 3) + "," + fixed(ms[0], 3) + "," + gflops + ","
                        + ofPeak);
                    chart.add(id, n, median);
                }
            }
            String heading = "backend " + used + ", batch " + b + ", heads " + h + ", d " + d
                + (causal ? ", causal" : ", non-causal") + ", f32, " + warm + " warm-up + " + runs
                + " timed runs; FLOP = 4*B*H*n^2*d" + (causal ? "/2" : "");
            String peakLine = "FMA peak " + fixed(peak, 1) + " GFLOP/s (" + threads + " threads, measured now)";
            if (!csv.isBlank()) {
                Path file = TensorFiles.resolve(csv.strip());
                java.nio.file.Files.write(file, csvLines);
            }
            if (!plot.isBlank()) {
                chart.write(TensorFiles.resolve(plot.strip()), "attention:bench, " + heading.substring(0,
                    heading.indexOf(';')) + " (median ms)");
            }
            return heading + "\n" + peakLine + "\n" + table;
        } catch (java.io.IOException | RuntimeException e) {
            throw CommandFailure.of("attention:bench", e);
        }
    }

    @Descriptor("run methods and/or backends on the same seeded random inputs; max abs and rel difference to the first")
    public String compare(
        @Descriptor("sequence length")
        @Parameter(names = {"-n", "--n"}, absentValue = "128") String size,
        @Descriptor("head dimension")
        @Parameter(names = {"-d", "--d"}, absentValue = "64") String dim,
        @Descriptor("number of heads")
        @Parameter(names = {"-h", "--heads"}, absentValue = "4") String heads,
        @Descriptor("batch size")
        @Parameter(names = {"-b", "--batch"}, absentValue = "1") String batch,
        @Descriptor("causal attention")
        @Parameter(names = {"-c", "--causal"}, presentValue = "true", absentValue = "false") boolean causal,
        @Descriptor("random seed of q, k, v")
        @Parameter(names = {"-s", "--seed"}, absentValue = "42") String seed,
        @Descriptor("backend ids, comma-separated: run each id on each (default: the one in use)")
        @Parameter(names = {"-B", "--backends"}, absentValue = "") String backends,
        @Descriptor("element type of the inputs: f32 or f64")
        @Parameter(names = {"-t", "--dtype"}, absentValue = "f32") String dtype,
        @Descriptor("ID ID...: attention method ids; the first run (first id on the first backend) is the reference")
        String... ids) {
        try {
            int n = OptionValues.integer("--n", size, 1);
            int d = OptionValues.integer("--d", dim, 1);
            int h = OptionValues.integer("--heads", heads, 1);
            int b = OptionValues.integer("--batch", batch, 1);
            long s = OptionValues.longInteger("--seed", seed);
            DType type = switch (dtype.strip().toLowerCase(Locale.ROOT)) {
                case "f32", "float32" -> DType.FLOAT32;
                case "f64", "float64" -> DType.FLOAT64;
                default -> throw new CommandFailure("--dtype: expected f32 or f64, got '" + dtype + "'");
            };
            List<String> methods = attentionIds("attention:compare", ids, 1);
            List<String> on = OptionValues.names(backends);
            if (methods.size() * Math.max(1, on.size()) < 2) {
                throw new CommandFailure("attention:compare: expected at least two ids, or one id with --backends naming "
                    + "two or more backends");
            }
            List<String> runOn = on.isEmpty() ? Collections.singletonList(null) : on;

            RandomTensors in = RandomTensors.qkv(s, type, b, h, n, d);
            AttentionCall call = new AttentionCall(in.q(), in.k(), in.v(), AttentionOptions.builder().causal(causal).build(),
                Map.of());
            TextTable table = new TextTable("RUN", "MAX ABS DIFF", "MAX REL DIFF").alignRight(1, 2);
            Tensor reference = null;
            for (String id : methods) {
                for (String backendId : runOn) {
                    Tensor result = attend(id, call, backendId);
                    String label = id + "@" + (backendId != null ? backendId : activeBackend());
                    if (reference == null) {
                        reference = result;
                        table.row(label, "reference", "");
                    } else if (!Arrays.equals(reference.shape(), result.shape())) {
                        table.row(label, "shape " + Tensor.format(result.shape()) + " differs from "
                            + Tensor.format(reference.shape()), "");
                    } else {
                        double[] diff = difference(result, reference);
                        table.row(label, scientific(diff[0]), scientific(diff[1]));
                    }
                }
            }
            return "q, k, v " + Tensor.format(new int[] {b, h, n, d}) + " " + type.shortName() + ", seed " + s
                + (causal ? ", causal" : ", non-causal") + "\n" + table + "\nrel = max|x - ref| / max|ref|";
        } catch (RuntimeException e) {
            throw CommandFailure.of("attention:compare", e);
        }
    }

    /** {max |x − ref|, max |x − ref| / max |ref|}; NaN anywhere gives NaN. */
    static double[] difference(Tensor x, Tensor ref) {
        double maxDiff = 0;
        double maxRef = 0;
        boolean nan = false;
        for (int i = 0, size = ref.size(); i < size; i++) {
            double r = ref.getFlat(i);
            double diff = Math.abs(x.getFlat(i) - r);
            nan |= Double.isNaN(diff);
            maxDiff = Math.max(maxDiff, diff);
            maxRef = Math.max(maxRef, Math.abs(r));
        }
        if (nan) {
            return new double[] {Double.NaN, Double.NaN};
        }
        return new double[] {maxDiff, maxRef > 0 ? maxDiff / maxRef : maxDiff == 0 ? 0 : Double.POSITIVE_INFINITY};
    }

    private Tensor rank4(String argument, String path) {
        return TensorFiles.read(argument, path).requireShape(argument + " (" + path + ")", "[batch, heads, seq, dim]",
            -1, -1, -1, -1);
    }

    /**
     * Runs one call, naming the argument at fault when the method or backend is missing.
     *
     * @param backendId a backend id, or null for the one in use
     */
    private Tensor attend(String id, AttentionCall call, String backendId) {
        try {
            return backendId == null ? registry.attend(id, call) : registry.attend(id, call, backendId);
        } catch (NoImplementationException e) {
            if (backendId != null && backendId.equals(e.id()) && !backendId.equals(id)) {
                throw new CommandFailure("--backend: " + e.getMessage() + " (backend:list shows the registered ones)", e);
            }
            if (id.equals(e.id())) {
                throw new CommandFailure("ID: " + e.getMessage() + " (attune:list --kind attention shows the installed ones)",
                    e);
            }
            throw e;
        }
    }

    /** The ids among {@code words}, each checked to name an installed attention method. */
    private List<String> attentionIds(String command, String[] words, int min) {
        List<String> ids = Positionals.split(words, Set.of(), "the options listed by help " + command).values();
        if (ids.size() < min) {
            throw new CommandFailure(command + ": expected at least " + min + " attention method id (attune:list --kind attention)");
        }
        for (String id : ids) {
            boolean known = registry.describe(id).stream().anyMatch(m -> m.kind() == MethodKind.ATTENTION);
            if (!known) {
                throw new CommandFailure("ID: no attention method '" + id
                    + "' is installed (attune:list --kind attention shows the installed ones)");
            }
        }
        return ids;
    }

    private String activeBackend() {
        return registry.backend().id();
    }

    private static String fixed(double x, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", x);
    }

    private static String scientific(double x) {
        return String.format(Locale.ROOT, "%.3e", x);
    }
}

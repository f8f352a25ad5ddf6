package org.attune.gpu;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.attune.api.backend.ComputeBackend;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code backend:gpu}: the GPU provider's device, driver and kernels, or why it registered no backend; with an
 * argument it also sets the attention arithmetic. {@code backend:gpubench}: times the attention kernel alone.
 * {@code backend:gpucheck}: the non-attention operations against the {@code java} backend ({@link OperationCheck}).
 */
@Component(service = GpuCommands.class)
@GogoCommand(scope = "backend", function = {"gpu", "gpubench", "gpucheck"})
public final class GpuCommands {
    /** The backend the non-attention operations are checked against. */
    static final String REFERENCE = "java";

    private final GpuProvider provider;
    private final BundleContext context;

    @Activate
    public GpuCommands(@Reference GpuProvider provider, BundleContext context) {
        this.provider = provider;
        this.context = context;
    }

    @Descriptor("show the gpu backend's device, CUDA driver, kernels, attention precision and matmul path, or why it "
        + "is absent")
    public String gpu() {
        GpuStatus s = provider.status();
        return s.describe() + provider.backend().map(b -> "\nattention precision: " + b.precision().id()
            + "\nmatmul on: " + (b.usesCublas() ? "cuBLAS" : "gemm_f32 kernel")).orElse("");
    }

    @Descriptor("set the gpu backend's attention arithmetic (fp32, or bf16/fp16 operands on tensor cores with fp32 "
        + "accumulation) or its matmul path (cublas when loaded, or kernel)")
    public String gpu(@Descriptor("fp32, bf16, fp16, cublas or kernel") String setting) {
        GpuBackend backend = provider.backend().orElseThrow(() -> new IllegalStateException(
            "backend:gpu: no gpu backend: " + provider.status().reason()));
        switch (setting.strip().toLowerCase(Locale.ROOT)) {
            case "cublas" -> backend.allowCublas(true);
            case "kernel" -> backend.allowCublas(false);
            default -> backend.precision(AttentionPrecision.parse(setting));
        }
        return gpu();
    }

    @Descriptor("time the gpu attention kernel alone on device-resident random inputs (no copies); "
        + "TFLOP/s = 4*B*H*n^2*d / median time")
    public String gpubench(
        @Descriptor("sequence lengths, comma-separated")
        @Parameter(names = {"-n", "--n"}, absentValue = "1024,2048,4096,8192,16384") String sizes,
        @Descriptor("head dimensions, comma-separated")
        @Parameter(names = {"-d", "--d"}, absentValue = "64,128") String dims,
        @Descriptor("batch size")
        @Parameter(names = {"-b", "--batch"}, absentValue = "4") String batch,
        @Descriptor("number of heads")
        @Parameter(names = {"-h", "--heads"}, absentValue = "16") String heads,
        @Descriptor("arithmetic: fp32, bf16 or fp16")
        @Parameter(names = {"-p", "--precision"}, absentValue = "bf16") String precision,
        @Descriptor("causal attention (counts half the FLOP)")
        @Parameter(names = {"-c", "--causal"}, presentValue = "true", absentValue = "false") boolean causal,
        @Descriptor("untimed launches per size")
        @Parameter(names = {"-w", "--warmup"}, absentValue = "3") String warmup,
        @Descriptor("timed launches per size")
        @Parameter(names = {"-r", "--repeat"}, absentValue = "10") String repeat) {
        CudaSession session = provider.session().orElseThrow(() -> new IllegalStateException(
            "backend:gpubench: no gpu backend: " + provider.status().reason()));
        AttentionPrecision p = AttentionPrecision.parse(precision);
        int b = positive("--batch", batch);
        int h = positive("--heads", heads);
        int w = Integer.parseInt(warmup.strip());
        int r = positive("--repeat", repeat);
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%-9s %5s %6s %11s %11s %9s%n", "PRECISION",
            "D", "N", "MEDIAN_MS", "MIN_MS", "TFLOPS"));
        for (int d : list("--d", dims)) {
            for (int n : list("--n", sizes)) {
                AttentionBenchmark m = AttentionBenchmark.measure(session, p, b, h, n, d, causal, w, r);
                table.append(String.format(Locale.ROOT, "%-9s %5d %6d %11.4f %11.4f %9.2f%n", p.id(), d, n, m.medianMs(),
                    m.minMs(), m.teraflops()));
            }
        }
        return "gpu attention kernel, batch " + b + ", heads " + h + (causal ? ", causal" : ", non-causal") + ", on "
            + provider.status().device() + "\n" + table;
    }

    @Descriptor("check the gpu backend's matmul, softmax, unary, binary and reduce against the java backend on random "
        + "inputs; prints each case's error and pass/FAIL")
    public String gpucheck() throws InvalidSyntaxException {
        GpuBackend gpu = provider.backend().orElseThrow(() -> new IllegalStateException(
            "backend:gpucheck: no gpu backend: " + provider.status().reason()));
        Collection<ServiceReference<ComputeBackend>> refs = context.getServiceReferences(ComputeBackend.class,
            "(" + ComputeBackend.ID + "=" + REFERENCE + ")");
        if (refs.isEmpty()) {
            throw new IllegalStateException("backend:gpucheck: no '" + REFERENCE + "' backend to compare with");
        }
        ServiceReference<ComputeBackend> ref = refs.iterator().next();
        ComputeBackend reference = context.getService(ref);
        try {
            String gemm = gpu.usesCublas() ? provider.status().gemm() : "the gemm_f32 kernel";
            return "gpucheck: matmul on " + gemm + "\n" + OperationCheck.format(OperationCheck.run(gpu, reference));
        } finally {
            context.ungetService(ref);
        }
    }

    private static int positive(String option, String text) {
        int v = Integer.parseInt(text.strip());
        if (v < 1) {
            throw new IllegalArgumentException(option + ": expected a positive integer, got " + text);
        }
        return v;
    }

    private static List<Integer> list(String option, String text) {
        List<Integer> values = new ArrayList<>();
        for (String s : text.split(",")) {
            values.add(positive(option, s));
        }
        return values;
    }
}

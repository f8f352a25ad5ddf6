package org.attune.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.backend.UnaryOp;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The FFM bindings, the provider's lifecycle and the kernel-argument marshalling against a fake libcuda (see
 * FakeCuda): what a GPU machine would run, short of executing the kernels.
 */
class FakeDriverTest {

    @Test
    void cuInitFailureIsReportedWithTheDriversErrorName() throws Throwable {
        try (FakeCuda fake = FakeCuda.withoutDevice()) {
            KernelImages images = KernelImages.bundled();
            Assumptions.assumeTrue(images.compiled(), images.reason());
            GpuUnavailableException e = assertThrows(GpuUnavailableException.class,
                () -> CudaSession.open(fake.path(), images, ""));
            assertTrue(e.getMessage().contains("CUDA_ERROR_NO_DEVICE"), e.getMessage());
            assertTrue(e.getMessage().contains("no CUDA-capable device is detected"), e.getMessage());
            assertEquals(0, fake.live());

            List<GpuProviderTest.Registered> log = new ArrayList<>();
            GpuProvider provider = new GpuProvider();
            provider.activate(GpuProviderTest.recordingContext(log), Map.of(GpuProvider.LIBRARY, fake.path()));
            assertEquals(1, log.size());
            assertTrue(((String) log.get(0).properties().get(GpuStatus.REASON)).contains("CUDA_ERROR_NO_DEVICE"));
            provider.deactivate();
        }
    }

    @Test
    void providerRegistersTheBackendAndReleasesEverythingOnStop() throws Throwable {
        try (FakeCuda fake = FakeCuda.withDevice()) {
            Assumptions.assumeTrue(KernelImages.bundled().compiled(), KernelImages.bundled().reason());
            List<GpuProviderTest.Registered> log = new ArrayList<>();
            GpuProvider provider = new GpuProvider();
            provider.activate(GpuProviderTest.recordingContext(log), Map.of(GpuProvider.LIBRARY, fake.path(),
                GpuProvider.CUBLAS, ""));

            assertEquals(List.of(ComputeBackend.class.getName(), GpuStatus.class.getName()),
                log.stream().map(GpuProviderTest.Registered::type).toList());
            GpuProviderTest.Registered backend = log.get(0);
            assertEquals("gpu", backend.properties().get(ComputeBackend.ID));
            assertEquals(200, backend.properties().get("service.ranking"));
            assertEquals("Fake H100 (sm_90, 132 SMs, 80.0 GiB, CUDA driver 13.0)",
                backend.properties().get(ComputeBackend.DEVICE));
            assertEquals(Boolean.TRUE, log.get(1).properties().get(GpuStatus.AVAILABLE));
            assertTrue(((String) log.get(1).properties().get(GpuStatus.GEMM)).startsWith("Attune gemm_f32 kernel"));
            assertEquals("attune_kernels.sm_90.cubin", log.get(1).properties().get(GpuStatus.KERNELS));
            assertTrue(fake.moduleBytes() > 0);
            assertEquals(3, fake.live(), "context, module and stream held while active");

            GpuBackend gpu = (GpuBackend) backend.service();
            Tensor x = Tensor.of(new float[] {1, -2, 3.5f, 0, 7, -8}, 2, 3);
            Tensor y = gpu.unary(UnaryOp.NEG, x, null);
            assertArrayEquals(new float[] {-1, 2, -3.5f, -0f, -7, 8}, y.toFloatArray());
            assertArrayEquals(new int[] {2, 3}, y.shape());
            Tensor sq = gpu.unary(UnaryOp.SQUARE, x.slice(1, 2), null);
            assertArrayEquals(new float[] {49, 64}, new float[] {sq.toFloatArray()[1], sq.toFloatArray()[2]});
            assertEquals(3, fake.live(), "a call frees its device memory");

            provider.deactivate();
            assertTrue(backend.unregistered()[0]);
            assertEquals(0, fake.live(), "stop releases the module, the stream and the context");
        }
    }

    @Test
    void attentionArgumentsReachTheKernelInItsParameterOrder() throws Throwable {
        try (FakeCuda fake = FakeCuda.withDevice()) {
            Assumptions.assumeTrue(KernelImages.bundled().compiled(), KernelImages.bundled().reason());
            List<GpuProviderTest.Registered> log = new ArrayList<>();
            GpuProvider provider = new GpuProvider();
            provider.activate(GpuProviderTest.recordingContext(log), Map.of(GpuProvider.LIBRARY, fake.path(),
                GpuProvider.CUBLAS, ""));
            GpuBackend gpu = (GpuBackend) log.get(0).service();
            try {
                Tensor q = Tensor.zeros(DType.FLOAT32, 2, 8, 100, 64);
                Tensor k = Tensor.zeros(DType.FLOAT32, 2, 2, 100, 64);
                Tensor v = Tensor.zeros(DType.FLOAT32, 2, 2, 100, 32);
                Tensor mask = Tensor.zeros(DType.BOOL, 2, 1, 100, 100);
                Tensor bias = Tensor.zeros(DType.FLOAT32, 1, 8, 1, 100);
                AttentionOptions o = AttentionOptions.builder().causal(true).mask(mask).bias(bias).build();
                Tensor out = gpu.attention(q, k, v, o, null);
                assertArrayEquals(new int[] {2, 8, 100, 32}, out.shape());
                assertEquals("attention_f32_d64", fake.lastKernel());
                assertArrayEquals(new int[] {
                    10000, 0, 100, 1,      // mask [2, 1, 100, 100] read over [B, Hq, Nq, Nk]
                    0, 100, 0, 1,          // bias [1, 8, 1, 100]
                    8, 4, 100, 100, 64, 32, // hq, group = 8 / 2, nq, nk, d, dv
                    1,                     // causal
                    16 * 1000 + 2},        // grid: 2·8 heads, ⌈100 / 64⌉ query tiles
                    fake.lastAttention());
                assertEquals(0.125f, fake.lastScale());

                gpu.precision(AttentionPrecision.BF16);
                gpu.attention(q, k, v, AttentionOptions.builder().scale(0.5).build(), null);
                assertEquals("attention_bf16_d64", fake.lastKernel());
                assertEquals(0.5f, fake.lastScale());
                assertEquals(3, fake.live());
            } finally {
                provider.deactivate();
            }
            assertEquals(0, fake.live());
        }
    }

    @Test
    void matmulOnCublasMatchesTheReferenceForEveryTransposeAndASharedOperand() throws Throwable {
        try (FakeCuda fake = FakeCuda.withDevice()) {
            Assumptions.assumeTrue(KernelImages.bundled().compiled(), KernelImages.bundled().reason());
            String cublas = FakeCuda.cublasPath();
            List<GpuProviderTest.Registered> log = new ArrayList<>();
            GpuProvider provider = new GpuProvider();
            provider.activate(GpuProviderTest.recordingContext(log), Map.of(GpuProvider.LIBRARY, fake.path(),
                GpuProvider.CUBLAS, "libcublas-not-here.so.13, " + cublas));
            try {
                assertEquals("cuBLAS 13.0.2 (" + cublas + ")", log.get(1).properties().get(GpuStatus.GEMM));
                GpuBackend gpu = (GpuBackend) log.get(0).service();
                ComputeBackend reference = new org.attune.backend.java.JavaBackend();
                java.util.SplittableRandom random = new java.util.SplittableRandom(7);
                for (boolean ta : new boolean[] {false, true}) {
                    for (boolean tb : new boolean[] {false, true}) {
                        Tensor a = random(random, ta ? new int[] {2, 5, 3} : new int[] {2, 3, 5});
                        Tensor b = random(random, tb ? new int[] {2, 4, 5} : new int[] {2, 5, 4});
                        assertClose(reference.matmul(a, b, ta, tb, null), gpu.matmul(a, b, ta, tb, null));
                    }
                }
                Tensor a = random(random, 3, 2, 6);
                Tensor shared = random(random, 6, 7);
                assertClose(reference.matmul(a, shared, false, false, null), gpu.matmul(a, shared, false, false, null));
                assertTrue(gpu.usesCublas());
                gpu.allowCublas(false);
                gpu.matmul(a, shared, false, false, null);
                assertEquals("gemm_f32", fake.lastKernel(), "backend:gpu kernel keeps matmul on the own kernel");
                assertEquals(3, fake.live());
            } finally {
                provider.deactivate();
            }
            assertEquals(0, fake.live());
        }
    }

    private static Tensor random(java.util.SplittableRandom random, int... shape) {
        Tensor t = Tensor.zeros(DType.FLOAT32, shape);
        for (int i = 0; i < t.size(); i++) {
            t.setFlat(i, random.nextDouble(-1, 1));
        }
        return t;
    }

    private static void assertClose(Tensor want, Tensor got) {
        assertArrayEquals(want.shape(), got.shape());
        for (int i = 0; i < want.size(); i++) {
            assertEquals(want.getFlat(i), got.getFlat(i), 1e-6, "element " + i);
        }
    }
}

package org.attune.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;

import org.attune.api.backend.ComputeBackend;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/** Without a usable CUDA driver the provider registers no backend, only its status, which says why. */
class GpuProviderTest {
    private static final String MISSING = "libcuda-attune-missing.so.1";

    /** A service registration as the fake BundleContext saw it. */
    record Registered(String type, Object service, Dictionary<String, ?> properties, boolean[] unregistered) {
    }

    /** A BundleContext that records registerService(Class, Object, Dictionary) and refuses everything else. */
    static BundleContext recordingContext(List<Registered> log) {
        return (BundleContext) Proxy.newProxyInstance(BundleContext.class.getClassLoader(),
            new Class<?>[] {BundleContext.class}, (proxy, method, args) -> {
                if (method.getName().equals("registerService") && args[0] instanceof Class<?> type) {
                    boolean[] gone = {false};
                    @SuppressWarnings("unchecked")
                    Registered r = new Registered(type.getName(), args[1], (Dictionary<String, ?>) args[2], gone);
                    log.add(r);
                    return Proxy.newProxyInstance(ServiceRegistration.class.getClassLoader(),
                        new Class<?>[] {ServiceRegistration.class}, (p, m, a) -> {
                            if (m.getName().equals("unregister")) {
                                gone[0] = true;
                                return null;
                            }
                            throw new UnsupportedOperationException(m.getName());
                        });
                }
                throw new UnsupportedOperationException(method.getName());
            });
    }

    @Test
    void missingDriverLibraryFailsCleanlyWithTheReason() {
        GpuUnavailableException e = assertThrows(GpuUnavailableException.class, () -> CudaDriver.load(MISSING));
        assertTrue(e.getMessage().contains(MISSING), e.getMessage());
        assertTrue(e.getMessage().contains("cannot be loaded"), e.getMessage());
    }

    @Test
    void sessionWithoutDriverReportsWhyAndHoldsNothing() {
        KernelImages images = KernelImages.bundled();
        GpuUnavailableException e = assertThrows(GpuUnavailableException.class,
            () -> CudaSession.open(MISSING, images, Cublas.LIBRARIES));
        assertFalse(e.getMessage().isBlank());
    }

    @Test
    void providerWithoutDeviceRegistersOnlyItsStatusAndSaysWhy() {
        List<Registered> log = new ArrayList<>();
        GpuProvider provider = new GpuProvider();
        provider.activate(recordingContext(log), Map.of(GpuProvider.LIBRARY, MISSING));

        assertEquals(1, log.size(), "registrations " + log);
        Registered status = log.get(0);
        assertEquals(GpuStatus.class.getName(), status.type());
        assertTrue(log.stream().noneMatch(r -> r.type().equals(ComputeBackend.class.getName())));
        assertEquals(Boolean.FALSE, status.properties().get(GpuStatus.AVAILABLE));
        String reason = (String) status.properties().get(GpuStatus.REASON);
        assertFalse(reason.isBlank());
        assertFalse(provider.status().available());
        assertTrue(provider.backend().isEmpty());
        assertTrue(new GpuCommands(provider, null).gpu().contains("not registered"), new GpuCommands(provider, null).gpu());

        provider.deactivate();
        assertTrue(status.unregistered()[0], "status unregistered on deactivate");
        assertThrows(IllegalStateException.class, () -> new GpuCommands(provider, null).gpu("bf16"));
    }

    @Test
    void defaultDriverLibraryEitherOpensOrSaysWhy() {
        KernelImages images = KernelImages.bundled();
        try (CudaSession s = CudaSession.open(CudaDriver.LIBRARY, images, "")) {
            Assumptions.abort("a CUDA device is present here: " + s.device().describe());
        } catch (GpuUnavailableException e) {
            assertFalse(e.getMessage().isBlank());
        }
    }

    @Test
    void backendPropertiesRankAboveTheCpuBackend() {
        GpuStatus s = new GpuStatus(true, "NVIDIA H100 (sm_90)", "13.0", "attune_kernels.sm_90.cubin", "CUDA 13.0",
            "cuBLAS 13.0.2 (libcublas.so.13)", "");
        Dictionary<String, Object> p = GpuProvider.backendProperties(s);
        assertEquals("gpu", p.get(ComputeBackend.ID));
        assertEquals(200, p.get("service.ranking"));
        assertTrue((Integer) p.get("service.ranking") > 100);
        assertEquals("NVIDIA H100 (sm_90)", p.get(ComputeBackend.DEVICE));
    }
}

package org.attune.gpu;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.Optional;

import org.attune.api.backend.ComputeBackend;
import org.attune.api.backend.Operation;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * Registers the {@code gpu} {@link ComputeBackend} (service.ranking {@value #RANKING}, above the CPU backend's
 * 100) when a CUDA device and the bundle's kernels can be used, and nothing otherwise. Either way it registers its
 * {@link GpuStatus} (with properties) and logs what it found, so that an absent backend says why.
 *
 * <p>Component properties (configurable through Configuration Admin, PID {@code org.attune.gpu.GpuProvider}):
 * {@code library} (default {@code libcuda.so.1}) names the driver library; {@code cublas} (default
 * {@code libcublas.so.13,libcublas.so.12,libcublas.so}; empty disables) lists the cuBLAS libraries matmul may use,
 * names or paths. Deactivation
 * (bundle stop) unregisters the backend, then waits for calls in flight, unloads the kernel module and releases the
 * device context; device memory never outlives a call.
 */
@Component(service = GpuProvider.class, immediate = true, property = {GpuProvider.LIBRARY + "=" + CudaDriver.LIBRARY,
    GpuProvider.CUBLAS + "=" + Cublas.LIBRARIES})
public final class GpuProvider {
    /** Component property: the CUDA driver library to load. */
    static final String LIBRARY = "library";
    /** Component property: the cuBLAS libraries matmul may use, comma-separated; empty for none. */
    static final String CUBLAS = "cublas";
    /** service.ranking of the backend. */
    static final int RANKING = 200;
    private static final System.Logger LOG = System.getLogger(GpuProvider.class.getName());

    private volatile CudaSession session;
    private volatile GpuBackend backend;
    private ServiceRegistration<ComputeBackend> backendRegistration;
    private ServiceRegistration<GpuStatus> statusRegistration;
    private volatile GpuStatus status = GpuStatus.absent("not started", "none");

    @Activate
    void activate(BundleContext context, Map<String, Object> properties) {
        String library = String.valueOf(properties.getOrDefault(LIBRARY, CudaDriver.LIBRARY));
        KernelImages images = KernelImages.bundled();
        try {
            String cublas = String.valueOf(properties.getOrDefault(CUBLAS, Cublas.LIBRARIES));
            session = CudaSession.open(library, images, cublas);
            backend = new GpuBackend(session);
            status = GpuStatus.of(session.device(), session.image(), images.compiler(), session.gemm());
            backendRegistration = context.registerService(ComputeBackend.class, backend, backendProperties(status));
            LOG.log(System.Logger.Level.INFO, "gpu backend registered: {0}, kernels {1}, matmul on {2}",
                status.device(), status.kernels(), status.gemm());
        } catch (GpuUnavailableException e) {
            status = GpuStatus.absent(e.getMessage(), images.compiler());
            LOG.log(System.Logger.Level.INFO, "no gpu backend: {0}", e.getMessage());
        }
        statusRegistration = context.registerService(GpuStatus.class, status, status.properties());
    }

    static Dictionary<String, Object> backendProperties(GpuStatus status) {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put(ComputeBackend.ID, GpuBackend.BACKEND_ID);
        p.put(ComputeBackend.NAME, "CUDA (FFM driver API, Attune kernels)");
        p.put(ComputeBackend.DEVICE, status.device());
        p.put(ComputeBackend.OPERATIONS, GpuBackend.OPERATIONS.stream().map(Operation::id).toArray(String[]::new));
        p.put(ComputeBackend.DTYPES, new String[] {"f32"});
        p.put(Constants.SERVICE_RANKING, RANKING);
        return p;
    }

    @Deactivate
    void deactivate() {
        unregister(backendRegistration);
        unregister(statusRegistration);
        backendRegistration = null;
        statusRegistration = null;
        if (session != null) {
            session.close();
            session = null;
        }
        backend = null;
        status = GpuStatus.absent("the gpu provider has stopped", status.compiler());
    }

    private static void unregister(ServiceRegistration<?> r) {
        if (r != null) {
            try {
                r.unregister();
            } catch (IllegalStateException e) {
                // already unregistered by the framework as the bundle stops
            }
        }
    }

    /** What was found at activation. */
    GpuStatus status() {
        return status;
    }

    /** The backend, when a device is in use. */
    Optional<GpuBackend> backend() {
        return Optional.ofNullable(backend);
    }

    /** The session, when a device is in use. */
    Optional<CudaSession> session() {
        return Optional.ofNullable(session);
    }
}

package org.attune.backend.cpu;

import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Objects;

import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.AttentionResult;
import org.attune.api.backend.BinaryOp;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.backend.Operation;
import org.attune.api.backend.Reduction;
import org.attune.api.backend.Support;
import org.attune.api.backend.UnaryOp;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * The CPU {@link ComputeBackend} on Nd4j and OpenBLAS, for float32 and float64; any other element type is declined.
 *
 * <p>Attention runs in the fused, tiled {@link FlashAttentionKernel} (Java Vector API, no [Nq, Nk] matrix, every
 * option of {@link AttentionOptions}, and the log-sum-exp). Matrix products and softmax run in Nd4j (OpenBLAS gemm
 * and libnd4j's softmax) on off-heap copies of the inputs, into preallocated Nd4j outputs; the composite Nd4j
 * attention ({@link ScaledDotProductAttention}: gemm, softmax, gemm) stays for comparison. Elementwise functions of one tensor run in
 * libnd4j's transform loops. Binary elementwise operations, reductions, gather and scatter-add are single passes over
 * memory and run in Java on the tensors' arrays, where an off-heap round trip would cost more than the work.
 *
 * <p>Thread-safe: no state is shared between calls; every call makes and frees its own off-heap arrays.
 *
 * <p>An immediate Declarative Services component that registers itself as the {@link ComputeBackend} service when
 * activated, rather than a DS-declared service: {@link #DEVICE} names the processor count and the instruction-set
 * level of the loaded Nd4j binary, which are known only at run time, while DS service properties are fixed at build
 * time. DS still owns the life cycle (the registration ends at deactivation), and the {@code osgi.service}
 * capability below tells resolvers that this bundle provides the service.
 */
@Component(service = {}, immediate = true)
@Capability(namespace = "osgi.service",
    attribute = "objectClass:List<String>=\"org.attune.api.backend.ComputeBackend\"",
    uses = ComputeBackend.class)
public final class Nd4jCpuBackend implements ComputeBackend {
    /** The backend id, {@value}. */
    public static final String BACKEND_ID = "cpu";
    /** The backend's readable name, {@value}. */
    public static final String BACKEND_NAME = "Nd4j CPU (OpenBLAS)";
    /** {@code service.ranking} of the registration: preferred over the pure-Java reference backend. */
    public static final int RANKING = 100;

    private final KernelWorkers workers = KernelWorkers.perProcessor();
    private ServiceRegistration<ComputeBackend> registration;

    /** Registers this backend with the service properties of {@link #serviceProperties()}. */
    @Activate
    void activate(BundleContext context) {
        registration = context.registerService(ComputeBackend.class, this, serviceProperties());
    }

    /** Withdraws the service and stops the attention kernel's threads. */
    @Deactivate
    void deactivate() {
        ServiceRegistration<ComputeBackend> r = registration;
        registration = null;
        if (r != null) {
            r.unregister();
        }
        workers.close();
    }

    /**
     * The service properties: {@link #ID}, {@link #NAME}, {@link #DEVICE} (e.g.
     * {@code CPU, 2 cores, Nd4j 1.0.0-M2.1 AVX512}), {@link #OPERATIONS} (every {@link Operation}), {@link #DTYPES}
     * {@code {f32, f64}} and {@code service.ranking} {@value #RANKING}.
     */
    public static Dictionary<String, Object> serviceProperties() {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put(ID, BACKEND_ID);
        p.put(NAME, BACKEND_NAME);
        p.put(DEVICE, CpuDevice.describe());
        p.put(OPERATIONS, Arrays.stream(Operation.values()).map(Operation::id).toArray(String[]::new));
        p.put(DTYPES, new String[] {DType.FLOAT32.shortName(), DType.FLOAT64.shortName()});
        p.put(Constants.SERVICE_RANKING, RANKING);
        return p;
    }

    @Override
    public String id() {
        return BACKEND_ID;
    }

    @Override
    public Support supports(Operation op, DType dtype) {
        Objects.requireNonNull(op, "op");
        if (dtype == DType.FLOAT32 || dtype == DType.FLOAT64) {
            return Support.yes();
        }
        return Support.no("the Nd4j CPU backend computes float32 and float64 only, not " + dtype.shortName());
    }

    @Override
    public Tensor matmul(Tensor a, Tensor b, boolean transposeA, boolean transposeB, Tensor out) {
        require(Operation.MATMUL, a, "a");
        Objects.requireNonNull(b, "b");
        return BatchedMatmul.compute(a, b, transposeA, transposeB, out);
    }

    @Override
    public Tensor softmax(Tensor x, int axis, Tensor mask, Tensor out) {
        require(Operation.SOFTMAX, x, "x");
        return MaskedSoftmax.compute(x, axis, mask, out);
    }

    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, AttentionOptions options, Tensor out) {
        Objects.requireNonNull(q, "q");
        Objects.requireNonNull(k, "k");
        Objects.requireNonNull(v, "v");
        return FlashAttentionKernel.compute(q, k, v, options == null ? AttentionOptions.defaults() : options, out,
            workers);
    }

    @Override
    public AttentionResult attentionWithLse(Tensor q, Tensor k, Tensor v, AttentionOptions options, Tensor out) {
        Objects.requireNonNull(q, "q");
        Objects.requireNonNull(k, "k");
        Objects.requireNonNull(v, "v");
        return FlashAttentionKernel.computeWithLse(q, k, v, options == null ? AttentionOptions.defaults() : options,
            out, workers);
    }

    @Override
    public Tensor unary(UnaryOp op, Tensor x, Tensor out) {
        Objects.requireNonNull(op, "op");
        require(Operation.UNARY, x, "x");
        return ElementwiseUnary.compute(op, x, out);
    }

    @Override
    public Tensor binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        Objects.requireNonNull(op, "op");
        require(Operation.BINARY, a, "a");
        Objects.requireNonNull(b, "b");
        return ElementwiseBinary.compute(op, a, b, out);
    }

    @Override
    public Tensor reduce(Reduction r, Tensor x, int axis, boolean keepDim) {
        Objects.requireNonNull(r, "r");
        require(Operation.REDUCE, x, "x");
        return AxisReduction.compute(r, x, axis, keepDim);
    }

    @Override
    public Tensor gather(Tensor x, Tensor index) {
        require(Operation.GATHER, x, "x");
        Objects.requireNonNull(index, "index");
        return RowIndexing.gather(x, index);
    }

    @Override
    public Tensor scatterAdd(Tensor src, Tensor index, int size) {
        require(Operation.SCATTER_ADD, src, "src");
        Objects.requireNonNull(index, "index");
        return RowIndexing.scatterAdd(src, index, size);
    }

    /** Declines {@code op} unless {@code t}'s element type is supported. */
    private void require(Operation op, Tensor t, String argument) {
        Objects.requireNonNull(t, argument);
        supports(op, t.dtype()).orThrow(BACKEND_ID, op.id() + " on " + t.dtype().shortName());
    }

    @Override
    public String toString() {
        return "Nd4jCpuBackend[" + BACKEND_ID + "]";
    }
}

package org.attune.api.backend;

import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The heavy tensor operations that plug-ins call. Implemented by backends (CPU on Nd4j, pure-Java
 * reference, GPU), registered as OSGi services with the properties below; plug-ins receive the backend
 * chosen by the registry with each call and never look one up themselves.
 *
 * <p>Contract for every operation:
 * <ul>
 * <li>Inputs are not modified. Where an {@code out} parameter is given it must have the result's shape and
 * the inputs' element type, and the result is written into it and returned; {@code null} allocates.</li>
 * <li>Inputs of one call share one floating element type (float32 or float64); the result has that type.
 * float32 work may accumulate in float32 or wider; float64 work accumulates in float64.</li>
 * <li>Bad shapes throw {@link org.attune.api.tensor.InvalidInputException} naming the argument.</li>
 * <li>An unsupported operation, element type or option throws {@link BackendDeclinedException} with the
 * reason; {@link #supports} answers the same question without calling.</li>
 * <li>Implementations are thread-safe.</li>
 * </ul>
 */
@ProviderType
public interface ComputeBackend {
    /** Service property (String): short id of the backend, e.g. {@code cpu}. */
    String ID = "attune.backend.id";
    /** Service property (String): human-readable name. */
    String NAME = "attune.backend.name";
    /** Service property (String): the device it computes on, e.g. {@code CPU (2 cores, AVX512)}. */
    String DEVICE = "attune.backend.device";
    /** Service property (String[]): ids of the supported {@link Operation}s. */
    String OPERATIONS = "attune.backend.operations";
    /** Service property (String[]): short names of the supported element types, e.g. {@code f32}, {@code f64}. */
    String DTYPES = "attune.backend.dtypes";
    /**
     * Service property (String) of a status service that a backend provider registers when it cannot register its
     * backend (e.g. no GPU): the id of the missing backend. Shells list such services with the filter
     * {@code (attune.backend.unavailable=*)}, whatever their object class.
     */
    String UNAVAILABLE = "attune.backend.unavailable";
    /** Service property (String) beside {@link #UNAVAILABLE}: why the backend is not registered. */
    String UNAVAILABLE_REASON = "attune.backend.unavailable.reason";

    /** The id, equal to the {@link #ID} service property. */
    String id();

    /** Whether this backend runs {@code op} on {@code dtype}; if not, why. */
    Support supports(Operation op, DType dtype);

    /**
     * Batched matrix product {@code out[..., m, n] = Σ_k op(a)[..., m, k] · op(b)[..., k, n]}, where op
     * transposes the last two axes when the flag is set. {@code a} has rank ≥ 2; {@code b} has the same leading
     * (batch) axes as {@code a}, or rank 2 to share one matrix across the batch.
     */
    Tensor matmul(Tensor a, Tensor b, boolean transposeA, boolean transposeB, Tensor out);

    /**
     * Softmax along {@code axis}: {@code out_i = exp(x_i − max) / Σ_j exp(x_j − max)} over the entries whose
     * mask is true. {@code mask} is boolean, broadcastable to {@code x}, or {@code null}; masked entries get 0
     * and a fully masked row is all zeros.
     */
    Tensor softmax(Tensor x, int axis, Tensor mask, Tensor out);

    /**
     * Scaled dot-product attention.
     * <pre>
     *   out[b,h,i,:] = Σ_j softmax_j( scale · q[b,h,i,:]·k[b,g,j,:] + bias[b,h,i,j] | mask[b,h,i,j] ) · v[b,g,j,:]
     *   g = h / (Hq / Hkv)   (grouped-query sharing)
     * </pre>
     * q [B, Hq, Nq, D], k [B, Hkv, Nk, D], v [B, Hkv, Nk, Dv] with Hkv dividing Hq; returns [B, Hq, Nq, Dv].
     * See {@link AttentionOptions} for scale, causal, mask and bias, and for fully masked rows.
     */
    Tensor attention(Tensor q, Tensor k, Tensor v, AttentionOptions options, Tensor out);

    /**
     * {@link #attention} that also returns the natural log-sum-exp of each query row's logits,
     * {@code lse[b,h,i] = log(e^{sink_h} + Σ_{j allowed} e^{S[b,h,i,j]})} (−∞ for a row with no allowed key and
     * no sink), shape [B, Hq, Nq], in the inputs' element type. The default declines: a backend that computes the
     * log-sum-exp overrides it.
     *
     * @since 1.1
     */
    default AttentionResult attentionWithLse(Tensor q, Tensor k, Tensor v, AttentionOptions options, Tensor out) {
        throw new BackendDeclinedException(id(), Operation.ATTENTION.id(), "this backend does not return the log-sum-exp");
    }

    /** Elementwise {@code op(x)}. */
    Tensor unary(UnaryOp op, Tensor x, Tensor out);

    /** Elementwise {@code op(a, b)} with NumPy broadcasting; the result has the broadcast shape. */
    Tensor binary(BinaryOp op, Tensor a, Tensor b, Tensor out);

    /** Reduction along {@code axis}; the axis is kept with size 1 when {@code keepDim}. */
    Tensor reduce(Reduction r, Tensor x, int axis, boolean keepDim);

    /**
     * Gathers rows: {@code out[i, ...] = x[index[i], ...]}; {@code index} is an int64 vector with entries in
     * [0, x.dim(0)).
     */
    Tensor gather(Tensor x, Tensor index);

    /**
     * Scatter-add, also known as segment sum: {@code out[index[i], ...] += src[i, ...]} into a zero tensor of
     * {@code size} rows; {@code index} is an int64 vector with one entry per row of {@code src}, in [0, size).
     */
    Tensor scatterAdd(Tensor src, Tensor index, int size);
}

package org.attune.api.registry;

import java.util.List;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.backend.Operation;
import org.attune.api.diagnostics.Diagnostic;
import org.attune.api.equivariance.EquivariantMethod;
import org.attune.api.equivariance.SymmetryGroup;
import org.attune.api.method.MethodDescriptor;
import org.attune.api.method.MethodKind;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Finds method implementations and compute backends, follows them as they come and go, and explains its
 * choices.
 *
 * <p><b>Choice of implementation.</b> Among the services of one kind with one id, the one with the highest
 * {@code service.ranking}, then the lowest {@code service.id} (the oldest), serves calls.
 *
 * <p><b>Choice of backend.</b> The backend selected with {@link #useBackend(String)}, or else the
 * highest-ranked one that supports the call's operation and element type ({@link #backendFor}). Once chosen,
 * a call is never retried on another backend: a backend that declines raises
 * {@link org.attune.api.backend.BackendDeclinedException} with its reason.
 *
 * <p><b>Updates.</b> A call that finds no implementation while the bundle that provided it is being updated
 * or restarted waits for it to come back, up to a grace period (the framework property
 * {@code attune.registry.grace.ms}, default 5000); once that bundle is uninstalled, or if the id was never
 * provided, the call fails at once with {@link NoImplementationException}. Calls in flight finish on the
 * implementation they started on.
 */
@ProviderType
public interface MethodRegistry {
    /** Descriptors of the registered methods, optionally filtered (null = any), sorted by kind, family, id. */
    List<MethodDescriptor> methods(MethodKind kind, String family);

    /** Descriptors of the chosen implementations with this id, one per kind that has it; empty if none. */
    List<MethodDescriptor> describe(String id);

    /** The chosen attention implementation for {@code id}. */
    AttentionMechanism attention(String id);

    /** The chosen positional encoding for {@code id}. */
    PositionalEncoding positionalEncoding(String id);

    /** The chosen equivariant method for {@code id}. */
    EquivariantMethod equivariant(String id);

    /** The chosen diagnostic for {@code id}. */
    Diagnostic diagnostic(String id);

    /** The symmetry group with this {@link SymmetryGroup#ID}. */
    SymmetryGroup group(String id);

    /**
     * The ids ({@link SymmetryGroup#ID}) of the registered symmetry groups, sorted; empty when none is installed.
     *
     * @since 1.1
     */
    List<String> groups();

    /**
     * Runs attention method {@code id} on {@link #backendFor backendFor(ATTENTION, q's dtype)}. Parameters not declared by the method's
     * {@code options} are rejected with an {@link org.attune.api.tensor.InvalidInputException}.
     */
    Tensor attend(String id, AttentionCall call);

    /** Runs attention method {@code id} on the named backend. */
    Tensor attend(String id, AttentionCall call, String backendId);

    /** All registered backends, best first. */
    List<BackendInfo> backends();

    /** The backend calls go to now. */
    ComputeBackend backend();

    /** The backend with this id. */
    ComputeBackend backend(String id);

    /**
     * The backend for an operation on an element type, chosen by capability and ranking: the backend selected
     * with {@link #useBackend(String)} if it supports the operation, else (in {@code auto} mode) the
     * highest-ranked backend whose {@link ComputeBackend#supports} accepts it.
     *
     * @throws org.attune.api.backend.BackendDeclinedException when the selected backend, or every backend,
     *         declines, with each one's reason
     */
    ComputeBackend backendFor(Operation op, DType dtype);

    /**
     * Selects the backend for later calls; {@code auto} returns to the highest-ranked one. Calls in flight
     * finish on the backend they started on.
     *
     * @throws NoImplementationException when no backend has this id
     */
    void useBackend(String id);

    /** Every candidate for a method or backend id, with the reason it was or was not chosen. */
    List<Choice> explain(String id);
}

package org.attune.equivariance.graph;

import java.util.Arrays;

import org.attune.api.backend.BinaryOp;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.backend.Reduction;
import org.attune.api.backend.UnaryOp;
import org.attune.api.equivariance.EquivarianceMethod;
import org.attune.api.equivariance.EquivariantMethod;
import org.attune.api.equivariance.GeometricInput;
import org.attune.api.equivariance.GeometricOutput;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Value iteration by E(2)-invariant message passing on a geometric graph, the planning core of Zhao, Li, Padir,
 * Jiang and Wong, "E(2)-Equivariant Graph Planning for Navigation", arXiv:2309.13043 (RA-L 2024), as the authors'
 * code runs it (linfeng-z/DiffPlan, {@code diffplan/models_graph/Sym-MP-VIN.py},
 * {@code MPPlanningNetwork._value_iterate}: V⁰ = 0, then Q from a message-passing layer reading the relative
 * position and the values, V = the max of Q), here with max aggregation over the edges (their {@code mp_agg=max})
 * and a one-channel Q, and with their embedding, reward and update MLPs folded into the one message ψ:
 * <pre>
 *   q_ij^k   = ψ(‖p_j − p_i‖, h_i, h_j, V_j^k)             for each edge j → i (from i the agent can move to j)
 *   V_i^{k+1} = max_{j → i} q_ij^k,   V⁰ = 0,   k = 0 … K−1
 *   ψ(·) = W₂ ReLU(W₁ [‖p_j − p_i‖; h_i; h_j; V_j] + b₁) + b₂                (see {@link PlannerWeights})
 * </pre>
 * With ψ = R_j − c‖p_j − p_i‖ + γ V_j (hand-set weights, R_j = h_j) it is exact value iteration for the
 * deterministic MDP whose actions at i are the edges leaving i, each costing c per unit length and paying the
 * reward of the node entered: V_i ← max_j (R_j − c·d_ij + γ V_j). Invariance: ψ reads the relative position
 * p_j − p_i only through its norm, the complete invariant of one vector under O(2) (and O(n)), so V is unchanged
 * by every rotation, reflection and translation of the nodes; relabelling the nodes relabels V. This is the
 * trivial-fibre (scalar) instance of the paper's steerable messages; its C_N-regular fibres for action values,
 * the policy head and the multi-camera lifting layer are not part of this method.
 *
 * <p>coords [N, d], feats [N, C] invariant node features (rewards, goal and obstacle flags), edges int64 [2, E]
 * (row 0 = source j, row 1 = target i; every node needs an edge into it, no edge twice; null = all ordered pairs
 * i ≠ j) → feats [N, 1]: V^K; no coords. Inputs not modified. Options: {@code iterations} K (default 10),
 * {@code hidden} H (16).
 */
@Component(service = EquivariantMethod.class)
@EquivarianceMethod(id = "e2-graph-planner", name = "E(2)-equivariant graph planner", family = "graph",
    paper = "E(2)-Equivariant Graph Planning for Navigation", arxiv = "2309.13043", year = 2024, cost = "O(K·E·H)",
    options = {"iterations=value-iteration steps K (default 10)", "hidden=hidden ReLU units of the message ψ (default 16)"},
    symmetries = {"E(2)", "E(3)", "permutation:nodes"})
public final class EquivariantGraphPlanner implements EquivariantMethod {
    @Override
    public GeometricOutput apply(GeometricInput in, ComputeBackend backend) {
        Tensor x = in.coords();
        Tensor h = in.feats();
        if (x == null || x.rank() != 2 || !x.dtype().isFloating()) {
            throw new InvalidInputException("coords", "expected floating [nodes, dim], got " + describe(x));
        }
        int n = x.dim(0);
        if (h == null || h.rank() != 2 || h.dim(0) != n || h.dtype() != x.dtype()) {
            throw new InvalidInputException("feats", "expected " + x.dtype().shortName() + " [" + n + ", channels], got "
                + describe(h));
        }
        int iterations = in.parameters().integer("iterations", 10, 0);
        int hidden = in.parameters().integer("hidden", 16, 1);
        GraphEdges edges = GraphEdges.of(in.edges(), n);
        return new GeometricOutput(null, values(backend, x, h, edges, PlannerWeights.init(in.seed(), h.dim(1), hidden),
            iterations));
    }

    /** V^K [N, 1] for the given message weights. */
    static Tensor values(ComputeBackend backend, Tensor x, Tensor h, GraphEdges edges, PlannerWeights w, int iterations) {
        int n = x.dim(0);
        DType dtype = x.dtype();
        Tensor actions = actionMask(edges, n).to(dtype);
        Tensor diff = backend.binary(BinaryOp.SUB, backend.gather(x, edges.source()), backend.gather(x, edges.target()), null);
        Tensor dist = backend.unary(UnaryOp.SQRT, backend.reduce(Reduction.SUM,
            backend.binary(BinaryOp.MUL, diff, diff, null), 1, true), null);
        // the part of ψ's first layer that does not depend on V
        Tensor fixed = add(backend, add(backend, w.distance().apply(backend, dist),
            w.target().apply(backend, backend.gather(h, edges.target()))), w.source().apply(backend, backend.gather(h, edges.source())));
        long[] cell = new long[edges.count()];
        for (int e = 0; e < cell.length; e++) {
            cell[e] = (long) edges.target().getFlat(e) * n + (long) edges.source().getFlat(e);
        }
        Tensor cells = Tensor.of(cell, cell.length);
        Tensor v = Tensor.zeros(dtype, n, 1);
        for (int k = 0; k < iterations; k++) {
            Tensor z = add(backend, fixed, w.value().apply(backend, backend.gather(v, edges.source())));
            Tensor q = w.output().apply(backend, backend.unary(UnaryOp.RELU, z, null));
            // q_ij in cell (i, j) of an N×N table, −∞ where no edge j → i, then the max over each row
            Tensor table = add(backend, backend.scatterAdd(q, cells, n * n).reshape(n, n), actions);
            v = backend.reduce(Reduction.MAX, table, 1, true);
        }
        return v;
    }

    /** 0 in cell (i, j) for each edge j → i, −∞ elsewhere; rejects nodes without an edge into them and repeated edges. */
    private static Tensor actionMask(GraphEdges edges, int n) {
        Tensor mask = Tensor.zeros(DType.FLOAT64, n, n);
        Arrays.fill(mask.doubleData(), Double.NEGATIVE_INFINITY);
        for (int e = 0; e < edges.count(); e++) {
            int i = (int) edges.target().getFlat(e);
            int j = (int) edges.source().getFlat(e);
            if (mask.get(i, j) == 0) {
                throw new InvalidInputException("edges", "edge " + j + " → " + i + " is listed twice");
            }
            mask.set(0, i, j);
        }
        for (int i = 0; i < n; i++) {
            boolean any = false;
            for (int j = 0; j < n && !any; j++) {
                any = mask.get(i, j) == 0;
            }
            if (!any) {
                throw new InvalidInputException("edges", "node " + i + " has no edge into it, so no action to take");
            }
        }
        return mask;
    }

    private static Tensor add(ComputeBackend backend, Tensor a, Tensor b) {
        return backend.binary(BinaryOp.ADD, a, b, null);
    }

    private static String describe(Tensor t) {
        return t == null ? "none" : t.dtype().shortName() + " " + Arrays.toString(t.shape());
    }
}

package org.attune.equivariance.graph;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.attune.api.backend.ComputeBackend;
import org.attune.api.equivariance.EquivarianceMethod;
import org.attune.api.equivariance.EquivariantMethod;
import org.attune.api.equivariance.GeometricInput;
import org.attune.api.equivariance.GeometricOutput;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Equivariant linear maps between Cartesian tensors as symmetric tensor networks. Zhang, Wang, Zhang, Dong and He,
 * "Constructing Invariant and Equivariant Operations by Symmetric Tensor Network", arXiv:2508.12596 (2025): a map
 * from rank-r_in to rank-r_out tensors commutes with every rotation (acting on every index) exactly when its kernel
 * is an isotropic tensor of rank r_in + r_out, and the isotropic tensors are spanned by diagrams of Kronecker δ's
 * (O(3)) plus one Levi-Civita ε (SO(3), odd total rank). With the basis B_1 … B_M of {@link IsotropicTensors}
 * (output indices first):
 * <pre>
 *   f(T)_{o₁…o_{r_out}} = Σ_b c_b Σ_{i₁…i_{r_in}} B_b[o₁…o_{r_out}, i₁…i_{r_in}] T_{i₁…i_{r_in}}
 *   f(R·T) = R·f(T)   for R ∈ O(3) (δ diagrams) or R ∈ SO(3) (ε diagrams: det(R)·R·f(T) under O(3))
 * </pre>
 * M equals the dimension of the invariant space, (1/π)∫₀^π (1 + 2cos θ)^r (1 − cos θ) dθ for SO(3) (1, 0, 1, 1,
 * 3, 6, 15, 36, 91 for r = 0…8) and the same for even r, 0 for odd r, for O(3); e.g. the three isotropic rank-4
 * tensors δ_{ab}δ_{cd}, δ_{ac}δ_{bd}, δ_{ad}δ_{bc} give every O(3)-equivariant linear map between rank-2 tensors.
 * The coefficients c_b are drawn uniform in [−1, 1) from {@code SplittableRandom(seed)} in basis order. An empty
 * basis (O(3), odd r) is the zero map, the only equivariant one.
 *
 * <p>feats [N, 3^{r_in}]: one Cartesian tensor per node, row-major (the first index slowest) → feats
 * [N, 3^{r_out}]; no coords. coords, edges and velocities are not read. Inputs not modified. Options: {@code in}
 * r_in (default 1), {@code out} r_out (default 1), r_in + r_out ≤ {@value IsotropicTensors#MAX_RANK};
 * {@code group} O(3) or SO(3) (default O(3)). Claims: the default rank-1 → rank-1 map on vectors, which the
 * certifier can act on ({@code irrep:1}); higher ranks are certified by the unit tests, index by index. The map acts
 * node by node, so it commutes with relabelling the nodes, but {@code permutation:nodes} is not claimed: the
 * certifier's five scalar channels are not a Cartesian tensor.
 */
@Component(service = EquivariantMethod.class)
@EquivarianceMethod(id = "symmetric-tensor-network", name = "Symmetric tensor network", family = "graph",
    paper = "Constructing Invariant and Equivariant Operations by Symmetric Tensor Network", arxiv = "2508.12596",
    year = 2025, cost = "O(n·3^(r_in+r_out))",
    options = {"in=input tensor rank r_in (default 1)", "out=output tensor rank r_out (default 1)",
        "group=O(3) (δ diagrams) or SO(3) (δ and ε diagrams) (default O(3))"},
    symmetries = {"O(3)(feats=irrep:1)", "SO(3)(feats=irrep:1)"})
public final class SymmetricTensorNetwork implements EquivariantMethod {
    @Override
    public GeometricOutput apply(GeometricInput in, ComputeBackend backend) {
        int rankIn = in.parameters().integer("in", 1, 0);
        int rankOut = in.parameters().integer("out", 1, 0);
        if (rankIn + rankOut > IsotropicTensors.MAX_RANK) {
            throw new InvalidInputException("out", "expected in + out <= " + IsotropicTensors.MAX_RANK + ", got "
                + rankIn + " + " + rankOut);
        }
        boolean proper = in.parameters().choice("group", "O(3)", "O(3)", "SO(3)").equals("SO(3)");
        Tensor t = in.feats();
        int width = IsotropicTensors.pow3(rankIn);
        if (t == null || t.rank() != 2 || t.dim(1) != width || !t.dtype().isFloating()) {
            throw new InvalidInputException("feats", "expected floating [nodes, " + width + "] (rank-" + rankIn
                + " tensors, 3^" + rankIn + " entries), got " + (t == null ? "none" : t.dtype().shortName() + " "
                + Arrays.toString(t.shape())));
        }
        Tensor map = kernel(IsotropicTensors.basis(rankIn + rankOut, proper), coefficients(in.seed(),
            IsotropicTensors.basis(rankIn + rankOut, proper).size()), rankIn, rankOut);
        return new GeometricOutput(null, backend.matmul(t, map.to(t.dtype()), false, false, null));
    }

    /** c_b uniform in [−1, 1), in basis order. */
    static double[] coefficients(long seed, int count) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] c = new double[count];
        for (int b = 0; b < count; b++) {
            c[b] = r.nextDouble(-1, 1);
        }
        return c;
    }

    /** A[i, o] = Σ_b c_b B_b[o, i]: the map as a right factor [3^{r_in}, 3^{r_out}], float64. */
    static Tensor kernel(List<IsotropicTensors.Diagram> basis, double[] c, int rankIn, int rankOut) {
        int width = IsotropicTensors.pow3(rankIn);
        int out = IsotropicTensors.pow3(rankOut);
        Tensor a = Tensor.zeros(DType.FLOAT64, width, out);
        for (int b = 0; b < basis.size(); b++) {
            double[] e = basis.get(b).entries();
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < width; i++) {
                    a.set(a.get(i, o) + c[b] * e[o * width + i], i, o);
                }
            }
        }
        return a;
    }
}

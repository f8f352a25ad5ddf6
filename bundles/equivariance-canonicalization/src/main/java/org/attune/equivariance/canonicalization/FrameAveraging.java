package org.attune.equivariance.canonicalization;

import java.util.List;

import org.attune.api.backend.BinaryOp;
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
 * Frame Averaging with PCA frames. Puny, Atzmon, Ben-Hamu, Misra, Grover, Smith and Lipman, "Frame Averaging for
 * Invariant and Equivariant Network Design", arXiv:2110.03336, equations (3)–(4) (frame averaging operator) and
 * Section 3.3 (frames for E(d) from PCA): with the frame F(X) of {@link PrincipalFrames} (rotations R = U·S,
 * centroid t) and a backbone φ without symmetry ({@link PointBackbone}),
 * <pre>
 *   feats'  = (1/|F|) Σ_{(R,t) ∈ F(X)} φ_feats((X − 1tᵀ)·R, h)                     invariant
 *   coords' = (1/|F|) Σ_{(R,t) ∈ F(X)} [ φ_coords((X − 1tᵀ)·R, h)·Rᵀ + 1tᵀ ]       equivariant
 * </pre>
 * i.e. ⟨φ⟩_F(X) = (1/|F|) Σ_{g ∈ F(X)} g·φ(g⁻¹·X) with g = (R, t) acting on points as x ↦ R·x + t. Since
 * F(Q·X + s) = (Q, s)·F(X) as a set, the coordinates are E(d)-equivariant, the features E(d)-invariant, and
 * both node-permutation-equivariant (t, C and φ's mean pool do not see the order). With {@code group=SO} only the
 * 2^(d−1) frames of determinant +1 are averaged (4 for d = 3), which is SE(d)- but not E(d)-equivariant
 * (reflections map F⁺ to the other half of F).
 *
 * <p>coords [N, d] (d ≤ 10, covariance with d distinct eigenvalues), feats [N, C] → coords [N, d],
 * feats [N, out]; the frame is computed in float64, φ in the input's element type through the backend.
 * Options: {@code group} (O: all 2^d sign frames, default; SO: the proper ones), {@code hidden} (H, default 16),
 * {@code out} (default C), {@code gap} (smallest accepted relative eigenvalue gap (λ_k − λ_{k+1})/λ_1,
 * default 1e-6; below it the input is rejected as degenerate. Float32 equivariance errors grow like ε₃₂/gap).
 */
@Component(service = EquivariantMethod.class)
@EquivarianceMethod(id = "frame-averaging", name = "Frame Averaging", family = "canonicalization",
    paper = "Frame Averaging for Invariant and Equivariant Network Design", arxiv = "2110.03336", year = 2022,
    cost = "O(2^d n)",
    options = {"group=O (all 2^d PCA sign frames, E(d); default) or SO (the 2^(d-1) proper frames, SE(d))",
        "hidden=backbone width H (default 16)", "out=output feature channels (default: input channels)",
        "gap=smallest relative eigenvalue gap accepted (default 1e-6)"},
    symmetries = {"E(2)", "E(3)", "O(3)", "E(5)", "permutation:nodes"})
public final class FrameAveraging implements EquivariantMethod {
    @Override
    public GeometricOutput apply(GeometricInput in, ComputeBackend backend) {
        PointCloud cloud = PointCloud.of(in, 1, 10);
        Tensor x = cloud.coords();
        Tensor h = cloud.feats();
        int d = x.dim(1);
        DType dtype = x.dtype();
        String group = in.params().getOrDefault("group", "O").strip();
        if (!group.equals("O") && !group.equals("SO")) {
            throw new InvalidInputException("group", "expected O or SO, got '" + group + "'");
        }
        int hidden = cloud.positive("hidden", 16);
        int out = cloud.positive("out", h.dim(1));
        double gap = gapParam(in);
        PrincipalFrames frames = PrincipalFrames.of(x, gap);
        PointBackbone phi = PointBackbone.init(in.seed(), d, h.dim(1), hidden, out);
        Tensor t = Tensor.of(frames.centroid(), 1, d).to(dtype);
        Tensor centred = backend.binary(BinaryOp.SUB, x, t, null);
        List<Tensor> rotations = frames.rotations(group.equals("SO"));
        Tensor coords = null;
        Tensor feats = null;
        for (Tensor r64 : rotations) {
            Tensor r = r64.to(dtype);
            Tensor[] y = phi.apply(backend, backend.matmul(centred, r, false, false, null), h);
            Tensor back = backend.matmul(y[0], r, false, true, null);
            coords = coords == null ? back : backend.binary(BinaryOp.ADD, coords, back, null);
            feats = feats == null ? y[1] : backend.binary(BinaryOp.ADD, feats, y[1], null);
        }
        Tensor inverseCount = Tensor.scalar(dtype, 1.0 / rotations.size());
        coords = backend.binary(BinaryOp.ADD, backend.binary(BinaryOp.MUL, coords, inverseCount, null), t, null);
        feats = backend.binary(BinaryOp.MUL, feats, inverseCount, null);
        return new GeometricOutput(coords, feats);
    }

    private static double gapParam(GeometricInput in) {
        String s = in.params().getOrDefault("gap", "1e-6");
        try {
            double v = Double.parseDouble(s.strip());
            if (v >= 0 && v < 1) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidInputException("gap", "expected a number in [0, 1), got '" + s + "'");
    }
}

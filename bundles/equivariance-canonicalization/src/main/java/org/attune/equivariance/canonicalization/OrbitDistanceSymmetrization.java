package org.attune.equivariance.canonicalization;

import org.attune.api.backend.BinaryOp;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.backend.Reduction;
import org.attune.api.equivariance.EquivarianceMethod;
import org.attune.api.equivariance.EquivariantMethod;
import org.attune.api.equivariance.GeometricInput;
import org.attune.api.equivariance.GeometricOutput;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Symmetrization through an equivariant group-element predictor trained with the orbit distance. Nguyen, Kim,
 * Yang and Hong, "Learning Symmetrization for Equivariance with Orbit Distance Minimization", arXiv:2311.07143
 * (NeurIPS 2023 workshop). Checked against the authors' {@code RotatedMNIST/LPS_orbit/models/interface.py}: an
 * equivariant network outputs an unconstrained matrix M(x) instead of a group element; the input is transformed by
 * Mᵀ (used as the inverse) before the backbone; the training loss adds the orbit distance, the L1 distance between
 * the invariant polynomials of M under the group and those of the identity (for SO(2): the Gram entries of the
 * columns m_1, m_2 and the determinant). For planar points X [N, 2], centroid t, Y = X − 1tᵀ, M = M(Y, h) of
 * {@link FrameNetwork} and the backbone φ of {@link PointBackbone} (d = 2):
 * <pre>
 *   coords' = M·φ_coords(Mᵀ·Y, h) + t,     feats' = φ_feats(Mᵀ·Y, h)          (rows: Y·M, then Z·Mᵀ)
 *   d_orbit(M) = ¼ (|m_1·m_1 − 1| + |m_2·m_2 − 1| + |m_1·m_2| + |det M − 1|)
 * </pre>
 * Because M(Q·Y) = Q·M(Y) and QᵀQ = I, Mᵀ·Y is the same for the whole orbit of Y, for any backbone and any
 * weights, even where M is not a rotation: the output is exactly E(2)-equivariant (reflections included). The
 * orbit distance vanishes exactly when M ∈ SO(2), where Mᵀ = M⁻¹ and the construction is the paper's
 * ρ_out(g_x)·f(ρ_in(g_x)⁻¹·x); it is SO(2)-invariant and is the training signal, returned by {@link #orbitDistance}.
 * Left out: the paper's noise inputs (d_z vectors uniform on the circle, for probabilistic symmetrization with k
 * samples), its O(1,3) invariants and the training itself; this operator is the deterministic interface.
 *
 * <p>coords [N, 2], feats [N, C] → coords [N, 2], feats [N, out] in the input's element type. Options:
 * {@code hidden} (H of the interface and the backbone, default 16), {@code out} (default C). Weights: the backbone
 * from the input's seed, the interface from seed XOR 0x5DEECE66D.
 */
@Component(service = EquivariantMethod.class)
@EquivarianceMethod(id = "orbit-distance", name = "Orbit-distance symmetrization", family = "canonicalization",
    paper = "Learning Symmetrization for Equivariance with Orbit Distance Minimization", arxiv = "2311.07143",
    year = 2023, cost = "O(n)",
    options = {"hidden=interface and backbone width H (default 16)", "out=output feature channels (default: input channels)"},
    symmetries = {"E(2)", "SO(2)", "C_4"})
public final class OrbitDistanceSymmetrization implements EquivariantMethod {
    static final long INTERFACE_SEED = 0x5DEECE66DL;

    @Override
    public GeometricOutput apply(GeometricInput in, ComputeBackend backend) {
        PointCloud cloud = PointCloud.of(in, 2, 2);
        int hidden = cloud.positive("hidden", 16);
        Tensor x = cloud.coords();
        Tensor centroid = backend.reduce(Reduction.MEAN, x, 0, true);
        Tensor y = backend.binary(BinaryOp.SUB, x, centroid, null);
        Tensor m = interfaceMatrix(in, cloud, y, hidden, backend);
        PointBackbone phi = PointBackbone.init(in.seed(), 2, cloud.feats().dim(1), hidden,
            cloud.positive("out", cloud.feats().dim(1)));
        Tensor[] z = phi.apply(backend, backend.matmul(y, m, false, false, null), cloud.feats());
        Tensor coords = backend.binary(BinaryOp.ADD, backend.matmul(z[0], m, false, true, null), centroid, null);
        return new GeometricOutput(coords, z[1]);
    }

    /** The orbit distance d_orbit(M(x)) of the input's interface matrix, in float64. */
    public double orbitDistance(GeometricInput in, ComputeBackend backend) {
        PointCloud cloud = PointCloud.of(in, 2, 2);
        Tensor x = cloud.coords();
        Tensor y = backend.binary(BinaryOp.SUB, x, backend.reduce(Reduction.MEAN, x, 0, true), null);
        Tensor m = interfaceMatrix(in, cloud, y, cloud.positive("hidden", 16), backend);
        return orbitDistance(new double[][] {{m.getFlat(0), m.getFlat(1)}, {m.getFlat(2), m.getFlat(3)}});
    }

    /** d_orbit(M) = ¼ (|m_1·m_1 − 1| + |m_2·m_2 − 1| + |m_1·m_2| + |det M − 1|), m_j the columns of M. */
    static double orbitDistance(double[][] m) {
        double s1 = m[0][0] * m[0][0] + m[1][0] * m[1][0];
        double s2 = m[0][1] * m[0][1] + m[1][1] * m[1][1];
        double s3 = m[0][0] * m[0][1] + m[1][0] * m[1][1];
        double s4 = m[0][0] * m[1][1] - m[0][1] * m[1][0];
        return (Math.abs(s1 - 1) + Math.abs(s2 - 1) + Math.abs(s3) + Math.abs(s4 - 1)) / 4;
    }

    private static Tensor interfaceMatrix(GeometricInput in, PointCloud cloud, Tensor y, int hidden, ComputeBackend backend) {
        return FrameNetwork.init(in.seed() ^ INTERFACE_SEED, cloud.feats().dim(1), hidden).matrix(backend, y, cloud.feats());
    }
}

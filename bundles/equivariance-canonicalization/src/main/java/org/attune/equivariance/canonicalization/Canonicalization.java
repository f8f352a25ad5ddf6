package org.attune.equivariance.canonicalization;

import org.attune.api.backend.BinaryOp;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.backend.Reduction;
import org.attune.api.equivariance.EquivarianceMethod;
import org.attune.api.equivariance.EquivariantMethod;
import org.attune.api.equivariance.GeometricInput;
import org.attune.api.equivariance.GeometricOutput;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Canonicalization with a C_n-equivariant scorer. Kaba, Mondal, Zhang, Bengio and Ravanbakhsh, "Equivariance
 * with Learned Canonicalization Functions", arXiv:2211.06489, Section 3 (equations (1)–(2): invariant
 * φ(c(x)⁻¹·x), equivariant ρ(c(x))·φ(c(x)⁻¹·x)) and Section 4.1 (canonicalizer = argmax of a G-equivariant
 * network's scores over a discrete group); the canonicalization prior of Mondal, Panigrahi, Kaba, Rajeswar and
 * Ravanbakhsh, "Equivariant Adaptation of Large Pretrained Models", arXiv:2310.01647, Section 4. For planar points
 * X [N, 2], centroid t, centred Y = X − 1tᵀ, the scores s of {@link RotationScorer} and the backbone φ of
 * {@link PointBackbone} (d = 2):
 * <pre>
 *   k*      = argmax_k s_k(Y, h)               (lowest k among exactly equal scores)
 *   feats'  = φ_feats(R_{k*}⁻¹·Y, h)                          C_n-invariant
 *   coords' = R_{k*}·φ_coords(R_{k*}⁻¹·Y, h) + t              C_n-equivariant (rotation about any centre)
 *   L_prior = −log softmax(s)_0 = log Σ_k e^{s_k} − s_0     (prior loss: cross-entropy to the identity)
 * </pre>
 * Since s(R_j·Y)_k = s(Y)_{k−j}, k*(R_j·X) = k*(X) + j (mod n) and the canonical input R_{k*}⁻¹·Y is the same for
 * the whole orbit, for ANY backbone. This is frame averaging with a one-element frame. The coordinates are exactly
 * equivariant when the maximal score is unique; a tie (an input with a rotational symmetry, or a coincidence) is
 * broken by the lowest index, which keeps the features invariant (tied canonical inputs coincide for a symmetric
 * input) but is a fixed choice for the coordinates. In float32 a near-tie of the top two scores (gap ≈ ε₃₂) can
 * flip the choice between an input and its rotation.
 *
 * <p>Node permutations permute the outputs (t, the mean-pooled scores and φ do not see the order); that is
 * not a declared claim because the certifier checks {@code permutation:nodes} on 3-D coordinates only.
 *
 * <p>coords [N, 2], feats [N, C] → coords [N, 2], feats [N, out]; computed in the input's element type. Options:
 * {@code n} (rotation order, default 4), {@code hidden} (H of the scorer and the backbone, default 16),
 * {@code out} (default C). Weights: the backbone from the input's seed, the scorer from seed XOR 0x5DEECE66D.
 * The prior loss is {@link #priorLoss}, for training the scorer.
 */
@Component(service = EquivariantMethod.class)
@EquivarianceMethod(id = "canonicalization", name = "Learned canonicalization (C_n)", family = "canonicalization",
    paper = "Equivariance with Learned Canonicalization Functions", arxiv = "2211.06489", year = 2023,
    cost = "O(n_rot·n)",
    options = {"n=rotation order of C_n (default 4)", "hidden=scorer and backbone width H (default 16)",
        "out=output feature channels (default: input channels)"},
    symmetries = {"C_4", "C_2"})
public final class Canonicalization implements EquivariantMethod {
    @Override
    public GeometricOutput apply(GeometricInput in, ComputeBackend backend) {
        Canonical c = canonical(in, backend);
        Tensor rotation = c.scorer.rotation(c.index).to(c.centred.dtype());
        // rows R_{k*}⁻¹ y_i = y_iᵀ R_{k*}; back: rows R_{k*} z_i = z_iᵀ R_{k*}ᵀ
        Tensor canonical = backend.matmul(c.centred, rotation, false, false, null);
        PointBackbone phi = PointBackbone.init(in.seed(), 2, c.cloud.feats().dim(1), c.hidden,
            c.cloud.positive("out", c.cloud.feats().dim(1)));
        Tensor[] y = phi.apply(backend, canonical, c.cloud.feats());
        Tensor coords = backend.binary(BinaryOp.ADD, backend.matmul(y[0], rotation, false, true, null), c.centroid, null);
        return new GeometricOutput(coords, y[1]);
    }

    /** The canonicalization prior L_prior = log Σ_k e^{s_k} − s_0 of the input's scores, in float64. */
    public double priorLoss(GeometricInput in, ComputeBackend backend) {
        double[] s = canonical(in, backend).scores;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : s) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (double v : s) {
            sum += Math.exp(v - max);
        }
        return max + Math.log(sum) - s[0];
    }

    /** The checked input, its centroid and centred coordinates, the scores and the chosen rotation index. */
    private record Canonical(PointCloud cloud, int hidden, RotationScorer scorer, Tensor centroid, Tensor centred,
                             double[] scores, int index) {
    }

    private static Canonical canonical(GeometricInput in, ComputeBackend backend) {
        PointCloud cloud = PointCloud.of(in, 2, 2);
        Tensor x = cloud.coords();
        DType dtype = x.dtype();
        int n = cloud.positive("n", 4);
        int hidden = cloud.positive("hidden", 16);
        // the scorer draws from its own stream, seeded with seed XOR 0x5DEECE66D, so the backbone's weights do not shift
        RotationScorer scorer = RotationScorer.init(in.seed() ^ 0x5DEECE66DL, n, cloud.feats().dim(1), hidden);
        Tensor centroid = backend.reduce(Reduction.MEAN, x, 0, true);
        Tensor centred = backend.binary(BinaryOp.SUB, x, centroid, null);
        double[] s = scorer.scores(backend, centred, cloud.feats());
        int best = 0;
        for (int k = 1; k < n; k++) {
            if (s[k] > s[best]) {
                best = k;
            }
        }
        return new Canonical(cloud, hidden, scorer, centroid, centred, s, best);
    }
}

package org.attune.equivariance.canonicalization;

import org.attune.api.backend.BinaryOp;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.backend.Reduction;
import org.attune.api.equivariance.EquivarianceMethod;
import org.attune.api.equivariance.EquivariantMethod;
import org.attune.api.equivariance.GeometricInput;
import org.attune.api.equivariance.GeometricOutput;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * RotaTouille: a closed contour as a complex sequence, through complex circular convolutions and modReLU. Garda
 * and Blaser, "RotaTouille: Rotation Equivariant Deep Learning for Contours", arXiv:2508.16359 (layers as defined
 * in the paper and in the authors' {@code rotatouille/layers.py}: centred circular complex convolution, modReLU,
 * global modulus pooling). With the contour z[n] = x_n + i·y_n (n = 0 … N−1, in order along the curve), the layers
 * of {@link ContourLayers} and L blocks:
 * <pre>
 *   h⁰ = z,   hˡ = modReLU_{bˡ}(conv(centre(hˡ⁻¹); Wˡ))                 [N, C] complex
 *   coords' = mean(z) + conv(centre(h^L); W_head)                       [N, 1] complex → [N, 2]
 *   feats'  = |centre(h^L)|                                             [N, C]
 *   pooled  = a·mean_n |centre(h^L)| + (1 − a)·max_n |centre(h^L)|,  a = σ(1)   [C]
 * </pre>
 * Symmetries, exact up to rounding: a rotation about the origin z ↦ e^{iθ}z gives coords' ↦ e^{iθ}coords' and
 * leaves feats' and pooled unchanged; a change of starting point z ↦ roll(z, s) rolls coords' and feats' by s and
 * leaves pooled unchanged; a translation z ↦ z + t moves coords' by t and leaves feats' and pooled unchanged. A
 * reflection (z ↦ z̄) is not a symmetry: the weights are complex. The pooled mixing weight is the authors'
 * {@code GlobalPool} at its initial α = 1 (a = σ(α), learned there).
 *
 * <p>The cyclic shifts are not a declared claim because the certifier checks sequence actions on 3-D coordinates
 * only; the tests check them with the symmetry bundle's {@code Z_N} group. Left out: the coarsening layers (strided
 * or mean pooling, equivariant only to shifts by multiples of the stride) and the log-modulus batch norm (a
 * training statistic).
 *
 * <p>coords [N, 2] (the contour), feats [N, any] (not used: contours carry no per-point features) → coords [N, 2],
 * feats [N, C]; computed in the input's element type. Options: {@code channels} (C, default 8), {@code layers}
 * (L, default 2), {@code kernel} (odd tap count k, default 3). Weights: {@link ContourLayers#init} with the input's
 * seed. The invariant read-out is {@link #pooled}.
 */
@Component(service = EquivariantMethod.class)
@EquivarianceMethod(id = "rotatouille", name = "RotaTouille", family = "canonicalization",
    paper = "RotaTouille: Rotation Equivariant Deep Learning for Contours", arxiv = "2508.16359", year = 2025,
    cost = "O(N·k·C²·L)",
    options = {"channels=complex channels C (default 8)", "layers=conv + modReLU blocks L (default 2)",
        "kernel=odd number of circular taps k (default 3)"},
    symmetries = {"SO(2)"})
public final class RotaTouille implements EquivariantMethod {
    @Override
    public GeometricOutput apply(GeometricInput in, ComputeBackend backend) {
        Forward f = forward(in, backend);
        ContourLayers.Complex y = f.layers.head(backend, f.features);
        DType t = y.re().dtype();
        Tensor coords = backend.binary(BinaryOp.ADD,
            backend.binary(BinaryOp.ADD, backend.matmul(y.re(), Tensor.of(new double[] {1, 0}, 1, 2).to(t), false, false, null),
                backend.matmul(y.im(), Tensor.of(new double[] {0, 1}, 1, 2).to(t), false, false, null), null),
            backend.reduce(Reduction.MEAN, f.contour, 0, true), null);
        return new GeometricOutput(coords, ContourLayers.modulus(backend, ContourLayers.centre(backend, f.features)));
    }

    /**
     * The invariant read-out [C]: a·mean_n |centre(h^L)| + (1 − a)·max_n |centre(h^L)| with a = σ(1), in the
     * input's element type.
     */
    public Tensor pooled(GeometricInput in, ComputeBackend backend) {
        Forward f = forward(in, backend);
        Tensor m = ContourLayers.modulus(backend, ContourLayers.centre(backend, f.features));
        DType t = m.dtype();
        double a = 1 / (1 + Math.exp(-1));
        return backend.binary(BinaryOp.ADD,
            backend.binary(BinaryOp.MUL, backend.reduce(Reduction.MEAN, m, 0, false), Tensor.scalar(t, a), null),
            backend.binary(BinaryOp.MUL, backend.reduce(Reduction.MAX, m, 0, false), Tensor.scalar(t, 1 - a), null), null);
    }

    /** The checked contour [N, 2], the weights and the last block's output h^L. */
    private record Forward(Tensor contour, ContourLayers layers, ContourLayers.Complex features) {
    }

    private static Forward forward(GeometricInput in, ComputeBackend backend) {
        PointCloud cloud = PointCloud.of(in, 2, 2);
        int channels = cloud.positive("channels", 8);
        int layers = cloud.positive("layers", 2);
        int kernel = cloud.positive("kernel", 3);
        if (kernel % 2 == 0) {
            throw new InvalidInputException("kernel", "expected an odd integer >= 1, got " + kernel);
        }
        Tensor x = cloud.coords();
        DType t = x.dtype();
        ContourLayers w = ContourLayers.init(in.seed(), layers, channels, kernel);
        ContourLayers.Complex z = new ContourLayers.Complex(
            backend.matmul(x, Tensor.of(new double[] {1, 0}, 2, 1).to(t), false, false, null),
            backend.matmul(x, Tensor.of(new double[] {0, 1}, 2, 1).to(t), false, false, null));
        return new Forward(x, w, w.features(backend, z));
    }
}

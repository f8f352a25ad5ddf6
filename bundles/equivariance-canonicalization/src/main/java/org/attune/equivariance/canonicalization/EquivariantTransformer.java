package org.attune.equivariance.canonicalization;

import java.util.Arrays;

import org.attune.api.backend.ComputeBackend;
import org.attune.api.equivariance.EquivarianceMethod;
import org.attune.api.equivariance.EquivariantMethod;
import org.attune.api.equivariance.GeometricInput;
import org.attune.api.equivariance.GeometricOutput;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * An Equivariant Transformer for one one-parameter group (rotation or scale) of an image about a centre. Tai,
 * Bailis and Valiant, "Equivariant Transformer Networks", arXiv:1901.11399 (canonical coordinates, in which the
 * group acts by translation; a pose predictor that is translation-equivariant in them; the input resampled by the
 * inverse of the predicted transformation), cross-checked against the authors' code
 * ({@code etn/coordinates.py}, {@code etn/networks.py}, {@code etn/transformers.py}). With the grid of
 * {@link CanonicalGrid}, bilinear sampling S of {@link BilinearSampling} and the predictor of {@link PosePredictor}:
 * <pre>
 *   P      = S(x; grid points)                               [n_v, n_u]   the image in canonical coordinates
 *   θ(x)   = centroid(softmax(ℓ(P)))                         pose
 *   out(p) = S(x; T_θ(p))  for every pixel p                 [H, W]       the image canonicalised by T_θ⁻¹
 * </pre>
 * Pose equivariance θ(T_α·x) = θ(x) + α holds exactly (to rounding, mod 2π) for rotations whenever the samples of
 * T_α·x are the samples of x shifted by whole rows, i.e. α = 2πm/n_v and the sampling commutes with T_α: quarter
 * turns of a square image about its centre with 4 | n_v; then out(T_α·x) = out(x) as well. Other angles are
 * equivariant up to the interpolation error of bilinear sampling. Scale acts by a shift along the bounded u axis,
 * so the samples shift (up to interpolation) but the pose does not follow exactly: the zero-padded ends and the
 * softmax over every u position (background included) pull the centroid towards the middle, and with untrained
 * weights the pose moves by far less than α (the tests print it). ETN's other groups (shear, perspective, …) and
 * their composition are left out.
 *
 * <p>coords [1, 2]: the centre (column, row) in pixels, e.g. ((W−1)/2, (H−1)/2); feats [H, W]: the image → coords
 * none, feats [H, W]: the canonicalised image; computed in the image's element type (the sampling weights in
 * float64). Options: {@code group} (rotation, default, or scale), {@code channels} (C, default 8), {@code kernel}
 * (odd k, default 3), {@code angles} (n_v, default H), {@code radii} (n_u, default W). Weights:
 * {@link PosePredictor#init} with the input's seed. The pose itself is {@link #pose}; the canonical-coordinate samples
 * are {@link #canonicalCoordinates}.
 */
@Component(service = EquivariantMethod.class)
@EquivarianceMethod(id = "etn", name = "Equivariant Transformer", family = "canonicalization",
    paper = "Equivariant Transformer Networks", arxiv = "1901.11399", year = 2019,
    cost = "O(n_v·n_u·k²·C² + H·W)",
    options = {"group=rotation (polar coordinates, default) or scale (log-polar)",
        "channels=pose predictor width C (default 8)", "kernel=odd convolution size k (default 3)",
        "angles=angular samples n_v (default: image height)", "radii=radial samples n_u (default: image width)"})
public final class EquivariantTransformer implements EquivariantMethod {
    @Override
    public GeometricOutput apply(GeometricInput in, ComputeBackend backend) {
        Pose p = pose(in, backend, true);
        int h = p.image.dim(0);
        int w = p.image.dim(1);
        Tensor out = BilinearSampling.of(h, w, p.grid.transformedPixels(p.theta, h, w)).apply(backend, p.image);
        return new GeometricOutput(null, out.reshape(h, w));
    }

    /** The predicted pose θ (radians for rotations, log-scale for scale). */
    public double pose(GeometricInput in, ComputeBackend backend) {
        return pose(in, backend, true).theta;
    }

    /** The image in canonical coordinates [n_v, n_u] (rows: angles, columns: radial coordinate). */
    public Tensor canonicalCoordinates(GeometricInput in, ComputeBackend backend) {
        Pose p = pose(in, backend, false);
        return p.samples.reshape(p.grid.angles().length, p.grid.radial().length);
    }

    /** The checked image, its grid, its canonical samples [P, 1] and (when predicted) its pose. */
    private record Pose(Tensor image, CanonicalGrid grid, Tensor samples, double theta) {
    }

    private static Pose pose(GeometricInput in, ComputeBackend backend, boolean predict) {
        Tensor x = in.feats();
        if (x == null || x.rank() != 2 || !x.dtype().isFloating() || x.size() == 0) {
            throw new InvalidInputException("feats", "expected a floating image [H >= 1, W >= 1], got "
                + (x == null ? "none" : x.dtype().shortName() + " " + Arrays.toString(x.shape())));
        }
        Tensor c = in.coords();
        if (c == null || c.rank() != 2 || c.dim(0) != 1 || c.dim(1) != 2 || c.dtype() != x.dtype()) {
            throw new InvalidInputException("coords", "expected the centre " + x.dtype().shortName()
                + " [1, 2] (column, row), got " + (c == null ? "none" : c.dtype().shortName() + " " + Arrays.toString(c.shape())));
        }
        PointCloud options = new PointCloud(c, x, in.params());
        String group = in.params().getOrDefault("group", "rotation").strip();
        if (!group.equals("rotation") && !group.equals("scale")) {
            throw new InvalidInputException("group", "expected rotation or scale, got '" + group + "'");
        }
        boolean scale = group.equals("scale");
        int channels = options.positive("channels", 8);
        int kernel = options.positive("kernel", 3);
        if (kernel % 2 == 0) {
            throw new InvalidInputException("kernel", "expected an odd integer >= 1, got " + kernel);
        }
        int h = x.dim(0);
        int w = x.dim(1);
        int nv = options.positive("angles", h);
        int nu = options.positive("radii", w);
        CanonicalGrid grid = CanonicalGrid.of(scale, nv, nu, c.get(0, 0), c.get(0, 1), h, w);
        Tensor samples = BilinearSampling.of(h, w, grid.samplePoints()).apply(backend, x);
        if (!predict) {
            return new Pose(x, grid, samples, Double.NaN);
        }
        Tensor heat = PosePredictor.init(in.seed(), channels, kernel).heatMap(backend, samples, nv, nu, scale);
        return new Pose(x, grid, samples, PosePredictor.pose(backend, heat, grid.poseAxis(), scale));
    }
}

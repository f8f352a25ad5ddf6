package org.attune.positional.bias;

import java.nio.file.Path;

import org.attune.api.backend.ComputeBackend;
import org.attune.api.position.EncodingForm;
import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.PositionalEncodingMethod;
import org.attune.api.position.PositionalResult;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * SPAD's epipolar attention mask, as an additive bias of 0 (attend) and −∞ (masked). Kant et al., "SPAD: Spatially
 * Aware Multiview Diffusers", arXiv:2402.05235 (epipolar attention): in multi-view self-attention a pixel of view
 * a attends to every pixel of its own view and, in another view b, only to the pixels on its epipolar line there.
 * Here the geometry comes from the pixels' camera rays (o, d), one per token: the epipolar line of ray i in view
 * b is the image of the plane through b's camera centre o_b that contains the ray, so
 * <pre>
 *   nᵢ_b = d̂ᵢ × (o_b − oᵢ)                          (normal of the epipolar plane)
 *   b[h, i, j] = 0   if view(pᵢ) = view(pⱼ)  or  |n̂ᵢ_b · d̂ⱼ| ≤ sin δ       (ray j within δ of the plane)
 *              = −∞  otherwise
 *   baseline along the ray (nᵢ_b = 0): the line shrinks to the epipole, and |d̂ᵢ × d̂ⱼ| ≤ sin δ admits it
 * </pre>
 * An exact correspondence (both rays through one 3-D point) is coplanar with both centres, so it is kept both
 * ways; a tolerance of δ radians is about f·tan δ pixels for a focal length of f pixels (SPAD dilates the drawn
 * lines on its latent grid instead). View of position p: ⌊p / view-tokens⌋; the camera centre o_b of a view is
 * the origin of its first token's ray (a pinhole camera: all its rays start there). Bias [H, Nq, Nk] float64; every
 * row keeps its own view, so no row is fully masked when queries and keys cover the same views.
 */
@Component(service = PositionalEncoding.class)
@PositionalEncodingMethod(id = "spad-epipolar", name = "SPAD epipolar mask", family = "bias",
    paper = "SPAD: Spatially Aware Multiview Diffusers", arxiv = "2402.05235", year = 2024, cost = "O(n^2)",
    options = {"rays=.npy [P, 6] of ray origin (xyz) and direction (xyz), one row per token position; required",
        "view-tokens=tokens per view; position p is in view floor(p / view-tokens); required",
        "tolerance=δ in radians between a ray and the epipolar plane; default 0.05"})
public final class EpipolarMask implements PositionalEncoding {

    @Override
    public EncodingForm form() {
        return EncodingForm.BIAS;
    }

    @Override
    public PositionalResult encode(PositionalCall call, ComputeBackend backend) {
        String file = call.param("rays", "").strip();
        if (file.isEmpty()) {
            throw new InvalidInputException(PositionalCall.option("rays"), "expected a .npy file [P, 6] of rays (o, d)");
        }
        Tensor rays = ParameterTables.read(PositionalCall.option("rays"), Path.of(file), "[P, 6]", -1, 6);
        int perView = call.intParam("view-tokens", 0);
        if (perView < 1) {
            throw new InvalidInputException(PositionalCall.option("view-tokens"), "expected an integer >= 1, got " + perView);
        }
        int p = rays.dim(0);
        int needed = Math.max(call.queryOffset() + (call.q() != null ? call.q().dim(2) : call.nq()),
            call.keyOffset() + (call.k() != null ? call.k().dim(2) : call.nk()));
        if (p < needed) {
            throw new InvalidInputException(PositionalCall.option("rays"), "expected a ray for each position up to "
                + (needed - 1) + ", got " + p + " rows");
        }
        double tolerance = call.doubleParam("tolerance", 0.05);
        if (tolerance < 0 || tolerance >= Math.PI / 2) {
            throw new InvalidInputException(PositionalCall.option("tolerance"), "expected 0 <= δ < π/2, got " + tolerance);
        }
        double sin = Math.sin(tolerance);
        double[] r = rays.doubleData();
        double[][] dir = new double[p][];
        for (int i = 0; i < p; i++) {
            double[] d = {r[i * 6 + 3], r[i * 6 + 4], r[i * 6 + 5]};
            double norm = Math.sqrt(dot(d, d));
            if (!(norm > 0)) {
                throw new InvalidInputException(PositionalCall.option("rays"), "ray " + i + " has a zero direction");
            }
            dir[i] = new double[] {d[0] / norm, d[1] / norm, d[2] / norm};
        }
        return PositionalResult.bias(BiasTables.of(call, (h, pi, pj) -> {
            int i = (int) pi, j = (int) pj;
            int viewJ = j / perView;
            if (i / perView == viewJ) {
                return 0;
            }
            int centre = viewJ * perView;
            double[] baseline = {r[centre * 6] - r[i * 6], r[centre * 6 + 1] - r[i * 6 + 1], r[centre * 6 + 2] - r[i * 6 + 2]};
            double[] n = cross(dir[i], baseline);
            double nn = Math.sqrt(dot(n, n));
            boolean kept;
            if (nn <= 1e-12 * Math.sqrt(dot(baseline, baseline))) {
                double[] c = cross(dir[i], dir[j]);
                kept = Math.sqrt(dot(c, c)) <= sin;
            } else {
                kept = Math.abs(dot(n, dir[j])) / nn <= sin;
            }
            return kept ? 0 : Double.NEGATIVE_INFINITY;
        }));
    }

    private static double dot(double[] a, double[] b) {
        return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    }

    private static double[] cross(double[] a, double[] b) {
        return new double[] {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
    }
}

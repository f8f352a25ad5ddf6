package org.attune.attention.normalization;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.attention.AttentionMethod;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Attention on the sphere: the softmax over the keys becomes a quadrature of the sphere, each key weighted by
 * the area its grid point stands for; optionally restricted to a geodesic neighbourhood of the query.
 * Bonev et al., "Attention on the Sphere", arXiv:2505.11157 (global attention with quadrature weights ω
 * and neighbourhood attention on the sphere).
 * <pre>
 *   α_ij = ω_j exp(s_ij) / Σ_{j' ∈ N(i)} ω_j' exp(s_ij'),     out_i = Σ_{j ∈ N(i)} α_ij v_j
 *   ω_j = w_{lat(j)}                   ({@link LatitudeQuadrature}; the ring factor 2π/nlon cancels)
 *   N(i) = all keys, or { j : d(x_i, x_j) ≤ radius } with d the great-circle distance
 * </pre>
 * Keys lie on an nlat × nlon grid in ring-major order (j = ring · nlon + longitude), Nk = nlat · nlon; with a
 * radius the queries lie on the same grid (Nq = Nk). q [B, H, Nq, D], k [B, Hkv, Nk, D], v [B, Hkv, Nk, Dv] →
 * [B, H, Nq, Dv]; inputs not modified. Logits s, mask, bias, causal and scale as in {@link ScoreMatrix}; the mask
 * and the neighbourhood combine by logical and. Equal to softmax attention exactly with {@code grid=uniform}
 * (ω ≡ 1) and radius ≥ π; the weights enter as log ω added to the logits, as in torch-harmonics
 * ({@code attention_torch.py}: {@code exp(qdotk − max) · quad_weights[hi]}, checked there). Rolling the
 * longitude of queries, keys and values by whole grid steps rolls the output exactly; the global form is
 * equivariant under permutations of the queries, but keys carry their grid point, so permuting keys and values
 * changes the output unless the weights are uniform. Rotations other than longitude rolls are equivariant only
 * approximately (the paper's claim), which is not asserted.
 */
@Component(service = AttentionMechanism.class)
@AttentionMethod(id = "spherical", name = "Spherical Attention", family = "normalization",
    paper = "Attention on the Sphere", arxiv = "2505.11157", year = 2025, cost = "O(n^2)",
    options = {
        "grid=latitude quadrature of the key grid: equiangular (Clenshaw-Curtis), legendre-gauss or uniform; default equiangular",
        "nlat=latitude rings of the key grid, dividing Nk (nlon = Nk / nlat); default Nk",
        "radius=geodesic neighbourhood radius in radians (queries on the key grid, Nq = Nk); default none (global)"},
    symmetries = {"permutation:queries", "roll:longitude"})
public final class SphericalAttention implements AttentionMechanism {
    static final String GRID = "grid";
    static final String NLAT = "nlat";
    static final String RADIUS = "radius";

    @Override
    public Tensor attend(AttentionCall call, ComputeBackend backend) {
        ScoreMatrix s = ScoreMatrix.of(call.q(), call.k(), call.v(), call.options(), backend, "spherical", true);
        int nk = s.problem().nk();
        int nlat = call.intParam(NLAT, nk);
        if (nlat <= 0 || nk % nlat != 0) {
            throw new InvalidInputException("--opt " + NLAT, "must be a positive divisor of the key length " + nk
                + ", got " + nlat);
        }
        int nlon = nk / nlat;
        LatitudeQuadrature rule = LatitudeQuadrature.of(call.param(GRID, "equiangular"), nlat, GRID);
        double radius = call.doubleParam(RADIUS, Double.POSITIVE_INFINITY);
        if (call.params().containsKey(RADIUS) && !(radius >= 0)) {
            throw new InvalidInputException("--opt " + RADIUS, "must be a number >= 0, got " + radius);
        }
        if (call.params().containsKey(RADIUS) && s.problem().nq() != nk) {
            throw new InvalidInputException("q", "a neighbourhood needs the queries on the key grid: " + nk
                + " queries, got " + s.problem().nq());
        }
        double cosRadius = Math.cos(Math.min(radius, Math.PI));
        Tensor w = s.weights(plane -> {
            for (int i = 0; i < plane.length; i++) {
                for (int j = 0; j < nk; j++) {
                    boolean near = radius >= Math.PI || cosine(rule, nlon, i, j) >= cosRadius;
                    plane[i][j] = near ? plane[i][j] + Math.log(rule.weights()[j / nlon]) : Double.NEGATIVE_INFINITY;
                }
            }
            PlaneSoftmax.rows(plane);
        });
        return s.values(w, call.v(), backend);
    }

    /** cos d(x_p, x_r) of two grid points: cos θ_p cos θ_r + sin θ_p sin θ_r cos(φ_p − φ_r). */
    static double cosine(LatitudeQuadrature rule, int nlon, int p, int r) {
        double tp = rule.nodes()[p / nlon], tr = rule.nodes()[r / nlon];
        double dphi = 2 * Math.PI * Math.floorMod(p % nlon - r % nlon, nlon) / nlon;
        return tp * tr + Math.sqrt(Math.max(0, 1 - tp * tp)) * Math.sqrt(Math.max(0, 1 - tr * tr)) * Math.cos(dphi);
    }
}

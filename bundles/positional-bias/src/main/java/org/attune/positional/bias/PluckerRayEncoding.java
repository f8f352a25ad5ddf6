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
 * SPAD's Plücker ray embedding: each token (a pixel of one of several views) carries the camera ray through it,
 * whose Plücker coordinates are projected into the query and key spaces and added. Kant et al., "SPAD: Spatially
 * Aware Multiview Diffusers", arXiv:2402.05235 (Plücker ray embeddings: the QKV projections are inflated with
 * extra input columns for the embedding, so q = W_q x + W_q^P·π and k = W_k x + W_k^P·π).
 * <pre>
 *   ray (o, d), d̂ = d/‖d‖:   π = (d̂, o × d̂) ∈ R⁶      (unchanged when o moves along the ray: (o + s d̂) × d̂ = o × d̂)
 *   frequencies L &gt; 0:       π ← (π, sin(2⁰π), cos(2⁰π), …, sin(2^{L−1}π), cos(2^{L−1}π)) ∈ R^{6(1+2L)}
 *   q'ᵢ = qᵢ + π(pᵢ)·P_q,   k'ⱼ = kⱼ + π(pⱼ)·P_k,   P [C, E], channel c of the embedding width E = H·D
 * </pre>
 * The rays come from {@code rays=FILE.npy} [P, 6] (origin xyz, direction xyz), one row per position: token i of
 * the queries is ray queryOffset + i, so a multi-view sequence lists its views' pixels in the order of its tokens.
 * The projections are trained weights ({@code projection}, {@code projection-k} files [C, E]); SPAD initialises
 * them to zero, which leaves q and k unchanged. Without files, P is drawn N(0, 1/C) from {@code seed} (one draw
 * for q and, unless {@code projection-k} is given, the same for k). No symmetry claim: the encoding needs the
 * rays of a scene, which the generic certificate does not have; the tests check the ray-reparametrisation
 * invariance and the zero-projection identity.
 */
@Component(service = PositionalEncoding.class)
@PositionalEncodingMethod(id = "spad-plucker", name = "SPAD Plücker ray embedding", family = "absolute",
    paper = "SPAD: Spatially Aware Multiview Diffusers", arxiv = "2402.05235", year = 2024,
    options = {"rays=.npy [P, 6] of ray origin (xyz) and direction (xyz), one row per token position; required",
        "frequencies=L sin/cos octaves of the Plücker coordinates; default 0 (the 6 coordinates)",
        "projection=.npy [C, E], C = 6(1+2L), projecting π into queries (and keys); default seeded N(0, 1/C)",
        "projection-k=.npy [C, E] for keys; default the query projection",
        "seed=seed of the default projection; default 0"})
public final class PluckerRayEncoding implements PositionalEncoding {

    @Override
    public EncodingForm form() {
        return EncodingForm.ABSOLUTE;
    }

    @Override
    public PositionalResult encode(PositionalCall call, ComputeBackend backend) {
        int e = Embeddings.sharedWidth(call.q(), call.k());
        String file = call.param("rays", "").strip();
        if (file.isEmpty()) {
            throw new InvalidInputException(PositionalCall.option("rays"), "expected a .npy file [P, 6] of rays (o, d)");
        }
        Tensor rays = ParameterTables.read(PositionalCall.option("rays"), Path.of(file), "[P, 6]", -1, 6);
        int needed = Math.max(call.queryOffset() + call.q().dim(2), call.keyOffset() + call.k().dim(2));
        if (rays.dim(0) < needed) {
            throw new InvalidInputException(PositionalCall.option("rays"), "expected a ray for each position up to "
                + (needed - 1) + ", got " + rays.dim(0) + " rows");
        }
        int octaves = call.intParam("frequencies", 0);
        if (octaves < 0 || octaves > 30) {
            throw new InvalidInputException(PositionalCall.option("frequencies"), "expected 0 to 30, got " + octaves);
        }
        int c = 6 * (1 + 2 * octaves);
        double[] pq = projection(call, "projection", c, e);
        double[] pk = call.param("projection-k", "").isBlank() ? pq : projection(call, "projection-k", c, e);
        double[][] features = new double[rays.dim(0)][];
        double[] r = rays.doubleData();
        for (int p = 0; p < needed; p++) {
            features[p] = features(r, p, octaves);
        }
        return PositionalResult.tokens(add(call.q(), call.queryOffset(), features, pq, e),
            add(call.k(), call.keyOffset(), features, pk, e));
    }

    private static double[] projection(PositionalCall call, String name, int c, int e) {
        return ParameterTables.of(call, name, "[C, E] with C = 6(1+2L) = " + c + ", E = " + e,
            ParameterTables.Draw.NORMAL, 1 / Math.sqrt(c), c, e).doubleData();
    }

    /** π of ray p, with its octaves. */
    private static double[] features(double[] r, int p, int octaves) {
        double ox = r[p * 6], oy = r[p * 6 + 1], oz = r[p * 6 + 2];
        double dx = r[p * 6 + 3], dy = r[p * 6 + 4], dz = r[p * 6 + 5];
        double norm = Math.sqrt(dx * dx + dy * dy + dz * dz);
        if (!(norm > 0)) {
            throw new InvalidInputException(PositionalCall.option("rays"), "ray " + p + " has a zero direction");
        }
        dx /= norm;
        dy /= norm;
        dz /= norm;
        double[] pi = {dx, dy, dz, oy * dz - oz * dy, oz * dx - ox * dz, ox * dy - oy * dx};
        double[] out = new double[6 * (1 + 2 * octaves)];
        System.arraycopy(pi, 0, out, 0, 6);
        for (int l = 0; l < octaves; l++) {
            double f = Math.scalb(1.0, l);
            for (int a = 0; a < 6; a++) {
                out[6 + (2 * l) * 6 + a] = Math.sin(f * pi[a]);
                out[6 + (2 * l + 1) * 6 + a] = Math.cos(f * pi[a]);
            }
        }
        return out;
    }

    private static Tensor add(Tensor x, int offset, double[][] features, double[] projection, int e) {
        return Embeddings.add(x, offset, (p, ch, width) -> {
            double[] f = features[(int) p];
            double s = 0;
            for (int a = 0; a < f.length; a++) {
                s += f[a] * projection[a * e + ch];
            }
            return s;
        });
    }
}

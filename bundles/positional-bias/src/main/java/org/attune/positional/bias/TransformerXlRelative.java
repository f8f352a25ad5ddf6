package org.attune.positional.bias;

import java.nio.file.Path;
import java.util.SplittableRandom;

import org.attune.api.backend.ComputeBackend;
import org.attune.api.position.EncodingForm;
import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.PositionalEncodingMethod;
import org.attune.api.position.PositionalResult;
import org.attune.api.position.SymmetryCertificate;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Transformer-XL relative attention: the positional terms (b), (c), (d) of the decomposed logit, with a
 * sinusoidal encoding of the relative distance projected per head and the global biases u and v.
 * Dai et al., "Transformer-XL: Attentive Language Models Beyond a Fixed-Length Context", arXiv:1901.02860, §3.3.
 * <pre>
 *   A_ij = qᵢᵀkⱼ (a) + qᵢᵀ W_R R_{i−j} (b) + uᵀkⱼ (c) + vᵀ W_R R_{i−j} (d)
 *   R_r = [sin(r·ω), cos(r·ω)],  ωₖ = 10000^(−2k/D)           (reference {@code PositionalEmbedding})
 *   b[z, h, i, j] = scale · ((b) + (c) + (d)),   i − j = pᵢ − pⱼ
 * </pre>
 * (a) is the attention's own logit. Bias [B, H, Nq, Nk] in q's type; reads q and k (kv head h·Hkv/H). Options:
 * {@code weights=DIR} holding wr.npy [H, D, D] (W_R of each head, R ↦ W_R R), u.npy [H, D], v.npy [H, D]; or else
 * {@code seed} (0) draws W_R ~ U(±1/√D) and u, v ~ N(0, 0.02²) in that order.
 */
@Component(service = PositionalEncoding.class)
@PositionalEncodingMethod(id = "transformer-xl", name = "Transformer-XL relative attention", family = "bias",
    paper = "Transformer-XL: Attentive Language Models Beyond a Fixed-Length Context", arxiv = "1901.02860",
    year = 2019, cost = "O(n^2 d)",
    options = {"weights=directory holding wr.npy [heads, dim, dim], u.npy [heads, dim], v.npy [heads, dim]",
        "seed=seed of W_R ~ U(+-1/sqrt(dim)), u, v ~ N(0, 0.02^2) (SplittableRandom); default 0"},
    symmetries = SymmetryCertificate.RELATIVE)
public final class TransformerXlRelative implements PositionalEncoding {

    @Override
    public EncodingForm form() {
        return EncodingForm.BIAS;
    }

    @Override
    public PositionalResult encode(PositionalCall call, ComputeBackend backend) {
        Tensor q = call.requireQ("transformer-xl reads the queries and keys");
        Embeddings.requireTokens(q, call.k());
        Tensor k = call.k();
        int heads = q.dim(1), d = q.dim(3), hk = k.dim(1);
        String dir = call.param("weights", "").strip();
        Tensor w, u, v;
        if (dir.isEmpty()) {
            SplittableRandom random = new SplittableRandom(call.intParam("seed", 0));
            w = ParameterTables.draw(random, ParameterTables.Draw.UNIFORM, 1 / Math.sqrt(d), heads, d, d);
            u = ParameterTables.draw(random, ParameterTables.Draw.NORMAL, 0.02, heads, d);
            v = ParameterTables.draw(random, ParameterTables.Draw.NORMAL, 0.02, heads, d);
        } else {
            String option = PositionalCall.option("weights");
            w = ParameterTables.read(option, Path.of(dir, "wr.npy"), "wr.npy [heads, dim, dim]", heads, d, d);
            u = ParameterTables.read(option, Path.of(dir, "u.npy"), "u.npy [heads, dim]", heads, d);
            v = ParameterTables.read(option, Path.of(dir, "v.npy"), "v.npy [heads, dim]", heads, d);
        }
        // W_R R_r for every relative distance r = pᵢ − pⱼ of the call, r = rMin + index
        long rMin = (long) call.queryOffset() - call.keyOffset() - (k.dim(2) - 1);
        int distances = q.dim(2) + k.dim(2) - 1;
        double[][][] projected = new double[heads][Math.max(distances, 0)][];
        for (int h = 0; h < heads; h++) {
            for (int r = 0; r < distances; r++) {
                projected[h][r] = project(w, h, d, rMin + r);
            }
        }
        return PositionalResult.bias(ContentBias.of(call, "transformer-xl", (z, h, i, j, pi, pj) -> {
            double[] wr = projected[h][(int) (pi - pj - rMin)];
            double[] qi = ContentBias.token(q, z, h, i), kj = ContentBias.token(k, z, h * hk / heads, j);
            double s = 0;
            for (int e = 0; e < d; e++) {
                s += (qi[e] + v.get(h, e)) * wr[e] + u.get(h, e) * kj[e];
            }
            return s;
        }));
    }

    /** W_R[h] R_r. */
    private static double[] project(Tensor w, int h, int d, long r) {
        double[] out = new double[d];
        for (int e = 0; e < d; e++) {
            double s = 0;
            for (int c = 0; c < d; c++) {
                s += w.get(h, e, c) * Sinusoids.concatenated(r, c, d, 10000);
            }
            out[e] = s;
        }
        return out;
    }
}

package org.attune.positional.bias;

import org.attune.api.backend.ComputeBackend;
import org.attune.api.position.EncodingForm;
import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.PositionalEncodingMethod;
import org.attune.api.position.PositionalResult;
import org.attune.api.position.SymmetryCertificate;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Random Fourier features of the position, added to the token embeddings. Tancik et al., "Fourier Features Let
 * Networks Learn High Frequency Functions in Low Dimensional Domains", arXiv:2006.10739, §5 (Gaussian mapping).
 * <pre>
 *   v = p / L,   γ(v)[2i] = cos(2π bᵢ v),  γ(v)[2i+1] = sin(2π bᵢ v),  bᵢ ~ N(0, σ²),  i &lt; E/2
 *   ⟨γ(v), γ(v')⟩ = Σᵢ cos(2π bᵢ (v − v'))    (depends only on the offset)
 * </pre>
 * The paper concatenates all cosines, then all sines; here each (cos, sin) pair is adjacent, so that it stays
 * inside one head and the per-head inner products are relative too (the features are the same).
 * q [B, H, Nq, D], k [B, Hkv, Nk, D], both of even embedding width E = H·D → q + γ, k + γ. Options:
 * {@code sigma} σ (default 10, the paper's typical scale), {@code length} L, the coordinate normaliser (default
 * 1024), {@code seed} of b (default 0).
 */
@Component(service = PositionalEncoding.class)
@PositionalEncodingMethod(id = "fourier-features", name = "Random Fourier features", family = "absolute",
    paper = "Fourier Features Let Networks Learn High Frequency Functions in Low Dimensional Domains",
    arxiv = "2006.10739", year = 2020,
    options = {"sigma=standard deviation of the Gaussian frequencies b; default 10",
        "length=L: position p has coordinate p/L; default 1024",
        "seed=seed of b (SplittableRandom); default 0",
        "frequencies=.npy file [E/2] of frequencies b; default seeded"},
    symmetries = SymmetryCertificate.LINEAR)
public final class RandomFourierFeatures implements PositionalEncoding {

    @Override
    public EncodingForm form() {
        return EncodingForm.ABSOLUTE;
    }

    @Override
    public PositionalResult encode(PositionalCall call, ComputeBackend backend) {
        int width = Embeddings.sharedWidth(call.q(), call.k());
        Embeddings.requireWidth(call.q(), call.k(), 2);
        double length = call.doubleParam("length", 1024);
        if (!(length > 0)) {
            throw new InvalidInputException(PositionalCall.option("length"), "expected a number > 0, got " + length);
        }
        Tensor b = ParameterTables.of(call, "frequencies", "[E/2]", ParameterTables.Draw.NORMAL,
            call.doubleParam("sigma", 10), width / 2);
        double[] freq = b.doubleData();
        Embeddings.Table gamma = (p, c, w) -> {
            double angle = 2 * Math.PI * freq[c / 2] * (p / length);
            return c % 2 == 0 ? Math.cos(angle) : Math.sin(angle);
        };
        return PositionalResult.tokens(Embeddings.add(call.q(), call.queryOffset(), gamma),
            Embeddings.add(call.k(), call.keyOffset(), gamma));
    }
}

package org.attune.positional.bias;

import org.attune.api.backend.ComputeBackend;
import org.attune.api.position.EncodingForm;
import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.PositionalEncodingMethod;
import org.attune.api.position.PositionalResult;
import org.attune.api.tensor.InvalidInputException;
import org.osgi.service.component.annotations.Component;

/**
 * A 1-D sinusoidal encoding laid along one of REOrder's patch orders. Kundu et al., "REOrdering Patches Improves
 * Vision Models", arXiv:2505.23751 (patch orders; the reference ViT takes the positional-embedding order
 * {@code pe_order} and the patch order apart). The token at position p is patch p of a row-major grid W wide and
 * H high; it receives the encoding of its index in the scan order O ({@link PatchOrderings}):
 * <pre>
 *   q'ₚ = qₚ + PE(rank_O(p)),   PE(s, 2i) = sin(s / base^(2i/E)),  PE(s, 2i+1) = cos(s / base^(2i/E))
 *   rank_O = O⁻¹:  O[rank_O(p)] = p,  rank_O(O[s]) = s
 * </pre>
 * Row-major is the plain {@code sinusoidal} encoding. Serialising the tokens in the order O and adding the 1-D
 * encoding by sequence index is the same as this encoding followed by the permutation O; the permutation itself
 * is not an encoding, because an encoding sees q and k but not v, so it cannot reorder key-value pairs (and
 * full attention is equivariant to it anyway). The Plackett–Luce policy that REOrder trains over orders is
 * training, not an encoding, and is not here. Every position of q and k must lie on the grid (p &lt; W·H).
 */
@Component(service = PositionalEncoding.class)
@PositionalEncodingMethod(id = "reorder", name = "REOrder patch-order encoding", family = "absolute",
    paper = "REOrdering Patches Improves Vision Models", arxiv = "2505.23751", year = 2025,
    options = {"order=row-major, column-major, diagonal, snake-diagonal, spiral or hilbert; default row-major",
        "width=W patches per grid row; default 4",
        "height=H grid rows; default W",
        "base=wavelength base of the 1-D encoding; default 10000"})
public final class PatchOrderEncoding implements PositionalEncoding {

    @Override
    public EncodingForm form() {
        return EncodingForm.ABSOLUTE;
    }

    @Override
    public PositionalResult encode(PositionalCall call, ComputeBackend backend) {
        Embeddings.requireTokens(call.q(), call.k());
        Embeddings.requireWidth(call.q(), call.k(), 2);
        int width = call.intParam("width", 4);
        int height = call.intParam("height", width);
        if (width < 1 || height < 1) {
            throw new InvalidInputException(PositionalCall.option(width < 1 ? "width" : "height"),
                "expected an integer >= 1, got " + Math.min(width, height));
        }
        int last = Math.max(call.queryOffset() + call.q().dim(2), call.keyOffset() + call.k().dim(2));
        if ((long) width * height < last) {
            throw new InvalidInputException(PositionalCall.option("height"), "expected a grid of at least " + last
                + " patches for the positions of q and k, got " + width + "x" + height);
        }
        int[] rank = PatchOrderings.of(call.param("order", "row-major").strip(), width, height).rank();
        double base = call.doubleParam("base", 10000);
        Embeddings.Table pe = (p, c, w) -> Sinusoids.interleaved(rank[(int) p], c, w, base);
        return PositionalResult.tokens(Embeddings.add(call.q(), call.queryOffset(), pe),
            Embeddings.add(call.k(), call.keyOffset(), pe));
    }
}

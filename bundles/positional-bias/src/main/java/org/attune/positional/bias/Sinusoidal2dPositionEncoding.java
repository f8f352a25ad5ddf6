package org.attune.positional.bias;

import org.attune.api.backend.ComputeBackend;
import org.attune.api.position.EncodingForm;
import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.PositionalEncodingMethod;
import org.attune.api.position.PositionalResult;
import org.attune.api.position.SymmetryCertificate;
import org.attune.api.tensor.InvalidInputException;
import org.osgi.service.component.annotations.Component;

/**
 * 2-D sinusoidal position encoding of a row-major token grid W wide: half of the embedding encodes the column,
 * half the row, each as a concatenated 1-D sin/cos encoding. He et al., "Masked Autoencoders Are Scalable
 * Vision Learners", arXiv:2111.06377 (reference code {@code get_2d_sincos_pos_embed}: ωₖ = base^(−k/(E/4)),
 * [sin, cos] concatenated, the column half first).
 * <pre>
 *   p = offset + t,  (x, y) = (p mod W, ⌊p/W⌋)
 *   PE(p) = [sin(x·ω), cos(x·ω), sin(y·ω), cos(y·ω)],  ωₖ = base^(−4k/E), k &lt; E/4
 * </pre>
 * q [B, H, Nq, D], k [B, Hkv, Nk, D], embedding widths divisible by 4 → q + PE, k + PE. Options: {@code width}
 * W (default √Nq when a square), {@code base} (10000). Inner products ⟨PE(p), PE(p')⟩ depend only on the 2-D
 * offset, so shifting by whole rows leaves them unchanged.
 */
@Component(service = PositionalEncoding.class)
@PositionalEncodingMethod(id = "sinusoidal-2d", name = "2-D sinusoidal positional encoding", family = "absolute",
    paper = "Masked Autoencoders Are Scalable Vision Learners", arxiv = "2111.06377", year = 2021,
    options = {"width=grid width W: token p sits at column p%W, row p/W; default sqrt(seq) when seq is a square",
        "base=wavelength base; default 10000"},
    symmetries = SymmetryCertificate.LINEAR + "(width=4)")
public final class Sinusoidal2dPositionEncoding implements PositionalEncoding {

    @Override
    public EncodingForm form() {
        return EncodingForm.ABSOLUTE;
    }

    @Override
    public PositionalResult encode(PositionalCall call, ComputeBackend backend) {
        Embeddings.requireTokens(call.q(), call.k());
        Embeddings.requireWidth(call.q(), call.k(), 4);
        double base = call.doubleParam("base", 10000);
        int width = gridWidth(call);
        Embeddings.Table pe = (p, c, w) -> c < w / 2
            ? Sinusoids.concatenated(Math.floorMod(p, width), c, w / 2, base)
            : Sinusoids.concatenated(Math.floorDiv(p, width), c - w / 2, w / 2, base);
        return PositionalResult.tokens(Embeddings.add(call.q(), call.queryOffset(), pe),
            Embeddings.add(call.k(), call.keyOffset(), pe));
    }

    /** The {@code width} parameter, default √Nq when Nq is a square. */
    static int gridWidth(PositionalCall call) {
        int n = call.q().dim(2);
        int root = (int) Math.round(Math.sqrt(n));
        int w = call.intParam("width", root * root == n ? root : -1);
        if (w < 1) {
            throw new InvalidInputException(PositionalCall.option("width"), w == -1
                ? "expected the grid width; the query length " + n + " is not a square" : "expected >= 1, got " + w);
        }
        return w;
    }
}

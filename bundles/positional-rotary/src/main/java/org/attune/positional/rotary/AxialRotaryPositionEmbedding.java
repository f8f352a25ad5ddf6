package org.attune.positional.rotary;

import java.util.Map;

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
 * Axial 2-D rotary embedding: tokens lie row-major on a grid W wide; the first half of each head's channels is
 * rotated by the token's column x, the second half by its row y, each half as 1-D RoPE of dimension D/2 (the
 * layout of the reference code, naver-ai/rope-vit {@code compute_axial_cis}: x frequencies first, complex
 * pairs (2i, 2i+1), hence the default convention {@code interleaved}).
 * Heo et al., "Rotary Position Embedding for Vision Transformer", arXiv:2403.13298, eq. (9) (RoPE-Axial).
 * <pre>
 *   p = offset + t,  (x, y) = (p mod W, ⌊p / W⌋)
 *   v' = [R_{D/2}(x) v[0 : D/2],  R_{D/2}(y) v[D/2 : D]],   θᵢ = base^(−4i/D), i < D/4
 *   ⟨v'_q, v'_k⟩ depends only on (x_q − x_k, y_q − y_k)
 * </pre>
 * q [B, H, Nq, D], k [B, Hkv, Nk, D], D divisible by 4 → q', k' of the same shapes. Options: {@code width} W
 * (default √N when the query length N is a square), {@code base} (10000; rope-vit uses 100),
 * {@code convention} (interleaved).
 * Shifting every position by whole rows (multiples of W) leaves the logits unchanged.
 */
@Component(service = PositionalEncoding.class)
@PositionalEncodingMethod(id = "rope-2d", name = "Axial 2-D RoPE", family = "rotary",
    paper = "Rotary Position Embedding for Vision Transformer", arxiv = "2403.13298", year = 2024,
    options = {"width=grid width W: token p sits at row p/W, column p%W; default sqrt(seq) when seq is a square",
        "base=rotary base; default 10000",
        "convention=interleaved (default, as rope-vit) or half, within each half of the head"},
    symmetries = SymmetryCertificate.RELATIVE + "(width=4)")
public final class AxialRotaryPositionEmbedding implements PositionalEncoding {

    @Override
    public EncodingForm form() {
        return EncodingForm.ROTARY;
    }

    @Override
    public PositionalResult encode(PositionalCall call, ComputeBackend backend) {
        TokenVectors.requireDims(call.q(), call.k(), 4);
        int d = call.q().dim(3);
        int width = width(call);
        RotaryConvention c = RotaryConvention.of(call.withParams(Map.of("convention",
            call.param("convention", "interleaved"))));
        RotaryTables half = new RotaryTables(RotaryTables.standard(d / 2, RotaryTables.base(call)), 1);
        TokenVectors.Map axial = (v, p) -> {
            half.rotate(v, 0, Math.floorMod(p, width), c);
            half.rotate(v, d / 2, Math.floorDiv(p, width), c);
        };
        return PositionalResult.tokens(TokenVectors.map(call.q(), call.queryOffset(), axial),
            TokenVectors.map(call.k(), call.keyOffset(), axial));
    }

    private static int width(PositionalCall call) {
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

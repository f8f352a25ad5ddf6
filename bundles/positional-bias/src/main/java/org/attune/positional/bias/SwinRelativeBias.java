package org.attune.positional.bias;

import java.util.Locale;

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
 * Swin's relative position bias table: one learned scalar per head and 2-D offset inside an M_h × M_w window.
 * Liu et al., "Swin Transformer: Hierarchical Vision Transformer using Shifted Windows", arXiv:2103.14030,
 * eq. (4); index transcribed from the reference {@code relative_position_index} (microsoft/Swin-Transformer).
 * <pre>
 *   p = offset + t,  (y, x) = (⌊p / M_w⌋, p mod M_w)
 *   index(i, j) = (yᵢ − yⱼ + M_h − 1)·(2M_w − 1) + (xᵢ − xⱼ + M_w − 1)
 *   b[h, i, j] = table[index(i, j), h]
 * </pre>
 * Bias [H, Nq, Nk] float64 for the tokens of one window (row-major, M_w wide); an offset outside the window's
 * range is an error naming the lengths. Options: {@code window} M or {@code MhxMw} (default 7), {@code table=FILE.npy}
 * [(2M_h−1)(2M_w−1), H], or else {@code seed} (0) draws it from a normal of σ 0.02 truncated at ±2σ (the
 * reference's {@code trunc_normal_(std=.02)}).
 */
@Component(service = PositionalEncoding.class)
@PositionalEncodingMethod(id = "swin", name = "Swin relative position bias", family = "bias",
    paper = "Swin Transformer: Hierarchical Vision Transformer using Shifted Windows", arxiv = "2103.14030",
    year = 2021, cost = "O(n^2)",
    options = {"window=window size M or MhxMw; tokens are row-major, Mw wide; default 7",
        "table=.npy file [(2Mh-1)*(2Mw-1), heads]; default a seeded table",
        "seed=seed of the truncated-normal(0.02) table (SplittableRandom); default 0"},
    symmetries = SymmetryCertificate.RELATIVE + "(width=7)")
public final class SwinRelativeBias implements PositionalEncoding {

    @Override
    public EncodingForm form() {
        return EncodingForm.BIAS;
    }

    @Override
    public PositionalResult encode(PositionalCall call, ComputeBackend backend) {
        String window = call.param("window", "7").strip();
        int mh, mw;
        try {
            String[] parts = window.toLowerCase(Locale.ROOT).split("x", -1);
            mh = Integer.parseInt(parts[0].strip());
            mw = parts.length > 1 ? Integer.parseInt(parts[1].strip()) : mh;
            if (parts.length > 2 || mh < 1 || mw < 1) {
                throw new NumberFormatException(window);
            }
        } catch (NumberFormatException e) {
            throw new InvalidInputException(PositionalCall.option("window"), "expected M or MhxMw with sizes >= 1, got '"
                + window + "'");
        }
        int heads = call.q() != null ? call.q().dim(1) : call.heads();
        Tensor table = ParameterTables.of(call, "table", "[(2Mh-1)*(2Mw-1), heads]",
            ParameterTables.Draw.TRUNCATED_NORMAL, 0.02, (2 * mh - 1) * (2 * mw - 1), heads);
        int rows = mh, cols = mw;
        return PositionalResult.bias(BiasTables.of(call, (h, i, j) -> {
            long dy = Math.floorDiv(i, cols) - Math.floorDiv(j, cols);
            if (Math.abs(dy) >= rows) {
                throw new InvalidInputException("--nq, --nk", "positions " + i + " and " + j + " are " + Math.abs(dy)
                    + " rows apart; a " + rows + "x" + cols + " window spans at most " + (rows - 1));
            }
            long dx = Math.floorMod(i, cols) - Math.floorMod(j, cols);
            return table.get((int) ((dy + rows - 1) * (2 * cols - 1) + dx + cols - 1), h);
        }));
    }
}

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
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Conditional position encoding by a position encoding generator (PEG): a depthwise 3×3 convolution over the
 * token grid, added to the tokens, so that the encoding is computed from the neighbourhood of each token.
 * Chu et al., "Conditional Positional Encodings for Vision Transformers", arXiv:2102.10882, §3.2 (PEG with
 * F = depthwise conv, zero padding 1); used by Twins (arXiv:2104.13840).
 * <pre>
 *   X[c, y, x] = token (y·W + x), channel c of its embedding (width E = H·D)
 *   X' = X + DWConv₃ₓ₃(X) + bias,  DWConv(X)[c, y, x] = Σ_{dy,dx ∈ {−1,0,1}} K[c, dy+1, dx+1] · X[c, y+dy, x+dx]
 * </pre>
 * applied to q and to k (each its own grid, both of width E). Outside the grid X is 0 ({@code padding=zero},
 * the paper's) or wraps around ({@code padding=circular}, under which PEG commutes with circular shifts of the
 * grid). q [B, H, Nq, D], k [B, Hkv, Nk, D], lengths multiples of W → q', k'. Options: {@code width} W (default
 * √Nq), {@code padding}, {@code weights=FILE.npy} K [E, 3, 3] (zero bias), or else {@code seed} (0) draws
 * K ~ U(±1/3) (PyTorch's default for fan-in 9) and a bias ~ U(±1/3).
 */
@Component(service = PositionalEncoding.class)
@PositionalEncodingMethod(id = "peg", name = "Conditional position encoding (PEG)", family = "conditional",
    paper = "Conditional Positional Encodings for Vision Transformers", arxiv = "2102.10882", year = 2021,
    options = {"width=grid width W; default sqrt(seq) when seq is a square",
        "padding=zero (default, as the paper) or circular",
        "weights=.npy file [E, 3, 3] of the depthwise kernel, E = heads*dim; default seeded",
        "seed=seed of kernel and bias ~ U(+-1/3) (SplittableRandom); default 0"},
    symmetries = SymmetryCertificate.GRID_SHIFT + "(padding=circular,width=4)")
public final class PositionEncodingGenerator implements PositionalEncoding {

    @Override
    public EncodingForm form() {
        return EncodingForm.CONDITIONAL;
    }

    @Override
    public PositionalResult encode(PositionalCall call, ComputeBackend backend) {
        int e = Embeddings.sharedWidth(call.q(), call.k());
        int width = Sinusoidal2dPositionEncoding.gridWidth(call);
        String padding = call.param("padding", "zero").strip();
        if (!padding.equals("zero") && !padding.equals("circular")) {
            throw new InvalidInputException(PositionalCall.option("padding"), "expected zero or circular, got '" + padding + "'");
        }
        Tensor kernel, bias;
        String file = call.param("weights", "").strip();
        if (file.isEmpty()) {
            SplittableRandom random = new SplittableRandom(call.intParam("seed", 0));
            kernel = ParameterTables.draw(random, ParameterTables.Draw.UNIFORM, 1.0 / 3, e, 3, 3);
            bias = ParameterTables.draw(random, ParameterTables.Draw.UNIFORM, 1.0 / 3, e);
        } else {
            kernel = ParameterTables.read(PositionalCall.option("weights"), Path.of(file), "[E, 3, 3]", e, 3, 3);
            bias = Tensor.zeros(DType.FLOAT64, e);
        }
        boolean circular = padding.equals("circular");
        return PositionalResult.tokens(convolve(call.q(), "q", width, kernel, bias, circular),
            convolve(call.k(), "k", width, kernel, bias, circular));
    }

    private static Tensor convolve(Tensor t, String argument, int width, Tensor kernel, Tensor bias, boolean circular) {
        int b = t.dim(0), h = t.dim(1), n = t.dim(2), d = t.dim(3);
        if (n % width != 0) {
            throw new InvalidInputException(argument, "expected a length that fills rows of width " + width + ", got " + n);
        }
        int rows = n / width;
        Tensor out = Tensor.zeros(t.dtype(), t.shape());
        for (int z = 0; z < b; z++) {
            for (int a = 0; a < h; a++) {
                for (int e = 0; e < d; e++) {
                    int c = a * d + e;
                    for (int y = 0; y < rows; y++) {
                        for (int x = 0; x < width; x++) {
                            double s = t.get(z, a, y * width + x, e) + bias.get(c);
                            for (int dy = -1; dy <= 1; dy++) {
                                for (int dx = -1; dx <= 1; dx++) {
                                    int yy = y + dy, xx = x + dx;
                                    if (circular) {
                                        yy = Math.floorMod(yy, rows);
                                        xx = Math.floorMod(xx, width);
                                    } else if (yy < 0 || yy >= rows || xx < 0 || xx >= width) {
                                        continue;
                                    }
                                    s += kernel.get(c, dy + 1, dx + 1) * t.get(z, a, yy * width + xx, e);
                                }
                            }
                            out.set(s, z, a, y * width + x, e);
                        }
                    }
                }
            }
        }
        return out;
    }
}

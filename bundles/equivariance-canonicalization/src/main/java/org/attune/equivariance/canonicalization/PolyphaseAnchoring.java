package org.attune.equivariance.canonicalization;

import java.util.SplittableRandom;

import org.attune.api.method.Parameters;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.equivariance.EquivarianceMethod;
import org.attune.api.equivariance.EquivariantMethod;
import org.attune.api.equivariance.GeometricInput;
import org.attune.api.equivariance.GeometricOutput;
import org.attune.api.tensor.InvalidInputException;
import org.osgi.service.component.annotations.Component;

/**
 * Adaptive polyphase anchoring before a stride-s patch embedding. Ding, Soselia, Armstrong, Su and Huang,
 * "Reviving Shift Equivariance in Vision Transformers", arXiv:2306.07470 (the adaptive polyphase anchoring
 * algorithm), after Chaman and Dokmanić's adaptive polyphase sampling (arXiv:2011.14214); checked against the
 * authors' {@code models/poly_utils.py} ({@code PolyOrder}: L2 norm of each polyphase component over channels
 * and grid, first maximum, roll the anchor to the origin, then the strided {@code Conv2d}). For an image
 * x [C, H, W] with s | H and s | W:
 * <pre>
 *   (i*, j*) = argmax_{(i, j) ∈ [0, s)²} ‖x[:, i::s, j::s]‖₂          (first maximum in the order i·s + j)
 *   anchor   = (i*, j*)                                                       (invariant=false)
 *   anchor   = (i* + s·a*, j* + s·b*),  (a*, b*) = argmax_{(a, b)} ‖x[:, i* + s·a, j* + s·b]‖₂  (invariant=true)
 *   y[c][u][v] = x[c][(u + anchor₀) mod H][(v + anchor₁) mod W]           (the anchor rolled to the origin)
 *   tokens   = PatchEmbed_s(y)  ∈ [out, H/s, W/s]                             ({@link ImageConv}, k = s, stride s)
 * </pre>
 * A circular shift by t permutes the polyphase components, so the anchor of the shifted image is the shifted
 * anchor, (i* + t) mod s: the anchored input moves by a multiple of s only, and the token grid of roll(x, t) is
 * the token grid of x rolled by (t + i* − i′*)/s tokens per axis, for any t, not only multiples of s (exactly:
 * each token is the same dot product of the same pixels). With {@code invariant=true} the anchor is one pixel of
 * the whole grid and the tokens are invariant. Any pooling over tokens is then shift-invariant: the "100%
 * consistency" of the paper. Exact when the maximal norm is unique; among exactly equal norms the first in the
 * order above wins (torch's {@code argmax}), which is deterministic but, for an input whose tied components
 * differ, a fixed choice rather than a shifted one. Norms are summed in float64.
 *
 * <p>feats: the image [C, H, W] (or [H, W], one channel) → feats: tokens [out, H/s, W/s] in the input's element
 * type; coords are not used and not returned. The depthwise-convolution position encoding and the anchored
 * window and subsampled attention of the paper are not part of this operator. Options: {@code stride} (s,
 * default 2), {@code out} (embedding width, default 8), {@code invariant} (default false). Weights: the patch
 * embedding from {@code SplittableRandom(seed)} ({@link ImageConv}).
 *
 * <p>No symmetry claim is declared: the token grid moves by an input-dependent number of tokens (or, with
 * {@code invariant=true}, not at all), which the shared certifier's one action on input and output cannot
 * describe. The tests check both properties directly with the {@code Z_N^2} image action.
 */
@Component(service = EquivariantMethod.class)
@EquivarianceMethod(id = "polyphase-anchoring", name = "Adaptive polyphase anchoring", family = "canonicalization",
    paper = "Reviving Shift Equivariance in Vision Transformers", arxiv = "2306.07470", year = 2023,
    cost = "O(s²·H·W + H·W·C·out)",
    options = {"stride=patch size and stride s; must divide H and W (default 2)",
        "out=embedding width (default 8)",
        "invariant=true: also anchor the token grid at its largest-norm token, so the tokens are shift-invariant (default false)"})
public final class PolyphaseAnchoring implements EquivariantMethod {
    @Override
    public GeometricOutput apply(GeometricInput in, ComputeBackend backend) {
        Image x = Image.of(in);
        Parameters options = in.parameters();
        int s = options.integer("stride", 2, 1);
        int out = options.integer("out", 8, 1);
        boolean invariant = options.flag("invariant", false);
        if (x.height() % s != 0 || x.width() % s != 0) {
            throw new InvalidInputException("feats", "expected an image [C, H, W] with H and W multiples of the stride "
                + s + ", got H = " + x.height() + ", W = " + x.width());
        }
        int[] a = anchor(x, s, invariant);
        ImageConv embed = ImageConv.init(new SplittableRandom(in.seed()), x.channels(), out, s, s, 0);
        return new GeometricOutput(null, embed.apply(backend, x.rollToOrigin(a[0], a[1])).data());
    }

    /** The anchor pixel (row, column) of an image for stride s (see the class documentation). */
    static int[] anchor(Image x, int s, boolean invariant) {
        int rows = x.height() / s;
        int cols = x.width() / s;
        double best = -1;
        int bi = 0;
        int bj = 0;
        for (int i = 0; i < s; i++) {
            for (int j = 0; j < s; j++) {
                double norm = 0;
                for (int a = 0; a < rows; a++) {
                    for (int b = 0; b < cols; b++) {
                        norm += energy(x, i + s * a, j + s * b);
                    }
                }
                if (norm > best) {
                    best = norm;
                    bi = i;
                    bj = j;
                }
            }
        }
        if (!invariant) {
            return new int[] {bi, bj};
        }
        best = -1;
        int ta = 0;
        int tb = 0;
        for (int a = 0; a < rows; a++) {
            for (int b = 0; b < cols; b++) {
                double norm = energy(x, bi + s * a, bj + s * b);
                if (norm > best) {
                    best = norm;
                    ta = a;
                    tb = b;
                }
            }
        }
        return new int[] {bi + s * ta, bj + s * tb};
    }

    /** Σ_c x[c][i][j]², the squared norm of one pixel over the channels. */
    private static double energy(Image x, int i, int j) {
        double e = 0;
        for (int c = 0; c < x.channels(); c++) {
            double v = x.at(c, i, j);
            e += v * v;
        }
        return e;
    }
}

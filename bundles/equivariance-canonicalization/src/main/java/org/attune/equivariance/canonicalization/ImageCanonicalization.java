package org.attune.equivariance.canonicalization;

import org.attune.api.method.Parameters;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.equivariance.EquivarianceMethod;
import org.attune.api.equivariance.EquivariantMethod;
import org.attune.api.equivariance.GeometricInput;
import org.attune.api.equivariance.GeometricOutput;
import org.osgi.service.component.annotations.Component;

/**
 * Canonicalization of images under quarter turns (C_4), the image form of {@link Canonicalization}. Kaba, Mondal,
 * Zhang, Bengio and Ravanbakhsh, "Equivariance with Learned Canonicalization Functions", arXiv:2211.06489,
 * Section 3 (equations (1)–(2)) and Section 4.1 (argmax of a G-equivariant network's scores over a discrete group);
 * Mondal et al., arXiv:2310.01647, use the same C_4 canonicalizer in front of pretrained image models. With the
 * scores s of {@link QuarterTurnScorer}, the backbone φ of {@link ImageBackbone} and r the counter-clockwise
 * quarter turn (the {@code image} action of {@code C_4}):
 * <pre>
 *   k*  = argmax_k s_k(x)                         (lowest k among exactly equal scores)
 *   out = r^{k*} · φ(r^{−k*} · x)                  C_4-equivariant      (invariant=false)
 *   out = φ(r^{−k*} · x)                           C_4-invariant        (invariant=true)
 * </pre>
 * Since s(r^j·x)_k = s(x)_{k−j} exactly, k*(r^j·x) = k*(x) + j (mod 4) and the canonical image r^{−k*}·x is the same,
 * bit for bit, for the whole orbit, for any backbone: exact in float32 too. A tie of the top scores (an image with
 * a rotational symmetry, or a coincidence) takes the lowest k, which keeps the invariant output invariant when the
 * tied canonical images coincide. A non-square image has only the half turn: k ∈ {0, 2} (C_2).
 *
 * <p>feats: the image [C, H, W] (or [H, W], one channel) → feats [out, H, W] in the input's element type; coords
 * are not used and not returned. Options: {@code hidden} (scorer and backbone width, default 8), {@code out}
 * (default C), {@code invariant} (default false). Weights: the backbone from the input's seed, the scorer from
 * seed XOR 0x5DEECE66D.
 *
 * <p>Claims {@code C_4(feats=image)} and {@code C_2(feats=image)} (the certifier draws square [2, 8, 8] images);
 * the tests also certify the invariant variant and the half turn of non-square images.
 */
@Component(service = EquivariantMethod.class)
@EquivarianceMethod(id = "image-canonicalization", name = "Learned canonicalization (C_4, images)",
    family = "canonicalization", paper = "Equivariance with Learned Canonicalization Functions", arxiv = "2211.06489",
    year = 2023, cost = "O(4·H·W·C·hidden)", symmetries = {"C_4(feats=image)", "C_2(feats=image)"},
    options = {"hidden=scorer and backbone width (default 8)", "out=output channels (default: input channels)",
        "invariant=true: return φ of the canonical image without turning it back (default false)"})
public final class ImageCanonicalization implements EquivariantMethod {
    static final long SCORER_SEED = 0x5DEECE66DL;

    @Override
    public GeometricOutput apply(GeometricInput in, ComputeBackend backend) {
        Image x = Image.of(in);
        Parameters options = in.parameters();
        int hidden = options.integer("hidden", 8, 1);
        int out = options.integer("out", x.channels(), 1);
        boolean invariant = options.flag("invariant", false);
        int k = canonicalTurn(QuarterTurnScorer.init(in.seed() ^ SCORER_SEED, x.channels(), hidden).scores(backend, x));
        Image y = ImageBackbone.init(in.seed(), x.channels(), hidden, out).apply(backend, x.rot90(-k));
        return new GeometricOutput(null, (invariant ? y : y.rot90(k)).data());
    }

    /** argmax_k s_k, the lowest k among exactly equal scores. */
    static int canonicalTurn(double[] s) {
        int best = 0;
        for (int k = 1; k < s.length; k++) {
            if (s[k] > s[best]) {
                best = k;
            }
        }
        return best;
    }
}

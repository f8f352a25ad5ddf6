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
 * EGformer's equirectangular relative position embedding (ERPE): the logit bias of attention inside one vertical
 * or horizontal stripe of an equirectangular (360°) image, the signed chord length between the two pixels'
 * directions on the unit sphere. Yun et al., "EGformer: Equirectangular Geometry-biased Transformer for 360 Depth
 * Estimation", arXiv:2304.07803 (ERPE), transcribed from the authors' {@code models/egformer.py}
 * ({@code VRPE}, {@code HRPE}, {@code EGAttention}; stripe width 1).
 * <pre>
 *   vertical (a column of n pixels):     Δ = (pⱼ − pᵢ)·π/(n − 1),   w = 1
 *   horizontal (row k of n pixels):      Δ = (pⱼ − pᵢ)·2π/(n − 1),  w = sin(kπ/height)
 *   b[h, i, j] = level · w · s(Δ) · √(2(1 − cos Δ)),   s(Δ) = +1 for Δ &gt; 0, −1 otherwise
 * </pre>
 * √(2(1 − cos Δ)) = 2|sin(Δ/2)| is the chord between two directions Δ apart on a great circle (a meridian, or
 * the parallel of latitude kπ/height, whose radius is w). The reference lays the angles out with
 * {@code torch.linspace(0, n, n)}, a step of n/(n − 1) pixels, so angle (n − 1)·π/(n − 1) = π is reached at the
 * last pixel; transcribed as is. The reference keeps the sign s (its comment: set it off to make the horizontal
 * bias cyclic); {@code signed=false} drops it, which makes the bias symmetric and, horizontally, periodic in
 * j with period n − 1. Same bias for every head; bias [H, Nq, Nk] float64, the call's sequence being the stripe.
 * EGformer feeds this bias to its own distance-aware score (DAS), not to a softmax; here it is the additive
 * bias alone, for any attention.
 */
@Component(service = PositionalEncoding.class)
@PositionalEncodingMethod(id = "egformer", name = "EGformer ERPE", family = "bias",
    paper = "EGformer: Equirectangular Geometry-biased Transformer for 360 Depth Estimation", arxiv = "2304.07803",
    year = 2023, cost = "O(n^2)",
    options = {"direction=vertical (a column) or horizontal (a row); default vertical",
        "length=n, the stripe's pixel count that sets the angle step; default the key length",
        "row=k, the image row of a horizontal stripe (with height); default 0",
        "height=image height in pixels for the latitude weight sin(kπ/height); default 0: weight 1",
        "level=bias level; default 0.1 (the reference's bias_level)",
        "signed=true (reference) or false (unsigned chord); default true"},
    symmetries = {SymmetryCertificate.RELATIVE, SymmetryCertificate.SYMMETRIC + "(signed=false)"})
public final class EquirectangularBias implements PositionalEncoding {

    @Override
    public EncodingForm form() {
        return EncodingForm.BIAS;
    }

    @Override
    public PositionalResult encode(PositionalCall call, ComputeBackend backend) {
        String direction = call.param("direction", "vertical").strip();
        if (!direction.equals("vertical") && !direction.equals("horizontal")) {
            throw new InvalidInputException(PositionalCall.option("direction"),
                "expected vertical or horizontal, got '" + direction + "'");
        }
        boolean horizontal = direction.equals("horizontal");
        int n = call.intParam("length", call.k() != null ? call.k().dim(2) : call.nk());
        if (n < 2) {
            throw new InvalidInputException(PositionalCall.option("length"), "expected an integer >= 2, got " + n);
        }
        int height = call.intParam("height", 0), row = call.intParam("row", 0);
        if (height < 0 || row < 0 || height > 0 && row >= height) {
            throw new InvalidInputException(PositionalCall.option("row"), "expected 0 <= row < height, got row " + row
                + ", height " + height);
        }
        String signed = call.param("signed", "true").strip();
        if (!signed.equals("true") && !signed.equals("false")) {
            throw new InvalidInputException(PositionalCall.option("signed"), "expected true or false, got '" + signed + "'");
        }
        boolean sign = signed.equals("true");
        double weight = horizontal && height > 0 ? Math.sin(row * Math.PI / height) : 1;
        double scale = call.doubleParam("level", 0.1) * weight;
        double step = (horizontal ? 2 * Math.PI : Math.PI) / (n - 1);
        return PositionalResult.bias(BiasTables.of(call, (h, i, j) -> {
            double delta = (j - i) * step;
            double chord = 2 * Math.abs(Math.sin(delta / 2));
            return scale * (sign && delta <= 0 ? -chord : chord);
        }));
    }
}

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
 * xPos: RoPE with an exponential decay per frequency, queries scaled up and keys down, so that the logit decays
 * with distance ζᵢ^((m−n)/γ) while staying relative. Sun et al., "A Length-Extrapolatable Transformer",
 * arXiv:2212.10554, eqs. (8)–(9); conventions from the reference code (microsoft/torchscale {@code XPOS}:
 * interleaved pairs, scale base γ = 512, positions centred before exponentiation).
 * <pre>
 *   ζᵢ = (2i/D + 0.4) / 1.4,   θᵢ = base^(−2i/D)
 *   q'ₘ = ζ^((m − c)/γ) ⊙ R(m) qₘ,   k'ₙ = ζ^(−(n − c)/γ) ⊙ R(n) kₙ
 *   ⟨q'ₘ, k'ₙ⟩ = Σᵢ ζᵢ^((m−n)/γ) · (pair i of ⟨R(m) q, R(n) k⟩)
 * </pre>
 * with the centre c = lo + ⌈(hi − lo)/2⌉ of the positions present in the call, lo = min(queryOffset, keyOffset),
 * hi = max(queryOffset + Nq, keyOffset + Nk), common to q and k, so that it cancels in the logits. torchscale
 * centres at ⌈(L + offset)/2⌉ over [0, L + offset), which is the same when the positions start at 0; centring on
 * the positions present keeps ζ^(±·) finite for a window anywhere (ζ^(±10⁶/512) would over- and underflow).
 * q [B, H, Nq, D], k [B, Hkv, Nk, D], D even → q', k'. Options: {@code scale-base} γ (512), {@code base} (10000),
 * {@code convention} (interleaved, as torchscale).
 */
@Component(service = PositionalEncoding.class)
@PositionalEncodingMethod(id = "xpos", name = "xPos", family = "rotary",
    paper = "A Length-Extrapolatable Transformer", arxiv = "2212.10554", year = 2022,
    options = {"scale-base=gamma: decay exponent (m-n)/gamma; default 512", "base=rotary base; default 10000",
        "convention=interleaved (default, as torchscale) or half"},
    symmetries = SymmetryCertificate.RELATIVE)
public final class XPos implements PositionalEncoding {

    @Override
    public EncodingForm form() {
        return EncodingForm.ROTARY;
    }

    @Override
    public PositionalResult encode(PositionalCall call, ComputeBackend backend) {
        TokenVectors.requireDims(call.q(), call.k(), 2);
        int d = call.q().dim(3);
        double gamma = call.doubleParam("scale-base", 512);
        if (!(gamma > 0)) {
            throw new InvalidInputException(PositionalCall.option("scale-base"), "expected a number > 0, got " + gamma);
        }
        RotaryConvention c = RotaryConvention.of(call.withParams(Map.of("convention",
            call.param("convention", "interleaved"))));
        RotaryTables tables = new RotaryTables(RotaryTables.standard(d, RotaryTables.base(call)), 1);
        long lo = Math.min(call.queryOffset(), call.keyOffset());
        long hi = Math.max((long) call.queryOffset() + call.q().dim(2), (long) call.keyOffset() + call.k().dim(2));
        long centre = lo + (hi - lo + 1) / 2;
        double[] zeta = new double[d / 2];
        for (int i = 0; i < zeta.length; i++) {
            zeta[i] = (2.0 * i / d + 0.4) / 1.4;
        }
        return PositionalResult.tokens(
            TokenVectors.map(call.q(), call.queryOffset(), (v, p) -> decayed(tables, zeta, v, p, (p - centre) / gamma, c)),
            TokenVectors.map(call.k(), call.keyOffset(), (v, p) -> decayed(tables, zeta, v, p, -(p - centre) / gamma, c)));
    }

    private static void decayed(RotaryTables tables, double[] zeta, double[] v, long p, double exponent,
                                RotaryConvention c) {
        tables.rotate(v, 0, p, c);
        int m = zeta.length;
        for (int i = 0; i < m; i++) {
            double scale = Math.pow(zeta[i], exponent);
            v[c.first(0, m, i)] *= scale;
            v[c.second(0, m, i)] *= scale;
        }
    }
}

package org.attune.positional.rotary;

import static org.attune.positional.rotary.Fixtures.array;
import static org.attune.positional.rotary.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.PositionalResult;
import org.attune.api.position.SymmetryCertificate;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class XPosTest extends RotaryContract {

    @Override
    PositionalEncoding method() {
        return new XPos();
    }

    @Override
    List<String> claims() {
        return List.of(SymmetryCertificate.RELATIVE);
    }

    /**
     * torchscale {@code XPOS.forward(x, offset=0)} on a self-attention call of length 40 (centre ⌈40/2⌉ = 20):
     * q scaled by ζ^((n−20)/512), k by ζ^(−(n−20)/512), interleaved rotation.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesFloat64Reference(DType dtype) {
        Fixtures f = new Fixtures(40);
        int d = 32;
        Tensor q = f.uniform(dtype, 1, 2, 40, d), k = f.uniform(dtype, 1, 2, 40, d);
        PositionalResult r = method().encode(PositionalCall.tokens(q, k), Fixtures.BACKEND);
        double[] theta = Float64Rotary.theta(d, 10000);
        Float64Rotary.PairScale up = (p, i) -> Math.pow((2.0 * i + 0.4 * d) / (1.4 * d), (p - 20) / 512.0);
        Float64Rotary.PairScale down = (p, i) -> 1 / up.of(p, i);
        assertClose("q", Float64Rotary.rotate(array(q), 0, theta, true, up), r.q(), Fixtures.tolerance(dtype));
        assertClose("k", Float64Rotary.rotate(array(k), 0, theta, true, down), r.k(), Fixtures.tolerance(dtype));
    }

    @Test
    void scoresDecayWithDistanceAndReduceToRopeAsTheScaleBaseGrows() {
        Fixtures f = new Fixtures(41);
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 50, 16);
        PositionalCall call = PositionalCall.tokens(q, q).withParams(Map.of("convention", "interleaved"));
        Tensor rope = new RotaryPositionEmbedding().encode(call, Fixtures.BACKEND).q();
        Tensor wide = method().encode(call.withParams(Map.of("scale-base", "1e12")), Fixtures.BACKEND).q();
        Fixtures.assertSame("scale-base 1e12 vs RoPE", rope, wide, 1e-9);
        // identical unit vectors: the logit of x'_m, x'_0 is Σᵢ ζᵢ^(m/γ)·(pair i of ⟨R(m)x, x⟩) with ζ < 1
        Tensor ones = Tensor.zeros(DType.FLOAT64, 1, 1, 2, 2);
        ones.set(1, 0, 0, 0, 0);
        ones.set(1, 0, 0, 1, 0);
        PositionalResult r = method().encode(PositionalCall.tokens(ones, ones).withOffsets(0, 0)
            .withParams(Map.of("scale-base", "2", "base", "1e30")), Fixtures.BACKEND);
        double near = r.q().get(0, 0, 1, 0) * r.k().get(0, 0, 0, 0);
        assertTrue(near < 1 && near > 0, "zeta^(1/2) for pair 0 at distance 1: " + near);
    }
}

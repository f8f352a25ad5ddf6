package org.attune.positional.rotary;

import static org.attune.positional.rotary.Fixtures.array;
import static org.attune.positional.rotary.Fixtures.assertClose;

import java.util.List;
import java.util.Map;

import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalResult;
import org.attune.api.position.SymmetryCertificate;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What every RoPE context-scaling variant must do besides the rotary contract: reduce to plain RoPE at factor 1,
 * and match the float64 transcription of its frequency formula (with its attention factor) at a factor > 1.
 */
abstract class ScalingContract extends RotaryContract {

    /** Parameters that make the variant plain RoPE. */
    abstract Map<String, String> identityParams();

    /** Parameters of a real extension, for the reference test. */
    abstract Map<String, String> scaledParams();

    /** Float64 transcription: θ' for head dimension d under {@link #scaledParams()}. */
    abstract double[] expectedTheta(int d);

    /** Float64 transcription: the attention factor under {@link #scaledParams()}. */
    double expectedAttentionFactor() {
        return 1;
    }

    @Override
    List<String> claims() {
        return List.of(SymmetryCertificate.RELATIVE);
    }

    @Test
    void reducesToPlainRopeAtFactorOne() {
        Fixtures f = new Fixtures(20);
        Tensor q = f.uniform(DType.FLOAT64, 1, 2, 33, 64), k = f.uniform(DType.FLOAT64, 1, 2, 40, 64);
        for (String convention : new String[] {"half", "interleaved"}) {
            PositionalCall call = PositionalCall.tokens(q, k).withOffsets(9000, 12);
            Map<String, String> p = new java.util.HashMap<>(identityParams());
            p.put("convention", convention);
            PositionalResult plain = new RotaryPositionEmbedding().encode(call.withParams(Map.of("convention", convention)),
                Fixtures.BACKEND);
            PositionalResult scaled = method().encode(call.withParams(p), Fixtures.BACKEND);
            Fixtures.assertSame(convention + " q", plain.q(), scaled.q(), 1e-12);
            Fixtures.assertSame(convention + " k", plain.k(), scaled.k(), 1e-12);
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matchesFloat64ReferenceWhenScaled(DType dtype) {
        Fixtures f = new Fixtures(21);
        Tensor q = f.uniform(dtype, 1, 2, 33, 64), k = f.uniform(dtype, 1, 2, 40, 64);
        PositionalResult r = method().encode(PositionalCall.tokens(q, k).withOffsets(3000, 5).withParams(scaledParams()),
            Fixtures.BACKEND);
        double[] theta = expectedTheta(64);
        double a = expectedAttentionFactor();
        assertClose("q", Float64Rotary.rotate(array(q), 3000, theta, false, (p, i) -> a), r.q(), 2 * Fixtures.tolerance(dtype));
        assertClose("k", Float64Rotary.rotate(array(k), 5, theta, false, (p, i) -> a), r.k(), 2 * Fixtures.tolerance(dtype));
    }
}

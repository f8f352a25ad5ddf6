package org.attune.positional.rotary;

import static org.attune.positional.rotary.Fixtures.assertArgument;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.attune.api.position.EncodingForm;
import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.PositionalResult;
import org.attune.api.position.SymmetryCertificate;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What every rotary encoding must do: keep the shapes and element type of q and k (grouped kv heads, odd
 * lengths, empty sequences), leave its inputs alone, reject bad shapes naming the argument, and pass the
 * certificate of each symmetry it claims.
 */
abstract class RotaryContract {

    abstract PositionalEncoding method();

    /** The claims of the method's descriptor. */
    abstract List<String> claims();

    /** Parameters for the contract's calls. */
    Map<String, String> params() {
        return Map.of();
    }

    PositionalResult encode(Tensor q, Tensor k, int offset) {
        return method().encode(PositionalCall.tokens(q, k).withParams(params()).withOffsets(offset, offset),
            Fixtures.BACKEND);
    }

    @Test
    void isRotary() {
        assertEquals(EncodingForm.ROTARY, method().form());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void keepsShapesAndTypeWithGroupedHeadsAndOddLengths(DType dtype) {
        Fixtures f = new Fixtures(10);
        Tensor q = f.uniform(dtype, 2, 4, 63, 16);
        Tensor k = f.uniform(dtype, 2, 2, 100, 16);
        PositionalResult r = encode(q, k, 5);
        assertEquals(dtype, r.q().dtype());
        assertArrayEquals(q.shape(), r.q().shape());
        assertArrayEquals(k.shape(), r.k().shape());
        assertTrue(r.logitBias().isEmpty());
    }

    @Test
    void emptySequencesGiveEmptyResults() {
        Tensor q = Tensor.zeros(DType.FLOAT32, 1, 2, 0, 8);
        assertArrayEquals(new int[] {1, 2, 0, 8}, encode(q, Tensor.zeros(DType.FLOAT32, 1, 2, 3, 8), 0).q().shape());
    }

    @Test
    void inputsAreNotModified() {
        Fixtures f = new Fixtures(11);
        Tensor q = f.uniform(DType.FLOAT32, 1, 2, 9, 8), k = f.uniform(DType.FLOAT32, 1, 2, 9, 8);
        Tensor q0 = q.copy(), k0 = k.copy();
        encode(q, k, 3);
        assertTrue(q.contentEquals(q0) && k.contentEquals(k0));
    }

    @Test
    void rejectsQueriesOfAnotherRankAndKeysOfAnotherDim() {
        assertArgument("q", () -> method().encode(new PositionalCall(Tensor.zeros(DType.FLOAT32, 2, 7, 8),
            Tensor.zeros(DType.FLOAT32, 1, 2, 7, 8), 2, 7, 7, 0, 0, false, null, params()), Fixtures.BACKEND));
        assertArgument("k", () -> method().encode(new PositionalCall(Tensor.zeros(DType.FLOAT32, 1, 2, 7, 8),
            Tensor.zeros(DType.FLOAT32, 1, 2, 7, 12), 2, 7, 7, 0, 0, false, null, params()), Fixtures.BACKEND));
    }

    @Test
    void rejectsAnOddHeadDimension() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 1, 4, 6 + 1);
        assertArgument("q", () -> encode(x, x, 0));
    }

    @Test
    void passesTheCertificateOfEveryClaim() {
        for (SymmetryCertificate.Finding f : SymmetryCertificate.certify(method(), claims(), params(), Fixtures.BACKEND)) {
            assertTrue(f.holds(), f.claim() + ": violation " + f.violation() + " at " + f.detail());
        }
    }
}

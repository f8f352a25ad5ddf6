package org.attune.api.position;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.LongToDoubleFunction;

import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Each certificate passes an encoding that has its symmetry and catches one that does not. */
class SymmetryCertificateTest {

    /** An encoding of one form computing f; the backend is not used. */
    record Fake(EncodingForm form, BiFunction<PositionalCall, Integer, PositionalResult> f) implements PositionalEncoding {
        @Override
        public PositionalResult encode(PositionalCall call, ComputeBackend backend) {
            return f.apply(call, 0);
        }
    }

    /** Bias b[h, i, j] = g(pᵢ, pⱼ) for every head. */
    static Fake bias(java.util.function.LongBinaryOperator g) {
        return new Fake(EncodingForm.BIAS, (c, unused) -> {
            Tensor b = Tensor.zeros(DType.FLOAT64, c.heads(), c.nq(), c.nk());
            for (int h = 0; h < c.heads(); h++) {
                for (int i = 0; i < c.nq(); i++) {
                    for (int j = 0; j < c.nk(); j++) {
                        b.set(g.applyAsLong(c.queryOffset() + i, c.keyOffset() + j), h, i, j);
                    }
                }
            }
            return PositionalResult.bias(b);
        });
    }

    /** Adds f(p) to every channel of every token at position p. */
    static Fake absolute(LongToDoubleFunction f) {
        return new Fake(EncodingForm.ABSOLUTE, (c, unused) -> PositionalResult.tokens(add(c.q(), c.queryOffset(), f),
            add(c.k(), c.keyOffset(), f)));
    }

    private static Tensor add(Tensor x, int offset, LongToDoubleFunction f) {
        Tensor out = x.copy();
        int n = x.dim(2), d = x.dim(3);
        for (int i = 0; i < out.size(); i++) {
            out.setFlat(i, out.getFlat(i) + f.applyAsDouble(offset + (i / d) % n));
        }
        return out;
    }

    private static SymmetryCertificate.Finding check(PositionalEncoding pe, String claim) {
        return SymmetryCertificate.check(pe, claim, Map.of(), null);
    }

    @Test
    void relativeBiasPassesAndAbsoluteBiasFails() {
        assertTrue(check(bias((i, j) -> Math.abs(i - j) % 5), SymmetryCertificate.RELATIVE).holds());
        SymmetryCertificate.Finding f = check(bias((i, j) -> i % 7), SymmetryCertificate.RELATIVE);
        assertFalse(f.holds());
        assertTrue(f.violation() > 0.1, f.toString());
    }

    @Test
    void widthParameterShiftsByWholeRows() {
        // depends on the column (p mod 3) of both positions: relative for shifts by rows of 3, not by 1
        Fake grid = bias((i, j) -> (i % 3) * 10 + (j % 3));
        assertTrue(check(grid, SymmetryCertificate.RELATIVE + "(width=3)").holds());
        assertFalse(check(grid, SymmetryCertificate.RELATIVE).holds());
    }

    @Test
    void symmetricCatchesADirectedBias() {
        assertTrue(check(bias((i, j) -> -Math.abs(i - j)), SymmetryCertificate.SYMMETRIC).holds());
        assertFalse(check(bias((i, j) -> i - j), SymmetryCertificate.SYMMETRIC).holds());
    }

    @Test
    void linearCatchesAnEncodingWhoseGramMatrixIsNotShiftInvariant() {
        assertTrue(check(absolute(p -> 1), SymmetryCertificate.LINEAR).holds());
        assertFalse(check(absolute(p -> Math.sqrt(p)), SymmetryCertificate.LINEAR).holds());
    }

    @Test
    void periodicNeedsAPeriodAndCatchesAnotherOne() {
        Fake mod4 = absolute(p -> p % 4);
        assertTrue(check(mod4, SymmetryCertificate.PERIODIC + "(period=4)").holds());
        assertFalse(check(mod4, SymmetryCertificate.PERIODIC + "(period=3)").holds());
        assertTrue(Double.isNaN(check(mod4, SymmetryCertificate.PERIODIC).violation()));
    }

    @Test
    void identityCatchesAnyChange() {
        assertTrue(check(absolute(p -> 0), SymmetryCertificate.IDENTITY).holds());
        assertFalse(check(absolute(p -> 1e-6), SymmetryCertificate.IDENTITY).holds());
    }

    @Test
    void unknownClaimsFailWithoutAViolationNumber() {
        SymmetryCertificate.Finding f = check(absolute(p -> 0), "permutation:tokens");
        assertFalse(f.holds());
        assertTrue(Double.isNaN(f.violation()));
        assertEquals(List.of("permutation:tokens"), List.of(f.claim()));
    }
}

package org.attune.positional.bias;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
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

/**
 * What every encoding of this bundle must do for its form: token forms keep the shapes and element type of q and
 * k and leave them alone; bias forms return [H, Nq, Nk] (positions only) or [B, H, Nq, Nk] (content) and
 * nothing else; and every declared symmetry passes its certificate. Tokens are 4 × 4 grids (N = 16) so that
 * 2-D encodings have their default width.
 */
abstract class EncodingContract {

    abstract PositionalEncoding method();

    abstract EncodingForm form();

    /** The claims of the method's descriptor. */
    abstract List<String> claims();

    Map<String, String> params() {
        return Map.of();
    }

    PositionalResult encode(Tensor q, Tensor k, int offset) {
        return method().encode(PositionalCall.tokens(q, k).withParams(params()).withOffsets(offset, offset),
            Fixtures.BACKEND);
    }

    @Test
    void declaresItsForm() {
        assertEquals(form(), method().form());
    }

    @Test
    void keepsShapesOrReturnsABiasOfTheCallsSizes() {
        Fixtures f = new Fixtures(50);
        Tensor q = f.uniform(DType.FLOAT32, 2, 4, 16, 8);
        Tensor k = f.uniform(DType.FLOAT32, 2, 4, 16, 8);
        Tensor q0 = q.copy(), k0 = k.copy();
        PositionalResult r = encode(q, k, 3);
        assertTrue(q.contentEquals(q0) && k.contentEquals(k0), "inputs modified");
        if (form() == EncodingForm.BIAS) {
            assertNull(r.q());
            int[] s = r.bias().shape();
            assertTrue(s.length == 3 || s.length == 4, "bias rank " + s.length);
            assertArrayEquals(new int[] {4, 16, 16}, Arrays.copyOfRange(s, s.length - 3, s.length));
        } else {
            assertNull(r.bias());
            assertEquals(DType.FLOAT32, r.q().dtype());
            assertArrayEquals(q.shape(), r.q().shape());
            assertArrayEquals(k.shape(), r.k().shape());
        }
    }

    @Test
    void passesTheCertificateOfEveryClaim() {
        for (SymmetryCertificate.Finding f : SymmetryCertificate.certify(method(), claims(), params(), Fixtures.BACKEND)) {
            assertTrue(f.holds(), f.claim() + ": violation " + f.violation() + " at " + f.detail());
        }
    }
}

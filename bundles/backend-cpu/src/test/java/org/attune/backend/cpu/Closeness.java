package org.attune.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;

/**
 * Agreement of a backend result with its float64 reference, as relative RMS error
 * {@code ‖r − ref‖₂ / ‖ref‖₂}: at most {@link #F32} for float32 results (a few float32 ulps, 2⁻²⁴ ≈ 6e-8, grown by
 * accumulation) and {@link #F64} for float64 results (a few thousand float64 ulps, 2⁻⁵³ ≈ 1.1e-16).
 */
final class Closeness {
    /** Relative RMS tolerance of float32 results against the float64 reference. */
    static final double F32 = 1e-5;
    /** Relative RMS tolerance of float64 results against the float64 reference. */
    static final double F64 = 1e-12;

    private Closeness() {
    }

    static double tolerance(DType dtype) {
        return dtype == DType.FLOAT32 ? F32 : F64;
    }

    /** Same shape, every element finite, and relative RMS error within the tolerance of the result's type. */
    static void assertClose(Tensor reference, Tensor result) {
        assertArrayEquals(reference.shape(), result.shape(), "shape");
        double err = 0;
        double norm = 0;
        for (int i = 0; i < result.size(); i++) {
            double r = result.getFlat(i);
            double e = reference.getFlat(i);
            assertTrue(Double.isFinite(r) || r == e, "element " + i + " = " + r + ", reference " + e);
            if (Double.isFinite(e)) {
                err += (r - e) * (r - e);
                norm += e * e;
            }
        }
        double rel = norm == 0 ? Math.sqrt(err) : Math.sqrt(err / norm);
        double tol = tolerance(result.dtype());
        assertTrue(rel <= tol, "relative RMS error " + rel + " > " + tol + " (" + result.dtype() + ")");
    }
}

package org.attune.symmetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.attune.api.attention.AttentionMechanism;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.equivariance.EquivarianceCertificate;
import org.attune.api.equivariance.EquivarianceCertificate.Finding;
import org.attune.api.equivariance.EquivariantMethod;
import org.attune.api.equivariance.GeometricOutput;
import org.attune.api.equivariance.SymmetryGroup;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.attune.attention.core.ScaledDotProductAttention;
import org.attune.backend.java.JavaBackend;
import org.junit.jupiter.api.Test;

/**
 * The certifier on methods that hold their claims and on methods built to break them: it must pass the first
 * in float64 and float32 and fail the second, naming the output.
 */
class EquivarianceCertificateTest {
    static final ComputeBackend BACKEND = new JavaBackend();
    static final Map<String, SymmetryGroup> GROUPS = GroupCatalogue.groups();

    /**
     * A one-layer radial message passing on the complete graph, E(n)-equivariant:
     * x'_i = x_i + Σ_j (x_i − x_j) exp(−|x_i − x_j|²) / N,  h'_i = h_i + Σ_j exp(−|x_i − x_j|²).
     */
    static GeometricOutput radial(Tensor x, Tensor h, boolean broken) {
        int n = x.dim(0);
        int d = x.dim(1);
        Tensor x2 = Tensor.zeros(x.dtype(), n, d);
        Tensor h2 = Tensor.zeros(h.dtype(), h.shape());
        for (int i = 0; i < n; i++) {
            double edgeSum = 0;
            double[] move = new double[d];
            for (int j = 0; j < n; j++) {
                double r2 = 0;
                for (int a = 0; a < d; a++) {
                    double diff = x.get(i, a) - x.get(j, a);
                    r2 += diff * diff;
                }
                double w = Math.exp(-r2);
                edgeSum += w;
                for (int a = 0; a < d; a++) {
                    move[a] += (x.get(i, a) - x.get(j, a)) * w / n;
                }
            }
            for (int a = 0; a < d; a++) {
                x2.set(x.get(i, a) + move[a] + (broken ? 0.1 * a : 0), i, a);
            }
            for (int c = 0; c < h.dim(1); c++) {
                h2.set(h.get(i, c) + edgeSum, i, c);
            }
        }
        return new GeometricOutput(x2, h2);
    }

    static final EquivariantMethod RADIAL = (in, backend) -> radial(in.coords(), in.feats(), false);
    static final EquivariantMethod SHIFTED = (in, backend) -> radial(in.coords(), in.feats(), true);
    /** feats (irrep:1, components (y, z, x)) plus the centred position in that order: O(3)-equivariant. */
    static final EquivariantMethod VECTOR_FEATURE = (in, backend) -> {
        Tensor x = in.coords();
        Tensor h = in.feats();
        int n = x.dim(0);
        Tensor out = Tensor.zeros(h.dtype(), n, 3);
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < 3; a++) {
                double mean = 0;
                for (int j = 0; j < n; j++) {
                    mean += x.get(j, a) / n;
                }
                out.set(h.get(i, (a + 2) % 3) + x.get(i, a) - mean, i, (a + 2) % 3);
            }
        }
        return new GeometricOutput(null, out);
    };

    @Test
    void certifiesAnEuclideanEquivariantMethodInEveryDimensionAndBothDtypes() {
        for (String id : List.of("E(2)", "E(3)", "SE(3)", "O(3)", "E(7)", "S_n", "D_6")) {
            for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
                List<Finding> f = EquivarianceCertificate.certify(RADIAL, id, GROUPS.get(id), Map.of(), dtype, 8, 1,
                    BACKEND);
                assertEquals(List.of("coords", "feats"), f.stream().map(Finding::output).toList());
                for (Finding x : f) {
                    assertTrue(x.holds(), id + " " + dtype + " " + x);
                    assertEquals(EquivarianceCertificate.tolerance(dtype), x.tolerance());
                }
            }
        }
    }

    @Test
    void float64ErrorsAreAtRoundingLevelAndFloat32AtSinglePrecision() {
        List<Finding> f64 = EquivarianceCertificate.certify(RADIAL, "E(3)", GROUPS.get("E(3)"), Map.of(), DType.FLOAT64,
            10, 2, BACKEND);
        List<Finding> f32 = EquivarianceCertificate.certify(RADIAL, "E(3)", GROUPS.get("E(3)"), Map.of(), DType.FLOAT32,
            10, 2, BACKEND);
        assertTrue(f64.get(0).error() < 1e-13, f64.toString());
        assertTrue(f32.get(0).error() > 1e-9 && f32.get(0).error() < 1e-5, f32.toString());
    }

    @Test
    void failsATranslatedOutputOnCoordinatesOnly() {
        List<Finding> f = EquivarianceCertificate.certify(SHIFTED, "SO(3)", GROUPS.get("SO(3)"), Map.of(),
            DType.FLOAT64, 4, 3, BACKEND);
        assertFalse(f.get(0).holds(), f.toString());
        assertTrue(f.get(1).holds(), f.toString());
        assertTrue(f.get(0).detail().startsWith("trial "), f.get(0).detail());
    }

    @Test
    void certifiesIrrepFeaturesThroughWignerD() {
        Finding ok = EquivarianceCertificate.certify(VECTOR_FEATURE, "O(3)(feats=irrep:1)", GROUPS.get("O(3)"),
            Map.of(), DType.FLOAT64, 6, 4, BACKEND).get(0);
        assertEquals("irrep:1", ok.representation());
        assertTrue(ok.holds(), ok.toString());
        // read as scalars, the same features are not invariant
        Finding bad = EquivarianceCertificate.certify(VECTOR_FEATURE, "O(3)(feats=scalar)", GROUPS.get("O(3)"),
            Map.of(), DType.FLOAT64, 6, 4, BACKEND).get(0);
        assertFalse(bad.holds(), bad.toString());
    }

    @Test
    void certifiesTokenPermutationEquivarianceOfAttention() {
        AttentionMechanism sdpa = new ScaledDotProductAttention();
        for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
            Finding f = EquivarianceCertificate.certify(sdpa, EquivarianceCertificate.PERMUTATION_TOKENS,
                GROUPS.get(EquivarianceCertificate.PERMUTATION_GROUP), Map.of(), dtype, 5, 5, BACKEND);
            assertTrue(f.holds(), f.toString());
            assertEquals("out", f.output());
        }
        // queries that see their own position are not permutation-equivariant
        AttentionMechanism positional = (call, backend) -> {
            Tensor out = sdpa.attend(call, backend);
            Tensor moved = out.copy();
            for (int i = 0; i < out.size(); i++) {
                moved.setFlat(i, out.getFlat(i) + 0.01 * ((i / out.dim(-1)) % out.dim(-2)));
            }
            return moved;
        };
        Finding broken = EquivarianceCertificate.certify(positional, EquivarianceCertificate.PERMUTATION_TOKENS,
            GROUPS.get("S_n"), Map.of(), DType.FLOAT64, 5, 5, BACKEND);
        assertFalse(broken.holds(), broken.toString());
        // a common key/value permutation leaves the output unchanged; a query permutation permutes it
        for (String claim : List.of(EquivarianceCertificate.PERMUTATION_KEYS, EquivarianceCertificate.PERMUTATION_QUERIES)) {
            Finding f = EquivarianceCertificate.certify(sdpa, claim, GROUPS.get("S_n"), Map.of(), DType.FLOAT64, 3, 6,
                BACKEND);
            assertTrue(f.holds(), f.toString());
        }
        assertFalse(EquivarianceCertificate.certify(positional, EquivarianceCertificate.PERMUTATION_QUERIES,
            GROUPS.get("S_n"), Map.of(), DType.FLOAT64, 3, 6, BACKEND).holds());
        Finding unknown = EquivarianceCertificate.certify(sdpa, "roll:tokens", GROUPS.get("S_n"), Map.of(),
            DType.FLOAT64, 3, 6, BACKEND);
        assertTrue(Double.isNaN(unknown.error()) && !unknown.holds(), unknown.toString());
    }

    @Test
    void parsesClaimsAndRejectsBadArguments() {
        assertEquals("E(3)", EquivarianceCertificate.groupId("E(3)(feats=irrep:2)"));
        assertEquals("S_n", EquivarianceCertificate.groupId("permutation:nodes"));
        assertEquals(Map.of("feats", "irrep:2", "coords", "points"),
            EquivarianceCertificate.representations("SO(3)(feats=irrep:2, coords=points)"));
        assertEquals(Map.of(), EquivarianceCertificate.representations("C_4"));
        assertEquals("trials", assertThrows(InvalidInputException.class, () -> EquivarianceCertificate.certify(RADIAL,
            "E(3)", GROUPS.get("E(3)"), Map.of(), DType.FLOAT64, 0, 1, BACKEND)).argument());
        assertEquals("dtype", assertThrows(InvalidInputException.class,
            () -> EquivarianceCertificate.tolerance(DType.INT64)).argument());
    }
}

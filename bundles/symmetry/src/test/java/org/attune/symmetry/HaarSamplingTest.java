package org.attune.symmetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.attune.api.equivariance.SymmetryGroup;
import org.junit.jupiter.api.Test;

/**
 * Sanity of the sampling distributions: Haar on SO(3) has E[R] = 0 and E[R_ij²] = 1/3; samples are orthogonal
 * with the right determinant; finite groups are sampled uniformly. Statistical bounds are 5 standard errors
 * at the stated sample sizes (fixed seeds, so the tests are deterministic).
 */
class HaarSamplingTest {
    static final Map<String, SymmetryGroup> GROUPS = GroupCatalogue.groups();

    @Test
    void meanOfRandomRotationsIsZeroAndSecondMomentIsOneThird() {
        int samples = 20_000;
        double[] mean = new double[9];
        double[] square = new double[9];
        SplittableRandom r = new SplittableRandom(7);
        SymmetryGroup so3 = GROUPS.get("SO(3)");
        for (int s = 0; s < samples; s++) {
            double[] q = ((Isometry) so3.sample(r)).rotation();
            for (int i = 0; i < 9; i++) {
                mean[i] += q[i] / samples;
                square[i] += q[i] * q[i] / samples;
            }
        }
        double bound = 5 * Math.sqrt(1.0 / 3 / samples);
        for (int i = 0; i < 9; i++) {
            assertTrue(Math.abs(mean[i]) < bound, "E[R_" + i + "] = " + mean[i]);
            assertTrue(Math.abs(square[i] - 1.0 / 3) < 5 * Math.sqrt(4.0 / 45 / samples), "E[R_" + i + "²] = " + square[i]);
        }
    }

    @Test
    void samplesAreOrthogonalWithTheGroupsDeterminant() {
        SplittableRandom r = new SplittableRandom(8);
        for (String id : new String[] {"SO(2)", "O(2)", "SO(3)", "O(3)", "SE(3)", "E(5)", "E(10)"}) {
            SymmetryGroup g = GROUPS.get(id);
            int n = g.dimension();
            int negative = 0;
            for (int s = 0; s < 200; s++) {
                double[] q = ((Isometry) g.sample(r)).rotation();
                double[] qtq = OrthogonalMatrices.multiply(OrthogonalMatrices.transpose(q, n), q, n);
                double[] eye = OrthogonalMatrices.identity(n);
                for (int i = 0; i < n * n; i++) {
                    assertEquals(eye[i], qtq[i], 1e-13, id);
                }
                double det = OrthogonalMatrices.determinant(q, n);
                assertEquals(1, Math.abs(det), 1e-12, id);
                negative += det < 0 ? 1 : 0;
            }
            if (id.startsWith("S")) {
                assertEquals(0, negative, id);
            } else {
                assertTrue(negative > 60 && negative < 140, id + ": " + negative + " of 200 reflections");
            }
        }
    }

    @Test
    void finiteGroupsAreSampledUniformly() {
        int samples = 24_000;
        SplittableRandom r = new SplittableRandom(9);
        Map<String, Integer> d4 = new HashMap<>();
        Map<String, Integer> s3 = new HashMap<>();
        SymmetryGroup dihedral = GROUPS.get("D_4");
        SymmetryGroup perms = GROUPS.get("S_n");
        for (int s = 0; s < samples; s++) {
            d4.merge(dihedral.sample(r).describe(), 1, Integer::sum);
            s3.merge(java.util.Arrays.toString(((Permutation) perms.sample(r)).at(3)), 1, Integer::sum);
        }
        assertEquals(8, d4.size());
        assertEquals(6, s3.size());
        for (int c : d4.values()) {
            assertTrue(Math.abs(c - samples / 8.0) < 5 * Math.sqrt(samples / 8.0), "D_4 count " + c);
        }
        for (int c : s3.values()) {
            assertTrue(Math.abs(c - samples / 6.0) < 5 * Math.sqrt(samples / 6.0), "S_3 count " + c);
        }
    }
}

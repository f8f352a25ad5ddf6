package org.attune.equivariance.graph;

import static org.attune.equivariance.graph.SteerableFixtures.ALGEBRA;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.attune.api.equivariance.EquivarianceCertificate;
import org.attune.api.equivariance.EquivariantMethod;
import org.attune.api.equivariance.SymmetryGroup;
import org.attune.api.tensor.DType;
import org.attune.backend.java.JavaBackend;
import org.attune.symmetry.GroupCatalogue;
import org.junit.jupiter.api.Test;

/**
 * What {@code equi:check} and the integration test run: every claim the steerable methods declare
 * ({@code SO(3)}, {@code SE(3)}, {@code permutation:nodes}) with default parameters (no options), float64 and
 * float32, through the shared certifier.
 */
class DeclaredClaimsTest {
    static final Map<String, SymmetryGroup> GROUPS = GroupCatalogue.groups();

    @Test
    void declaredClaimsHoldWithDefaultParameters() {
        List<EquivariantMethod> methods = List.of(new Se3Transformer(ALGEBRA), new IterativeSe3Transformer(ALGEBRA),
            new Escn(ALGEBRA), new EquiformerV2(ALGEBRA));
        for (EquivariantMethod method : methods) {
            for (String claim : List.of("SO(3)", "SE(3)", "permutation:nodes")) {
                for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
                    for (EquivarianceCertificate.Finding f : EquivarianceCertificate.certify(method, claim,
                        GROUPS.get(EquivarianceCertificate.groupId(claim)), Map.of(), dtype, 5, 7, new JavaBackend())) {
                        assertTrue(f.holds(), method.getClass().getSimpleName() + ": " + f);
                    }
                }
            }
        }
    }
}

package org.attune.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.attune.api.equivariance.EquivarianceCertificate;
import org.attune.api.equivariance.EquivariantMethod;
import org.attune.api.method.MethodDescriptor;
import org.attune.api.method.MethodKind;
import org.attune.api.registry.MethodRegistry;
import org.attune.api.tensor.DType;
import org.junit.jupiter.api.Test;

/**
 * The symmetry groups are installed, every equivariant method holds its claims, and every attention method that
 * claims token-permutation equivariance holds it: the certifier runs on whatever is installed.
 */
class EquivarianceTest {
    @Test
    void theGroupsAreInstalled() {
        MethodRegistry registry = Framework.registry();
        for (String id : new String[] {"SO(2)", "O(3)", "SE(3)", "E(3)", "E(10)", "C_4", "D_6", "S_n", "scaling"}) {
            assertTrue(registry.group(id) != null, id);
        }
    }

    @Test
    void everyEquivariantMethodHoldsItsClaimsInBothPrecisions() {
        MethodRegistry registry = Framework.registry();
        List<String> violations = new ArrayList<>();
        int checked = 0;
        for (MethodDescriptor d : registry.methods(MethodKind.EQUIVARIANT, null)) {
            EquivariantMethod method = registry.equivariant(d.id());
            for (String claim : d.symmetries()) {
                for (DType dtype : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
                    for (EquivarianceCertificate.Finding f : EquivarianceCertificate.certify(method, claim,
                        registry.group(EquivarianceCertificate.groupId(claim)), Map.of(), dtype, 5, 7, registry.backend())) {
                        checked++;
                        if (!f.holds()) {
                            violations.add(d.id() + " " + claim + " " + f.output() + " " + dtype + ": " + f.error());
                        }
                    }
                }
            }
        }
        assertTrue(checked >= 20, "claims checked: " + checked);
        for (String id : new String[] {"egnn", "se3-transformer", "iterative-se3-transformer", "escn", "equiformer-v2",
            "eqmotion", "e2-graph-planner", "symmetric-tensor-network", "egat-motif", "frame-averaging", "canonicalization",
            "image-canonicalization", "polyphase-anchoring", "invariant-slot-attention", "orbit-distance", "rotatouille",
            "etn"}) {
            assertTrue(registry.equivariant(id) != null, id);
        }
        assertTrue(violations.isEmpty(), "violations: " + violations);
    }

    @Test
    void theRegistryListsTheSymmetryGroups() {
        List<String> groups = Framework.registry().groups();
        assertTrue(groups.containsAll(List.of("SO(2)", "O(3)", "SE(3)", "E(10)", "C_4", "D_12", "S_n", "Z_N^2",
            "scaling")), groups.toString());
        assertEquals(groups.stream().sorted().toList(), groups, "sorted");
    }

    @Test
    void everyAttentionMethodClaimingTokenPermutationHoldsIt() {
        MethodRegistry registry = Framework.registry();
        List<String> violations = new ArrayList<>();
        int checked = 0;
        for (MethodDescriptor d : registry.methods(MethodKind.ATTENTION, null)) {
            if (!d.symmetries().contains(EquivarianceCertificate.PERMUTATION_TOKENS)) {
                continue;
            }
            EquivarianceCertificate.Finding f = EquivarianceCertificate.certify(registry.attention(d.id()),
                EquivarianceCertificate.PERMUTATION_TOKENS, registry.group(EquivarianceCertificate.PERMUTATION_GROUP),
                Map.of(), DType.FLOAT64, 3, 11, registry.backend());
            checked++;
            if (!f.holds()) {
                violations.add(d.id() + ": " + f.error());
            }
        }
        assertTrue(checked >= 10, "methods checked: " + checked);
        assertTrue(violations.isEmpty(), "violations: " + violations);
    }
}

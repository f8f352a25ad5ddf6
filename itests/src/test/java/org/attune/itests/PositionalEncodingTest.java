package org.attune.itests;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.attune.api.method.MethodDescriptor;
import org.attune.api.method.MethodKind;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.SymmetryCertificate;
import org.attune.api.registry.MethodRegistry;
import org.junit.jupiter.api.Test;

/** Every installed positional encoding registers with its provenance and passes its own symmetry certificate. */
class PositionalEncodingTest {
    private static final Set<String> BASELINES = Set.of("rope", "rope-2d", "rope-linear", "rope-ntk", "rope-yarn",
        "rope-llama3", "rope-longrope", "xpos", "sinusoidal", "sinusoidal-2d", "learned-absolute", "alibi", "t5",
        "shaw", "transformer-xl", "swin", "peg", "nope", "fourier-features", "gta", "learnable-fourier", "egformer",
        "flashbias", "spad-plucker", "spad-epipolar", "reorder");

    @Test
    void theBaselineEncodingsRegisterWithTheirProvenance() {
        MethodRegistry registry = Framework.registry();
        Map<String, MethodDescriptor> pes = registry.methods(MethodKind.POSITIONAL_ENCODING, null).stream()
            .collect(Collectors.toMap(MethodDescriptor::id, d -> d));
        for (String id : BASELINES) {
            MethodDescriptor d = pes.get(id);
            assertTrue(d != null, id + " is registered; found " + pes.keySet());
            assertFalse(d.paper().isBlank(), id + " names its paper");
        }
    }

    @Test
    void everyEncodingHoldsItsDeclaredSymmetries() {
        MethodRegistry registry = Framework.registry();
        List<String> violations = new ArrayList<>();
        int checked = 0;
        for (MethodDescriptor d : registry.methods(MethodKind.POSITIONAL_ENCODING, null)) {
            PositionalEncoding pe = registry.positionalEncoding(d.id());
            for (SymmetryCertificate.Finding f : SymmetryCertificate.certify(pe, d.symmetries(), Map.of(),
                registry.backend("cpu"))) {
                checked++;
                if (!f.holds()) {
                    violations.add(d.id() + " " + f.claim() + ": " + f.violation() + " (" + f.detail() + ")");
                }
            }
        }
        assertTrue(checked >= 10, "symmetry claims were checked: " + checked);
        assertTrue(violations.isEmpty(), "violations: " + violations);
    }
}

package org.attune.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.attune.api.method.MethodDescriptor;
import org.attune.api.method.MethodKind;
import org.attune.api.registry.BackendInfo;
import org.attune.api.registry.MethodRegistry;
import org.junit.jupiter.api.Test;

/** Every attention-core method and both CPU backends register with their descriptors. */
class RegistrationTest {
    private static final List<String> CORE_IDS = List.of("sdpa", "mha", "mqa", "gqa", "cross-attention", "additive",
        "multiplicative", "talking-heads", "moh", "pma", "marginal", "minimal", "mhe", "pba-optimised", "pba-efficient",
        "pba-super", "factored", "rfa", "relational-attention", "dual-attention", "efficient-probing", "knocking-heads", "conditioning", "tab",
        "production-system", "pamm", "deconstructed-no-mixing", "deconstructed-static-mixing",
        "deconstructed-non-approximate", "deconstructed-fixed-stream");
    private static final List<String> NORMALIZATION_IDS = List.of("sigmoid", "relu", "relu2", "sinkhorn",
        "slot-attention", "cog", "reversed", "spherical", "gaam", "sdm", "lssa", "lssar", "mesh", "afa");

    @Test
    void everyCoreMethodRegistersWithItsProvenance() {
        assertProvenance("core", CORE_IDS);
        assertEquals("1706.03762", Framework.registry().describe("sdpa").get(0).arxiv());
    }

    @Test
    void everyNormalizationMethodRegistersWithItsProvenance() {
        assertProvenance("normalization", NORMALIZATION_IDS);
    }

    private static void assertProvenance(String family, List<String> ids) {
        MethodRegistry registry = Framework.registry();
        Map<String, MethodDescriptor> core = registry.methods(MethodKind.ATTENTION, family).stream()
            .collect(Collectors.toMap(MethodDescriptor::id, d -> d));
        for (String id : ids) {
            MethodDescriptor d = core.get(id);
            assertTrue(d != null, id + " is registered; found " + core.keySet());
            assertEquals(MethodKind.ATTENTION, d.kind());
            assertFalse(d.name().isBlank(), id + " has a name");
            assertFalse(d.paper().isBlank(), id + " names its paper");
            assertTrue(d.arxiv().matches("\\d{4}\\.\\d{4,5}"), id + " has an arXiv id: " + d.arxiv());
            assertTrue(d.year() >= 2014 && d.year() <= 2026, id + " has a year: " + d.year());
            assertFalse(d.cost().isBlank(), id + " states its cost");
        }
    }

    @Test
    void attentionMethodsOfThePositionalBundlesRegisterWithTheirProvenance() {
        assertProvenance("rotary", List.of("tapa"));
        assertProvenance("bias", List.of("mvpa", "coulgat"));
    }

    @Test
    void everyDiagnosticRegisters() {
        List<String> ids = Framework.registry().methods(MethodKind.DIAGNOSTIC, null).stream().map(MethodDescriptor::id)
            .toList();
        assertTrue(ids.containsAll(List.of("pamm-error", "causal-mask-bias", "pointwise-characterization")),
            ids.toString());
    }

    @Test
    void bothCpuBackendsRegisterAndTheNd4jOneRanksFirst() {
        List<BackendInfo> backends = Framework.registry().backends();
        List<String> ids = backends.stream().map(BackendInfo::id).toList();
        assertTrue(ids.indexOf("cpu") >= 0 && ids.indexOf("java") > ids.indexOf("cpu"), "cpu before java: " + ids);
        BackendInfo cpu = backends.get(ids.indexOf("cpu"));
        assertTrue(cpu.operations().contains("attention"), cpu.operations().toString());
        assertTrue(cpu.dtypes().containsAll(List.of("f32", "f64")), cpu.dtypes().toString());
    }
}

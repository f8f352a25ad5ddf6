package org.attune.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.attune.api.backend.ComputeBackend;

import org.junit.jupiter.api.Test;

class BackendCommandsTest {
    private final FakeRegistry registry = new FakeRegistry();
    private final List<Map<String, Object>> unavailable = new ArrayList<>();
    private final BackendCommands commands = new BackendCommands(registry, () -> unavailable);

    @Test
    void listMarksTheActiveBackend() {
        assertEquals("""
               ID       NAME             DEVICE          RANKING  OPERATIONS  DTYPES
            *  ref      Reference loops  CPU (1 thread)       10  attention   f32,f64
               shifted  Shifted loops    CPU (1 thread)        0  attention   f32""", commands.list());
    }

    @Test
    void listSaysWhyAnUnavailableBackendIsMissing() {
        unavailable.add(Map.of(ComputeBackend.UNAVAILABLE, "gpu", ComputeBackend.UNAVAILABLE_REASON,
            "libcuda.so.1 not found"));
        assertTrue(commands.list().endsWith("\ngpu: not registered: libcuda.so.1 not found"), commands.list());
    }

    @Test
    void useSwitchesAndAutoReturnsToRanking() {
        assertEquals("using backend shifted (Shifted loops, CPU (1 thread))", commands.use("shifted"));
        assertEquals("shifted", registry.backend().id());
        assertEquals("using backend ref (Reference loops, CPU (1 thread)), the highest-ranked", commands.use("auto"));
        assertEquals("ref", registry.backend().id());
    }

    @Test
    void useNamesAnUnknownBackendAndTheChoices() {
        CommandFailure f = assertThrows(CommandFailure.class, () -> commands.use("gpu"));
        assertEquals("ID: no backend 'gpu'; expected auto or one of ref, shifted", f.getMessage());
    }
}

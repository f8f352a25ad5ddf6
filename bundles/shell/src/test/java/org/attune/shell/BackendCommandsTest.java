package org.attune.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class BackendCommandsTest {
    private final FakeRegistry registry = new FakeRegistry();
    private final BackendCommands commands = new BackendCommands(registry);

    @Test
    void listMarksTheActiveBackend() {
        assertEquals("""
               ID       NAME             DEVICE          RANKING  OPERATIONS  DTYPES
            *  ref      Reference loops  CPU (1 thread)       10  attention   f32,f64
               shifted  Shifted loops    CPU (1 thread)        0  attention   f32""", commands.list());
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

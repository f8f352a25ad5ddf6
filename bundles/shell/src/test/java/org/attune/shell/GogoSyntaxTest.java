package org.attune.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import org.attune.api.tensor.DType;
import org.attune.api.tensor.Npy;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands as Gogo 1.1.6 parses and binds them: real command lines, no framework. */
class GogoSyntaxTest {
    @TempDir
    Path dir;

    private final FakeRegistry registry = new FakeRegistry();
    private GogoShell shell;

    @BeforeEach
    void startGogo() throws IOException {
        shell = new GogoShell(dir).add("attention", new AttentionCommands(registry, line -> { }), "run", "bench")
            .add("attune", new AttuneCommands(registry), "list")
            .add("backend", new BackendCommands(registry, java.util.List::of), "use");
        for (String name : new String[] {"q", "k", "v"}) {
            Npy.write(dir.resolve(name + ".npy"), Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 1, 1, 2, 4));
        }
    }

    @AfterEach
    void stopGogo() {
        shell.close();
    }

    private Object execute(String line) throws Exception {
        return shell.execute(line);
    }

    @Test
    void optionsBindInAnyPositionAndOptRepeats() throws Exception {
        Object r = execute("attention:run --opt factor=2 scaled --causal DIR/q.npy --scale 0.5 DIR/k.npy --opt label=a=b"
            + " DIR/v.npy --out DIR/o.npy");
        assertInstanceOf(RunResult.class, r);
        assertEquals(Map.of("factor", "2", "label", "a=b"), registry.lastCall.params());
        assertTrue(registry.lastCall.options().causal());
        assertEquals(0.5, registry.lastCall.options().scale().getAsDouble());
        assertEquals(DType.FLOAT32, Npy.read(dir.resolve("o.npy")).dtype());
    }

    @Test
    void commaSeparatedOptAndShortNames() throws Exception {
        execute("attention:run -p factor=3,label=x -c -B shifted scaled DIR/q.npy DIR/k.npy DIR/v.npy");
        assertEquals(Map.of("factor", "3", "label", "x"), registry.lastCall.params());
        assertEquals("shifted", registry.lastBackend);
    }

    @Test
    void numericOptionValuesArriveAsText() throws Exception {
        Object table = execute("attention:bench --n 4,8 --d 4 --heads 1 --repeat 1 --warmup 0 sdpa");
        assertTrue(table.toString().contains("\nsdpa    8 "), table.toString());
        assertTrue(execute("attention:bench --n 4 -d 2 -h 1 -r 1 -w 0 sdpa").toString().contains("heads 1, d 2"));
    }

    @Test
    void failuresReachTheCallerAsOneLine() {
        Exception e = assertThrows(Exception.class, () -> execute("attention:run sdpa DIR/q.npy DIR/k.npy DIR/missing.npy"));
        CommandFailure f = assertInstanceOf(CommandFailure.class, e);
        assertEquals("V.npy: no such file " + dir.resolve("missing.npy"), f.toString());
        assertThrows(CommandFailure.class, () -> execute("attune:list --kind colour"));
        assertThrows(CommandFailure.class, () -> execute("backend:use gpu"));
    }
}

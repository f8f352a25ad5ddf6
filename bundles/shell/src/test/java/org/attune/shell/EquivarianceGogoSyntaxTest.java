package org.attune.shell;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.attune.api.tensor.Npy;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The equi: commands as Gogo 1.1.6 parses and binds them: real command lines, no framework. */
class EquivarianceGogoSyntaxTest {
    @TempDir
    Path dir;

    private GogoShell shell;

    @BeforeEach
    void startGogo() throws Exception {
        FakeRegistry registry = new FakeRegistry()
            .withEquivariant(EquivarianceCommandsTest.SPREAD, EquivarianceCommandsTest.spread(false))
            .withEquivariant(EquivarianceCommandsTest.DRIFT, EquivarianceCommandsTest.spread(true))
            .withGroup("SO(2)", EquivarianceCommandsTest.ROTATIONS).withGroup("S_n", EquivarianceCommandsTest.ROLLS);
        shell = new GogoShell(dir).add("equi", new EquivarianceCommands(registry), "list", "groups", "info", "check",
            "run");
        Npy.write(dir.resolve("x.npy"), Tensor.of(new float[] {0, 0, 2, 0, 0, 2}, 3, 2));
        Npy.write(dir.resolve("h.npy"), Tensor.of(new float[] {1, 1, 1}, 3, 1));
    }

    @AfterEach
    void stopGogo() {
        shell.close();
    }

    private Object execute(String line) throws Exception {
        return shell.execute(line);
    }

    @Test
    void checkBindsTrialsAndDtype() throws Exception {
        String out = execute("equi:check --trials 3 --dtype f32 spread").toString();
        assertTrue(out.contains("(3 trials, f32") && out.endsWith("every claim holds"), out);
        assertTrue(execute("equi:check sdpa").toString().contains("(20 trials, f64"));
        Exception e = assertThrows(Exception.class, () -> execute("equi:check --trials 2 drift"));
        assertTrue(assertInstanceOf(CommandFailure.class, e).getMessage().startsWith("equi:check drift: SO(2) violated"));
    }

    @Test
    void runBindsSeedAndOutputFiles() throws Exception {
        String out = execute("equi:run --seed 3 --out-feats DIR/h2.npy --out-coords DIR/x2.npy spread DIR/x.npy DIR/h.npy")
            .toString();
        assertTrue(out.contains("(seed 3"), out);
        assertArrayEquals(new int[] {3, 1}, Npy.read(dir.resolve("h2.npy")).shape());
        assertArrayEquals(new int[] {3, 2}, Npy.read(dir.resolve("x2.npy")).shape());
        assertTrue(execute("equi:list").toString().contains("spread"));
        assertTrue(execute("equi:info drift").toString().startsWith("drift: Drift"));
    }
}

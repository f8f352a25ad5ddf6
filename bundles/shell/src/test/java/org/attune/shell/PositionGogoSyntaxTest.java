package org.attune.shell;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import org.attune.api.tensor.Npy;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pe: commands and attention:run --pe as Gogo 1.1.6 parses and binds them: real command lines, no framework. */
class PositionGogoSyntaxTest {
    @TempDir
    Path dir;

    private final FakeEncoding spin = FakeEncoding.doubling();
    private final FakeRegistry registry = new FakeRegistry().withEncoding(PositionCommandsTest.TILT, FakeEncoding.tilt())
        .withEncoding(PositionCommandsTest.SPIN, spin);
    private GogoShell shell;

    @BeforeEach
    void startGogo() throws IOException {
        shell = new GogoShell(dir).add("attention", new AttentionCommands(registry, line -> { }), "run")
            .add("pe", new PositionCommands(registry), "list", "info", "apply", "bias", "check");
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
    void applyBindsShorthandsOffsetAndRepeatedPeOptions() throws Exception {
        execute("pe:apply --pe-option factor=2 --base 500 spin DIR/q.npy --offset 3 --out-q DIR/qo.npy"
            + " --pe-option convention=half --out-k DIR/ko.npy DIR/k.npy");
        assertEquals(Map.of("factor", "2", "convention", "half", "base", "500"), spin.lastCall.params());
        assertEquals(3, spin.lastCall.queryOffset());
        assertEquals(4, Npy.read(dir.resolve("qo.npy")).getFlat(1), 0);
    }

    @Test
    void biasAndCheckBindTheirOptions() throws Exception {
        assertTrue(execute("pe:bias --heads 2 --nq 3 --nk 4 --causal --out DIR/b.npy tilt").toString()
            .startsWith("tilt bias [2, 3, 4], causal"));
        assertArrayEquals(new int[] {2, 3, 4}, Npy.read(dir.resolve("b.npy")).shape());
        assertTrue(execute("pe:check rope").toString().contains("every claim holds"));
        Exception e = assertThrows(Exception.class, () -> execute("pe:check tilt"));
        assertTrue(assertInstanceOf(CommandFailure.class, e).getMessage().startsWith("pe:check tilt: symmetric violated"));
    }

    @Test
    void attentionRunTakesPeAndRepeatedPeOptionsBesideOpt() throws Exception {
        execute("attention:run --pe spin --pe-option base=2 --opt factor=2 scaled DIR/q.npy --pe-option factor=4"
            + " DIR/k.npy --opt label=x DIR/v.npy");
        assertEquals(Map.of("base", "2", "factor", "4"), spin.lastCall.params());
        assertEquals(Map.of("factor", "2", "label", "x"), registry.lastCall.params());
        assertEquals(2, registry.lastCall.q().getFlat(0), 0);
    }
}

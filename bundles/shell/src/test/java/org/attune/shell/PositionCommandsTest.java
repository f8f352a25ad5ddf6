package org.attune.shell;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.attune.api.method.MethodDescriptor;
import org.attune.api.method.MethodKind;
import org.attune.api.position.SymmetryCertificate;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Npy;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PositionCommandsTest {
    static final MethodDescriptor TILT = new MethodDescriptor("tilt", "Tilt", MethodKind.POSITIONAL_ENCODING, "bias",
        "", "", 0, "O(n^2)", List.of("period=ignored"), List.of(SymmetryCertificate.RELATIVE, SymmetryCertificate.SYMMETRIC));
    static final MethodDescriptor SPIN = new MethodDescriptor("spin", "Spin", MethodKind.POSITIONAL_ENCODING, "rotary",
        "", "", 0, "O(n)", List.of("base=b", "convention=c", "factor=f"), List.of(SymmetryCertificate.RELATIVE));

    @TempDir
    Path dir;

    private final FakeEncoding tilt = FakeEncoding.tilt();
    private final FakeEncoding spin = FakeEncoding.doubling();
    private final FakeRegistry registry = new FakeRegistry().withEncoding(TILT, tilt).withEncoding(SPIN, spin);
    private final PositionCommands commands = new PositionCommands(registry);
    private Tensor q;
    private Tensor k;

    @BeforeEach
    void writeInputs() throws IOException {
        SplittableRandom random = new SplittableRandom(9);
        q = RandomTensors.normal(random, DType.FLOAT32, 1, 2, 5, 4);
        k = RandomTensors.normal(random, DType.FLOAT32, 1, 2, 6, 4);
        Npy.write(dir.resolve("q.npy"), q);
        Npy.write(dir.resolve("k.npy"), k);
    }

    private String file(String name) {
        return dir.resolve(name).toString();
    }

    @Test
    void listShowsEachEncodingWithItsForm() {
        String out = commands.list();
        assertTrue(out.startsWith("ID    FORM    FAMILY  NAME"), out);
        assertTrue(out.contains("\nrope  rotary  rotary  RoFormer  RoFormer: Enhanced Transformer with Rotary Position "
            + "Embedding (arXiv:2104.09864, 2021)"), out);
        assertTrue(out.contains("\ntilt  bias    bias    Tilt"), out);
    }

    @Test
    void infoShowsFormOptionsAndClaims() {
        String out = commands.info("tilt");
        assertTrue(out.startsWith("tilt: Tilt\n  form         bias\n"), out);
        assertTrue(out.contains("  options      --pe-option period  ignored\n"), out);
        String general = new AttuneCommands(registry).info("tilt");
        assertTrue(general.contains("--pe-option period  ignored"), "attune:info names the encoding's flag too:\n" + general);
        assertTrue(out.contains("  symmetries   shift:relative, symmetric\n"), out);
        CommandFailure f = assertThrows(CommandFailure.class, () -> commands.info("sdpa"));
        assertEquals("ID: no positional encoding 'sdpa' is installed (pe:list shows the installed ones)", f.getMessage());
    }

    @Test
    void applyWritesEncodedQueriesAndKeysWithOffsetAndShorthands() throws IOException {
        String out = commands.apply("500", "interleaved", "7", file("qo.npy"), file("ko.npy"), "factor=2",
            "spin", file("q.npy"), file("k.npy"));
        assertTrue(out.startsWith("spin (rotary) on ref, positions from 7: q [1, 2, 5, 4], k [1, 2, 6, 4]"), out);
        assertEquals(Map.of("base", "500", "convention", "interleaved", "factor", "2"), spin.lastCall.params());
        assertEquals(7, spin.lastCall.queryOffset());
        assertEquals(7, spin.lastCall.keyOffset());
        Tensor written = Npy.read(dir.resolve("qo.npy"));
        for (int i = 0; i < q.size(); i++) {
            assertEquals(2 * q.getFlat(i), written.getFlat(i), 0);
        }
        assertTrue(Npy.read(dir.resolve("ko.npy")).contentEquals(k));
    }

    @Test
    void applyRejectsUndeclaredParametersBiasEncodingsAndMissingOutputs() {
        CommandFailure base = assertThrows(CommandFailure.class, () -> commands.apply("500", "", "0", file("a.npy"),
            file("b.npy"), "", "rope", file("q.npy"), file("k.npy")));
        assertEquals("--base: rope has no base parameter (pe:info rope)", base.getMessage());
        CommandFailure option = assertThrows(CommandFailure.class, () -> commands.apply("", "", "0", file("a.npy"),
            file("b.npy"), "colour=red", "spin", file("q.npy"), file("k.npy")));
        assertEquals("--pe-option colour: not an option of spin; expected one of [base, convention, factor] (pe:info spin)",
            option.getMessage());
        CommandFailure bias = assertThrows(CommandFailure.class, () -> commands.apply("", "", "0", file("a.npy"),
            file("b.npy"), "", "tilt", file("q.npy"), file("k.npy")));
        assertEquals("ID: tilt is a bias encoding; pe:bias writes its bias", bias.getMessage());
        CommandFailure out = assertThrows(CommandFailure.class, () -> commands.apply("", "", "0", file("a.npy"), "",
            "", "spin", file("q.npy"), file("k.npy")));
        assertEquals("--out-k: expected a file to write", out.getMessage());
    }

    @Test
    void applyTakesRepeatedPeOptions() {
        commands.apply("", "", "0", file("a.npy"), file("b.npy"), "base=9", "spin", file("q.npy"), "--pe-option",
            "factor=3", file("k.npy"));
        assertEquals(Map.of("base", "9", "factor", "3"), spin.lastCall.params());
    }

    @Test
    void biasWritesHeadsByQueriesByKeys() throws IOException {
        String out = commands.bias("3", "4", "", true, file("b.npy"), "", "tilt");
        assertTrue(out.startsWith("tilt bias [3, 4, 4], causal, min -9.000e+00, max 9.000e+00\nwrote "), out);
        Tensor b = Npy.read(dir.resolve("b.npy"));
        assertArrayEquals(new int[] {3, 4, 4}, b.shape());
        assertEquals(-3 * (3 - 1), b.get(2, 3, 1), 0);
        assertTrue(tilt.lastCall.causal());
        commands.bias("1", "2", "5", false, file("b.npy"), "", "tilt");
        assertArrayEquals(new int[] {1, 2, 5}, Npy.read(dir.resolve("b.npy")).shape());
        CommandFailure rotary = assertThrows(CommandFailure.class, () -> commands.bias("1", "2", "", false, file("b.npy"),
            "", "rope"));
        assertEquals("ID: rope is a rotary encoding; pe:apply encodes q and k", rotary.getMessage());
    }

    @Test
    void checkPrintsTheLargestViolationWhenEveryClaimHolds() {
        String out = commands.check("", "rope");
        assertTrue(out.startsWith("CLAIM           VIOLATION  TOLERANCE  RESULT  LARGEST AT\nshift:relative  "), out);
        assertTrue(out.contains("\nlargest violation 0.000e+00 (relative, float64 on the ref backend): every claim holds"),
            out);
    }

    @Test
    void checkFailsOnAViolatedClaim() {
        CommandFailure f = assertThrows(CommandFailure.class, () -> commands.check("", "tilt"));
        assertTrue(f.getMessage().startsWith("pe:check tilt: symmetric violated, relative violation "), f.getMessage());
    }
}

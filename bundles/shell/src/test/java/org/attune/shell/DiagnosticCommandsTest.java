package org.attune.shell;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.attune.api.diagnostics.Diagnostic;
import org.attune.api.diagnostics.DiagnosticCall;
import org.attune.api.diagnostics.DiagnosticReport;
import org.attune.api.method.MethodDescriptor;
import org.attune.api.method.MethodKind;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Npy;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiagnosticCommandsTest {
    static final MethodDescriptor SPREAD = new MethodDescriptor("spread", "Spread of the inputs", MethodKind.DIAGNOSTIC,
        "test", "Measuring Spread", "2506.02939", 2025, "O(n)", List.of("shift=added to every figure; default 0",
        "label=ignored text"), List.of());

    /** Reports, per input x, x.max and x.size (plus --opt shift), and the names it was given as its summary. */
    static final class Spread implements Diagnostic {
        DiagnosticCall lastCall;

        @Override
        public DiagnosticReport run(DiagnosticCall call, org.attune.api.backend.ComputeBackend backend) {
            lastCall = call;
            double shift;
            try {
                shift = Double.parseDouble(call.params().getOrDefault("shift", "0"));
            } catch (NumberFormatException e) {
                throw new InvalidInputException("--opt shift", "expected a number, got '" + call.params().get("shift") + "'");
            }
            if (call.inputs().isEmpty()) {
                throw new InvalidInputException("x", "missing; pass at least one input");
            }
            Map<String, Double> values = new LinkedHashMap<>();
            call.inputs().forEach((name, t) -> {
                double max = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < t.size(); i++) {
                    max = Math.max(max, t.getFlat(i));
                }
                values.put(name + ".size", t.size() + shift);
                values.put(name + ".max", max + shift);
            });
            return new DiagnosticReport(values, "measured " + String.join(", ", call.inputs().keySet().stream().sorted()
                .toList()) + " on " + backend.id());
        }
    }

    @TempDir
    Path dir;

    private final Spread spread = new Spread();
    private final FakeRegistry registry = new FakeRegistry().withDiagnostic(SPREAD, spread);
    private final DiagnosticCommands commands = new DiagnosticCommands(registry);

    @BeforeEach
    void writeInputs() throws IOException {
        Npy.write(dir.resolve("q.npy"), Tensor.of(new float[] {1, 2.5f, -3}, 1, 3));
        Npy.write(dir.resolve("other.npy"), Tensor.of(new double[] {0.125, 4}, 2));
    }

    private String file(String name) {
        return dir.resolve(name).toString();
    }

    @Test
    void listShowsOnlyDiagnostics() {
        String out = commands.list();
        assertEquals("ID      FAMILY  NAME                  PAPER\n"
            + "spread  test    Spread of the inputs  Measuring Spread (arXiv:2506.02939, 2025)", out);
        assertEquals("no diagnostics installed", new DiagnosticCommands(new FakeRegistry()).list());
    }

    @Test
    void infoShowsPaperCostOptionsAndProvider() {
        String out = commands.info("spread");
        assertTrue(out.startsWith("spread: Spread of the inputs\n  family       test\n"), out);
        assertTrue(out.contains("  cost         O(n)\n"), out);
        assertTrue(out.contains("  options      --opt shift  added to every figure; default 0\n"), out);
        assertTrue(out.contains("  provided by  org.attune.attention.core 0.2.0"), out);
        CommandFailure f = assertThrows(CommandFailure.class, () -> commands.info("sdpa"));
        assertEquals("ID: no diagnostic 'sdpa' is installed (diag:list shows the installed ones)", f.getMessage());
    }

    @Test
    void runNamesInputsByFileOrNameAndPrintsTheFiguresSortedByName() {
        String out = commands.run("shift=0.5", "", "spread", file("q.npy"), "k=" + file("other.npy"));
        assertEquals(Set.of("q", "k"), spread.lastCall.inputs().keySet());
        assertEquals(Map.of("shift", "0.5"), spread.lastCall.params());
        assertEquals("spread on the ref backend, inputs q [1, 3], k [2], options {shift=0.5}\n"
            + "FIGURE      VALUE\n"
            + "k.max   4.500e+00\n"
            + "k.size  2.500e+00\n"
            + "q.max           3\n"
            + "q.size  3.500e+00\n"
            + "measured k, q on ref", out);
    }

    @Test
    void outWritesTheFiguresInTheTablesOrderAsFloat32() throws IOException {
        String out = commands.run("", file("figures.npy"), "spread", "--opt", "shift=1", file("q.npy"));
        assertTrue(out.endsWith("wrote " + file("figures.npy") + " (float32 [2], the figures in the table's order)"), out);
        Tensor written = Npy.read(dir.resolve("figures.npy"));
        assertEquals(DType.FLOAT32, written.dtype());
        assertArrayEquals(new int[] {2}, written.shape());
        assertEquals(3.5, written.getFlat(0), 0);  // q.max = 2.5 + 1
        assertEquals(4, written.getFlat(1), 0);    // q.size = 3 + 1
    }

    @Test
    void badCommandLinesFailWithOneLineNamingTheArgument() {
        assertEquals("diag:run: expected ID [INPUT.npy ...], got no arguments",
            assertThrows(CommandFailure.class, () -> commands.run("", "")).getMessage());
        assertEquals("ID: no diagnostic 'sdpa' is installed (diag:list shows the installed ones)",
            assertThrows(CommandFailure.class, () -> commands.run("", "", "sdpa", file("q.npy"))).getMessage());
        assertEquals("--opt ratio: not an option of spread; expected one of [shift, label] (diag:info spread)",
            assertThrows(CommandFailure.class, () -> commands.run("ratio=2", "", "spread", file("q.npy"))).getMessage());
        assertEquals("INPUT " + file("q.npy") + ": input 'q' given twice", assertThrows(CommandFailure.class,
            () -> commands.run("", "", "spread", "q=" + file("other.npy"), file("q.npy"))).getMessage());
        assertTrue(assertThrows(CommandFailure.class, () -> commands.run("", "", "spread", file("absent.npy")))
            .getMessage().startsWith("INPUT absent: no such file "));
        assertEquals("--opt shift: expected a number, got 'wide'",
            assertThrows(CommandFailure.class, () -> commands.run("shift=wide", "", "spread", file("q.npy"))).getMessage());
        assertEquals("x: missing; pass at least one input",
            assertThrows(CommandFailure.class, () -> commands.run("", "", "spread")).getMessage());
        assertEquals("--verbose: unknown or repeated option; expected --opt (repeatable), --out",
            assertThrows(CommandFailure.class, () -> commands.run("", "", "spread", "--verbose")).getMessage());
    }

    @Test
    void gogoBindsRepeatedOptAndOutOnARealCommandLine() throws Exception {
        try (GogoShell shell = new GogoShell(dir).add("diag", commands, "list", "info", "run")) {
            String out = shell.execute("diag:run --opt shift=2 --out DIR/f.npy --opt label=x spread DIR/q.npy").toString();
            assertEquals(Map.of("shift", "2", "label", "x"), spread.lastCall.params());
            assertTrue(out.contains("q.max   4.500e+00\nq.size          5\n"), out);
            assertArrayEquals(new int[] {2}, Npy.read(dir.resolve("f.npy")).shape());
            assertTrue(shell.execute("diag:list").toString().contains("spread"));
            Exception e = assertThrows(Exception.class, () -> shell.execute("diag:info pamm"));
            assertEquals("ID: no diagnostic 'pamm' is installed (diag:list shows the installed ones)",
                assertInstanceOf(CommandFailure.class, e).getMessage());
        }
    }
}

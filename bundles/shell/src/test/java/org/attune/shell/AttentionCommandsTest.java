package org.attune.shell;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.attune.api.backend.AttentionOptions;
import org.attune.api.method.MethodDescriptor;
import org.attune.api.method.MethodKind;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Npy;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttentionCommandsTest {
    @TempDir
    Path dir;

    private final FakeRegistry registry = new FakeRegistry();
    private final List<String> progress = new ArrayList<>();
    private final AttentionCommands commands = new AttentionCommands(registry, progress::add);
    private Tensor q;
    private Tensor k;
    private Tensor v;

    @BeforeEach
    void writeInputs() throws IOException {
        SplittableRandom random = new SplittableRandom(7);
        q = RandomTensors.normal(random, DType.FLOAT32, 1, 2, 5, 4);
        k = RandomTensors.normal(random, DType.FLOAT32, 1, 2, 6, 4);
        v = RandomTensors.normal(random, DType.FLOAT64, 1, 2, 6, 3).to(DType.FLOAT32);
        Npy.write(dir.resolve("q.npy"), q);
        Npy.write(dir.resolve("k.npy"), k);
        Npy.write(dir.resolve("v.npy"), v);
    }

    private String file(String name) {
        return dir.resolve(name).toString();
    }

    /** attention:run with only the positional arguments and the given options set. */
    private RunResult run(String out, String opt, String... args) {
        return commands.run(false, "", "", "", out, opt, "", "", "", args);
    }

    @Test
    void runWritesTheOutputAsFloat32NpyAndReportsChecksums() throws IOException {
        RunResult r = run(file("o.npy"), "", "sdpa", file("q.npy"), file("k.npy"), file("v.npy"));
        Tensor expected = new FakeBackend("x", 0).attention(q, k, v, AttentionOptions.defaults(), null);
        Tensor written = Npy.read(dir.resolve("o.npy"));
        assertEquals(DType.FLOAT32, written.dtype());
        assertTrue(written.contentEquals(expected));
        assertArrayEquals(new int[] {1, 2, 5, 3}, r.shape());
        assertEquals(expected.sum(), r.sum(), 1e-12);
        assertTrue(r.sumAbs() >= Math.abs(r.sum()));
        assertEquals("ref", r.backend());
        assertTrue(r.toString().startsWith("sdpa on ref: output [1, 2, 5, 3] f32, sum "), r.toString());
        assertTrue(r.toString().endsWith("\nwrote " + dir.resolve("o.npy") + " (float32)"), r.toString());
    }

    @Test
    void runPassesCausalScaleMaskBiasAndBackend() throws IOException {
        Npy.write(dir.resolve("mask.npy"), Tensor.of(new boolean[] {true, false, true, true, true, true}, 1, 1, 1, 6));
        Npy.write(dir.resolve("bias.npy"), Tensor.of(new float[] {0.5f}, 1));
        RunResult r = commands.run(true, "0.25", file("mask.npy"), file("bias.npy"), "", "", "shifted", "", "",
            "sdpa", file("q.npy"), file("k.npy"), file("v.npy"));
        AttentionOptions o = registry.lastCall.options();
        assertTrue(o.causal());
        assertEquals(0.25, o.scale().getAsDouble());
        assertEquals(DType.BOOL, o.mask().orElseThrow().dtype());
        assertEquals(DType.FLOAT32, o.bias().orElseThrow().dtype());
        assertEquals("shifted", registry.lastBackend);
        assertEquals("shifted", r.backend());
        assertEquals(null, r.written());
    }

    @Test
    void runCollectsRepeatedAndCommaSeparatedOpts() {
        RunResult once = run("", "", "sdpa", file("q.npy"), file("k.npy"), file("v.npy"));
        // Gogo binds the first --opt and leaves the second among the positional words, in command-line order
        RunResult scaled = run("", "factor=2", "--opt", "label=x,y", "scaled", file("q.npy"), file("k.npy"), file("v.npy"));
        assertEquals(Map.of("factor", "2", "label", "x,y"), registry.lastCall.params());
        assertEquals(2 * once.sum(), scaled.sum(), 1e-9);
    }

    @Test
    void runRejectsAnUndeclaredOptWithTheRegistrysMessage() {
        CommandFailure f = assertThrows(CommandFailure.class,
            () -> run("", "window=3", "sdpa", file("q.npy"), file("k.npy"), file("v.npy")));
        assertEquals("--opt window: not an option of sdpa; expected one of []", f.getMessage());
    }

    @Test
    void runNamesAMissingFile() {
        Path missing = Path.of("no-such-dir", "q.npy").toAbsolutePath();
        CommandFailure f = assertThrows(CommandFailure.class,
            () -> run("", "", "sdpa", "no-such-dir/q.npy", file("k.npy"), file("v.npy")));
        assertEquals("Q.npy: no such file " + missing, f.getMessage());
    }

    @Test
    void runNamesABadShape() throws IOException {
        Npy.write(dir.resolve("flat.npy"), Tensor.zeros(DType.FLOAT32, 2, 3));
        CommandFailure f = assertThrows(CommandFailure.class,
            () -> run("", "", "sdpa", file("q.npy"), file("flat.npy"), file("v.npy")));
        assertEquals("K.npy (" + file("flat.npy") + "): expected shape [batch, heads, seq, dim], got [2, 3]", f.getMessage());
    }

    @Test
    void runPassesTheBackendsShapeCheckThrough() throws IOException {
        Npy.write(dir.resolve("v5.npy"), Tensor.zeros(DType.FLOAT32, 1, 2, 5, 3));
        CommandFailure f = assertThrows(CommandFailure.class,
            () -> run("", "", "sdpa", file("q.npy"), file("k.npy"), file("v5.npy")));
        assertEquals("v: expected shape [1, 2, 6, dim_v] (batch, heads and length of k), got [1, 2, 5, 3]", f.getMessage());
    }

    @Test
    void runNamesANonNpyFile() throws IOException {
        Files.writeString(dir.resolve("text.npy"), "hello");
        CommandFailure f = assertThrows(CommandFailure.class,
            () -> run("", "", "sdpa", file("text.npy"), file("k.npy"), file("v.npy")));
        assertEquals("Q.npy: " + file("text.npy") + ": .npy file is truncated", f.getMessage());
    }

    @Test
    void runNamesAnUnknownIdAndBackend() {
        CommandFailure id = assertThrows(CommandFailure.class,
            () -> run("", "", "nope", file("q.npy"), file("k.npy"), file("v.npy")));
        assertEquals("ID: no implementation of attention 'nope': never installed "
            + "(attune:list --kind attention shows the installed ones)", id.getMessage());
        CommandFailure backend = assertThrows(CommandFailure.class, () -> commands.run(false, "", "", "", "", "", "gpu", "", "",
            "sdpa", file("q.npy"), file("k.npy"), file("v.npy")));
        assertEquals("--backend: no implementation of backend 'gpu': not registered (backend:list shows the registered ones)",
            backend.getMessage());
    }

    @Test
    void runNamesBadNumbersAndArgumentCounts() {
        CommandFailure scale = assertThrows(CommandFailure.class, () -> commands.run(false, "half", "", "", "", "", "", "", "",
            "sdpa", file("q.npy"), file("k.npy"), file("v.npy")));
        assertEquals("--scale: expected a number, got 'half'", scale.getMessage());
        CommandFailure count = assertThrows(CommandFailure.class, () -> run("", "", "sdpa", file("q.npy")));
        assertEquals("attention:run: expected ID Q.npy K.npy V.npy, got 2 arguments (sdpa " + file("q.npy") + ")",
            count.getMessage());
        CommandFailure repeated = assertThrows(CommandFailure.class,
            () -> run("", "", "--causal", "sdpa", file("q.npy"), file("k.npy"), file("v.npy")));
        assertTrue(repeated.getMessage().startsWith("--causal: unknown or repeated option; expected --causal,"));
    }

    @Test
    void runResolvesRelativePathsAgainstTheWorkingDirectory() {
        assertEquals(Path.of("").toAbsolutePath().resolve("x/q.npy"), TensorFiles.resolve("x/q.npy"));
    }

    @Test
    void benchPrintsAProgressLinePerMethodAndLengthThenATable() {
        String table = commands.bench("4,8", "4", "2", "1", true, "3", "1", "", "", "", "sdpa", "scaled");
        assertEquals(4, progress.size());
        assertTrue(progress.get(0).matches("attention:bench sdpa n=4: median \\d+\\.\\d{3} ms, min \\d+\\.\\d{3} ms, "
            + "(\\d+\\.\\d|inf) GFLOP/s"), progress.get(0));
        assertEquals(4 * (1 + 3), registry.calls);
        List<String> lines = table.lines().toList();
        assertEquals("backend ref, batch 1, heads 2, d 4, causal, f32, 1 warm-up + 3 timed runs; FLOP = 4*B*H*n^2*d/2",
            lines.get(0));
        assertTrue(lines.get(1).matches("FMA peak \\d+\\.\\d GFLOP/s \\(\\d+ threads, measured now\\)"), lines.get(1));
        assertTrue(lines.get(2).matches("METHOD\\s+N\\s+MEDIAN ms\\s+MIN ms\\s+GFLOP/s\\s+% PEAK"), lines.get(2));
        assertTrue(lines.get(3).startsWith("sdpa    4 "), lines.get(3));
        assertTrue(lines.get(6).startsWith("scaled  8 "), lines.get(6));
        assertEquals(7, lines.size());
    }

    @Test
    void benchWritesTheTableAsCsvAndPlotsTimeAgainstLengthAsPng(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("bench.csv");
        Path png = dir.resolve("bench.png");
        commands.bench("4,8", "4", "2", "1", false, "1", "0", "", csv.toString(), png.toString(), "sdpa", "scaled");
        List<String> rows = java.nio.file.Files.readAllLines(csv);
        assertEquals("method,n,median_ms,min_ms,gflops,pct_peak", rows.get(0));
        assertEquals(5, rows.size());
        assertTrue(rows.get(4).startsWith("scaled,8,"), rows.get(4));
        java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(png.toFile());
        assertEquals(800, img.getWidth());
        assertEquals(560, img.getHeight());
    }

    @Test
    void benchChecksIdsAndNumbersBeforeTiming() {
        CommandFailure id = assertThrows(CommandFailure.class,
            () -> commands.bench("4", "4", "2", "1", false, "1", "0", "", "", "", "sdpa", "rope"));
        assertEquals("ID: no attention method 'rope' is installed (attune:list --kind attention shows the installed ones)",
            id.getMessage());
        CommandFailure n = assertThrows(CommandFailure.class,
            () -> commands.bench("4,x", "4", "2", "1", false, "1", "0", "", "", "", "sdpa"));
        assertEquals("--n: expected comma-separated integers >= 1 (e.g. 512,1024), got '4,x'", n.getMessage());
        CommandFailure none = assertThrows(CommandFailure.class,
            () -> commands.bench("4", "4", "2", "1", false, "1", "0", "", "", ""));
        assertTrue(none.getMessage().startsWith("attention:bench: expected at least 1 attention method id"));
        assertEquals(0, registry.calls);
    }

    @Test
    void compareReportsDifferencesAgainstTheFirstRun() {
        String report = commands.compare("6", "4", "2", "1", false, "3", "ref,shifted", "f64", "sdpa", "scaled");
        List<String> lines = report.lines().toList();
        assertEquals("q, k, v [1, 2, 6, 4] f64, seed 3, non-causal", lines.get(0));
        assertTrue(lines.get(2).matches("sdpa@ref\\s+reference"), lines.get(2));
        assertTrue(lines.get(3).matches("sdpa@shifted\\s+1\\.000e-03\\s+\\d\\.\\d{3}e-\\d\\d"), lines.get(3));
        assertTrue(lines.get(4).matches("scaled@ref\\s+0\\.000e\\+00\\s+0\\.000e\\+00"), lines.get(4));
        assertEquals("rel = max|x - ref| / max|ref|", lines.getLast());
    }

    @Test
    void compareNeedsTwoRuns() {
        CommandFailure f = assertThrows(CommandFailure.class,
            () -> commands.compare("6", "4", "2", "1", false, "3", "", "f32", "sdpa"));
        assertTrue(f.getMessage().startsWith("attention:compare: expected at least two ids"));
        CommandFailure t = assertThrows(CommandFailure.class,
            () -> commands.compare("6", "4", "2", "1", false, "3", "", "bf16", "sdpa", "scaled"));
        assertEquals("--dtype: expected f32 or f64, got 'bf16'", t.getMessage());
    }

    @Test
    void sameSeedGivesSameInputs() {
        RandomTensors a = RandomTensors.qkv(5, DType.FLOAT32, 1, 2, 3, 4);
        RandomTensors b = RandomTensors.qkv(5, DType.FLOAT32, 1, 2, 3, 4);
        assertTrue(a.q().contentEquals(b.q()) && a.v().contentEquals(b.v()));
        assertFalse(a.q().contentEquals(a.k()));
    }

    @Test
    void runComposesARotaryEncodingWithTheMethod() {
        RunResult r = commands.run(false, "", "", "", "", "", "", "rope", "", "sdpa", file("q.npy"), file("k.npy"),
            file("v.npy"));
        Tensor doubled = q.copy();
        for (int i = 0; i < doubled.size(); i++) {
            doubled.setFlat(i, 2 * q.getFlat(i));
        }
        assertTrue(registry.lastCall.q().contentEquals(doubled), "sdpa saw the encoded queries");
        assertTrue(registry.lastCall.k().contentEquals(k));
        assertEquals("sdpa", r.method());
    }

    @Test
    void runAppliesAnEncodingsValueAndOutputTransforms() {
        RunResult plain = commands.run(false, "", "", "", "", "", "", "", "", "sdpa", file("q.npy"), file("k.npy"),
            file("v.npy"));
        registry.withEncoding(new MethodDescriptor("negate", "Negate", MethodKind.POSITIONAL_ENCODING, "rotary", "", "",
            0, "O(n)", List.of(), List.of()), FakeEncoding.negatingValues());
        RunResult r = commands.run(false, "", "", "", "", "", "", "negate", "", "sdpa", file("q.npy"), file("k.npy"),
            file("v.npy"));
        Tensor negated = v.copy();
        for (int i = 0; i < negated.size(); i++) {
            negated.setFlat(i, -v.getFlat(i));
        }
        assertTrue(registry.lastCall.v().contentEquals(negated), "sdpa saw the transformed values");
        assertEquals(-3 * plain.sum(), r.sum(), 1e-5 * plain.sumAbs(), "the output transform ran on the result");
        assertEquals(DType.FLOAT32, r.dtype());
    }

    @Test
    void runAddsABiasEncodingToTheGivenBias() throws IOException {
        registry.withEncoding(PositionCommandsTest.TILT, FakeEncoding.tilt());
        Npy.write(dir.resolve("bias.npy"), Tensor.of(new float[] {0.5f}, 1));
        commands.run(true, "", "", file("bias.npy"), "", "", "", "tilt", "period=3", "sdpa", file("q.npy"),
            file("k.npy"), file("v.npy"));
        Tensor bias = registry.lastCall.options().bias().orElseThrow();
        assertArrayEquals(new int[] {2, 5, 6}, bias.shape());
        assertEquals(0.5 - 2 * (4 - 1), bias.get(1, 4, 1), 1e-6);
    }

    @Test
    void runRejectsAnUnknownEncodingAndUndeclaredEncodingOptions() {
        CommandFailure unknown = assertThrows(CommandFailure.class, () -> commands.run(false, "", "", "", "", "", "",
            "spiral", "", "sdpa", file("q.npy"), file("k.npy"), file("v.npy")));
        assertEquals("--pe: no positional encoding 'spiral' is installed (pe:list shows the installed ones)",
            unknown.getMessage());
        CommandFailure option = assertThrows(CommandFailure.class, () -> commands.run(false, "", "", "", "", "", "",
            "rope", "", "sdpa", file("q.npy"), "--pe-option", "base=3", file("k.npy"), file("v.npy")));
        assertEquals("--pe-option base: not an option of rope; expected one of [] (pe:info rope)", option.getMessage());
    }
}

package org.attune.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.attune.api.attention.AttentionCall;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Npy;
import org.attune.api.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The shell commands, run through Gogo's CommandProcessor as a user's shell runs them. */
class ShellTest {
    /** Runs one command line and returns what it printed plus its formatted result. */
    private static String run(String line) throws Exception {
        CommandProcessor processor = Framework.service(CommandProcessor.class, Duration.ofSeconds(30));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, out);
        try {
            Object result = session.execute(line);
            if (result != null) {
                out.println(session.format(result, Converter.INSPECT));
            }
        } finally {
            session.close();
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void listShowsTheCoreMethodsWithProvenance() throws Exception {
        String text = run("attune:list --family core");
        for (String id : new String[] {"sdpa", "mha", "mqa", "gqa", "talking-heads"}) {
            assertTrue(text.contains(id), id + " listed:\n" + text);
        }
        assertTrue(text.contains("1706.03762"), "arXiv id shown:\n" + text);
    }

    @Test
    void infoAndWhyExplainAMethod() throws Exception {
        String info = run("attune:info sdpa");
        assertTrue(info.contains("Attention Is All You Need"), info);
        assertTrue(info.contains("provided by") && info.contains("org.attune.attention-core"), info);
        String why = run("attune:why sdpa");
        assertTrue(why.contains("org.attune.attention-core"), why);
    }

    @Test
    void backendListShowsBothCpuBackends() throws Exception {
        String text = run("backend:list");
        assertTrue(text.contains("cpu") && text.contains("java"), text);
        boolean gpu = Framework.registry().backends().stream().anyMatch(b -> b.id().equals("gpu"));
        assertTrue(gpu || text.contains("gpu: not registered: "), "a missing GPU backend says why:\n" + text);
    }

    @Test
    void runWritesTheOutputFileMatchingTheRegistry() throws Exception {
        Path dir = Files.createTempDirectory("attune-shell");
        Tensor q = Inputs.uniform(11, 1, 2, 24, 8);
        Tensor k = Inputs.uniform(12, 1, 2, 24, 8);
        Tensor v = Inputs.uniform(13, 1, 2, 24, 8);
        Npy.write(dir.resolve("q.npy"), q);
        Npy.write(dir.resolve("k.npy"), k);
        Npy.write(dir.resolve("v.npy"), v);
        Path o = dir.resolve("o.npy");
        String text = run("attention:run --causal --out " + o + " sdpa " + dir.resolve("q.npy") + " "
            + dir.resolve("k.npy") + " " + dir.resolve("v.npy"));
        assertTrue(text.contains("[1, 2, 24, 8]"), "prints the output shape:\n" + text);
        Tensor written = Npy.read(o);
        assertEquals(DType.FLOAT32, written.dtype());
        Tensor expected = Framework.registry().attend("sdpa", new AttentionCall(q.to(DType.FLOAT64), k.to(DType.FLOAT64),
            v.to(DType.FLOAT64), AttentionOptions.builder().causal(true).build(), java.util.Map.of()), "java");
        assertTrue(Inputs.maxAbsDiff(written, expected) < 1e-5, "matches the float64 reference to 1e-5");
    }

    @Test
    void badInputIsOneClearLineAndTheShellStaysUp() throws Exception {
        Exception e = assertThrows(Exception.class, () -> run("attention:run sdpa /nonexistent/q.npy q.npy v.npy"));
        assertTrue(e.getMessage().contains("q.npy") && !e.getMessage().contains("\n"), e.getMessage());
        assertTrue(run("attune:list").contains("sdpa"), "the shell still answers");
    }
}

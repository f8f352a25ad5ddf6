package org.attune.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** build-kernels.sh without nvcc: says so, records why, and lets the build go on. */
class BuildKernelsScriptTest {

    @Test
    void missingNvccSkipsCompilationAndSucceeds(@TempDir Path out) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", Path.of("src/main/cuda/build-kernels.sh").toString(),
            out.toString()).redirectErrorStream(true);
        pb.environment().put("NVCC", out.resolve("no-nvcc-here").toString());
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), log);
        assertTrue(log.contains("nvcc not found"), log);
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(out.resolve("kernels.properties"))) {
            props.load(in);
        }
        assertEquals("false", props.getProperty("compiled"));
        assertTrue(props.getProperty("reason").contains("without nvcc"));
        try (var files = Files.list(out)) {
            assertEquals(1, files.count(), "only kernels.properties is written");
        }
    }
}

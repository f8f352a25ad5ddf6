package org.attune.itests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

import org.attune.api.registry.Candidate;
import org.attune.api.registry.Choice;
import org.attune.api.registry.MethodRegistry;
import org.junit.jupiter.api.Test;

/**
 * A bundle dropped into the deploy folder appears, and disappears when removed. The dropped bundle is a
 * second version of attention-core, installed side by side with the first, so {@code sdpa} gets a second
 * candidate.
 */
class DeployFolderTest {
    private static List<Candidate> sdpaCandidates(MethodRegistry registry) {
        return registry.explain("sdpa").stream().filter(c -> c.what().startsWith("attention"))
            .flatMap(c -> c.candidates().stream()).filter(c -> c.serviceId() >= 0).toList();
    }

    @Test
    void droppedBundleAppearsAndRemovedBundleDisappears() throws Exception {
        MethodRegistry registry = Framework.registry();
        Path deploy = Path.of(Framework.CONTEXT.getProperty("felix.fileinstall.dir"));
        Files.createDirectories(deploy);
        int before = sdpaCandidates(registry).size();
        Path jar = deploy.resolve("attention-core-v2.jar");
        try (InputStream in = Framework.CONTEXT.getBundle().getEntry("bundles/attention-core-v2.jar").openStream()) {
            Files.copy(in, jar, StandardCopyOption.REPLACE_EXISTING);
        }
        Framework.await("the dropped bundle provides sdpa", Duration.ofSeconds(20),
            () -> sdpaCandidates(registry).size() == before + 1);
        List<Candidate> both = sdpaCandidates(registry);
        assertTrue(both.stream().map(Candidate::version).distinct().count() == 2, "two versions side by side: " + both);
        assertTrue(both.stream().filter(Candidate::chosen).count() == 1, "exactly one is chosen: " + both);

        Files.delete(jar);
        Framework.await("the removed bundle is gone", Duration.ofSeconds(20),
            () -> sdpaCandidates(registry).size() == before);
        assertTrue(registry.explain("sdpa").stream().map(Choice::what).anyMatch(w -> w.startsWith("attention")));
    }
}

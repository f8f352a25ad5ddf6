package org.attune.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.attune.api.registry.Candidate;
import org.attune.api.registry.NoImplementationException;
import org.junit.jupiter.api.Test;

class ProviderTableTest {
    private final AtomicLong now = new AtomicLong(1000);
    private final Set<Long> uninstalled = new HashSet<>();
    private final ProviderTable<String> table = new ProviderTable<>("attention", "attention method", 200, now::get,
        uninstalled::contains);

    private static Provider<String> provider(String service, String id, long serviceId, int ranking, long bundleId) {
        return new Provider<>(service, id, serviceId, ranking, bundleId, "b" + bundleId, "1.0.0", Map.of());
    }

    @Test
    void choosesHighestRankingThenOldestService() {
        table.add(provider("young", "sdpa", 7, 0, 1));
        table.add(provider("old", "sdpa", 3, 0, 2));
        assertSame("old", table.choose("sdpa").service());
        table.add(provider("ranked", "sdpa", 9, 10, 3));
        assertSame("ranked", table.choose("sdpa").service());

        List<Candidate> cs = table.candidates("sdpa");
        assertEquals(List.of(9L, 3L, 7L), cs.stream().map(Candidate::serviceId).toList());
        assertTrue(cs.get(0).chosen());
        assertTrue(cs.get(0).reason().contains("highest service.ranking (10)"), cs.get(0).reason());
        assertTrue(cs.get(1).reason().contains("below the chosen 10"), cs.get(1).reason());
    }

    @Test
    void removingTheBestFallsBackToTheNext() {
        table.add(provider("a", "sdpa", 1, 5, 1));
        table.add(provider("b", "sdpa", 2, 0, 2));
        table.remove("a");
        assertSame("b", table.choose("sdpa").service());
    }

    @Test
    void unknownIdFailsAtOnce() {
        NoImplementationException e = assertThrows(NoImplementationException.class, () -> table.choose("nope"));
        assertEquals("no implementation of attention method 'nope': none is installed", e.getMessage());
    }

    @Test
    void uninstalledBundleFailsAtOnce() {
        table.add(provider("a", "sdpa", 1, 0, 4));
        table.remove("a");
        uninstalled.add(4L);
        NoImplementationException e = assertThrows(NoImplementationException.class, () -> table.choose("sdpa"));
        assertTrue(e.getMessage().contains("b4 was uninstalled"), e.getMessage());
    }

    @Test
    void stoppedBundleFailsOnceTheGracePeriodHasPassed() {
        table.add(provider("a", "sdpa", 1, 0, 4));
        table.remove("a");
        now.addAndGet(250);
        NoImplementationException e = assertThrows(NoImplementationException.class, () -> table.choose("sdpa"));
        assertTrue(e.getMessage().contains("is stopped"), e.getMessage());
    }

    @Test
    void lookupDuringAnUpdateWaitsForTheNewProvider() throws Exception {
        table.add(provider("v1", "sdpa", 1, 0, 4));
        table.remove("v1");
        CompletableFuture<String> call = CompletableFuture.supplyAsync(() -> table.choose("sdpa").service());
        Thread.sleep(50);
        assertTrue(!call.isDone(), "the call waits while the bundle is being updated");
        table.add(provider("v2", "sdpa", 2, 0, 4));
        assertEquals("v2", call.get(5, TimeUnit.SECONDS));
    }

    @Test
    void departureIsForgottenWhenTheIdReturns() {
        table.add(provider("v1", "sdpa", 1, 0, 4));
        table.remove("v1");
        table.add(provider("v2", "sdpa", 2, 0, 4));
        table.remove("v2");
        now.addAndGet(150);
        table.add(provider("v3", "sdpa", 3, 0, 4));
        assertSame("v3", table.choose("sdpa").service());
        assertEquals(1, table.candidates("sdpa").size());
    }
}

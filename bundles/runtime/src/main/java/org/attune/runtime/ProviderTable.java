package org.attune.runtime;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;
import java.util.function.LongSupplier;

import org.attune.api.registry.Candidate;
import org.attune.api.registry.NoImplementationException;

/**
 * The providers of one service kind, by id, and the ids whose last provider left recently.
 *
 * <p>Invariants: {@code providers.get(id)} is never empty (the key is removed with the last provider);
 * {@code departed} holds an id only while it has no provider. All access is under this object's monitor,
 * which is also the condition that {@link #choose} waits on.
 *
 * <p>Grace rule: a lookup that finds no provider for an id whose last provider's bundle left less than
 * {@code graceMillis} ago, and that bundle is not uninstalled, waits for a provider to return (an update or
 * restart); it fails once the grace period since the departure has passed or the bundle is uninstalled.
 */
final class ProviderTable<S> {
    private record Departure(long bundleId, String bundle, long at) {
    }

    private final String what;
    private final String noun;
    private final long graceMillis;
    private final LongSupplier clock;
    private final LongPredicate uninstalled;
    private final Map<String, List<Provider<S>>> providers = new HashMap<>();
    private final Map<String, Departure> departed = new HashMap<>();

    /**
     * @param what        what the ids name, as in {@link org.attune.api.registry.Choice#what()}: a method kind id,
     *                    {@code symmetry-group} or {@code backend}
     * @param noun        the same for messages: {@code attention method}, {@code backend}
     * @param graceMillis how long a departed id is waited for
     * @param clock       milliseconds, monotonic
     * @param uninstalled tells whether the bundle with this id is uninstalled
     */
    ProviderTable(String what, String noun, long graceMillis, LongSupplier clock, LongPredicate uninstalled) {
        this.what = what;
        this.noun = noun;
        this.graceMillis = graceMillis;
        this.clock = clock;
        this.uninstalled = uninstalled;
    }

    String what() {
        return what;
    }

    synchronized void add(Provider<S> p) {
        providers.computeIfAbsent(p.id(), k -> new ArrayList<>()).add(p);
        providers.get(p.id()).sort(Provider::order);
        departed.remove(p.id());
        notifyAll();
    }

    /**
     * Removes a service; when it was the last provider of its id, records the departure of its bundle so that
     * lookups wait for it under the grace rule.
     */
    synchronized void remove(S service) {
        for (var it = providers.entrySet().iterator(); it.hasNext();) {
            var e = it.next();
            for (Provider<S> p : List.copyOf(e.getValue())) {
                if (p.service() == service) {
                    e.getValue().remove(p);
                    if (e.getValue().isEmpty()) {
                        it.remove();
                        departed.put(p.id(), new Departure(p.bundleId(), p.bundle(), clock.getAsLong()));
                    }
                }
            }
        }
        notifyAll();
    }

    /** Wakes waiting lookups, e.g. on a bundle event. */
    synchronized void wake() {
        notifyAll();
    }

    /** True when some provider or a recent departure knows this id. */
    synchronized boolean knows(String id) {
        return providers.containsKey(id) || departed.containsKey(id);
    }

    /** The best provider of {@code id} now, or null. */
    synchronized Provider<S> current(String id) {
        List<Provider<S>> list = providers.get(id);
        return list == null ? null : list.get(0);
    }

    /**
     * The best provider of {@code id}, waiting under the grace rule.
     *
     * @throws NoImplementationException when there is none
     */
    synchronized Provider<S> choose(String id) {
        while (true) {
            Provider<S> p = current(id);
            if (p != null) {
                return p;
            }
            Departure d = departed.get(id);
            if (d == null) {
                throw new NoImplementationException(noun, id, "none is installed");
            }
            if (uninstalled.test(d.bundleId())) {
                throw new NoImplementationException(noun, id, "its bundle " + d.bundle() + " was uninstalled");
            }
            long left = d.at() + graceMillis - clock.getAsLong();
            if (left <= 0) {
                throw new NoImplementationException(noun, id, "its bundle " + d.bundle() + " is stopped");
            }
            try {
                wait(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new NoImplementationException(noun, id, "interrupted while waiting for it to return");
            }
        }
    }

    /** All providers of all ids, best first within each id, ids sorted. */
    synchronized List<Provider<S>> all() {
        List<Provider<S>> out = new ArrayList<>();
        providers.keySet().stream().sorted().forEach(id -> out.addAll(providers.get(id)));
        return out;
    }

    /** The best provider of each id, sorted by the comparator. */
    synchronized List<Provider<S>> best(Comparator<Provider<S>> order) {
        List<Provider<S>> out = new ArrayList<>();
        providers.values().forEach(l -> out.add(l.get(0)));
        out.sort(order);
        return out;
    }

    /** Every provider of {@code id} with the reason it was or was not chosen, chosen first. */
    synchronized List<Candidate> candidates(String id) {
        List<Candidate> out = new ArrayList<>();
        List<Provider<S>> list = providers.getOrDefault(id, List.of());
        for (int i = 0; i < list.size(); i++) {
            Provider<S> p = list.get(i);
            String reason;
            if (i == 0) {
                reason = list.size() == 1 ? "the only provider"
                    : list.get(1).ranking() < p.ranking() ? "highest service.ranking (" + p.ranking() + ")"
                    : "highest service.ranking (" + p.ranking() + "), oldest service among equals";
            } else {
                Provider<S> best = list.get(0);
                reason = p.ranking() < best.ranking()
                    ? "service.ranking " + p.ranking() + " is below the chosen " + best.ranking()
                    : "same service.ranking, newer than service " + best.serviceId();
            }
            out.add(new Candidate(id, p.serviceId(), p.ranking(), p.bundle(), p.version(), i == 0, reason));
        }
        Departure d = departed.get(id);
        if (list.isEmpty() && d != null) {
            out.add(new Candidate(id, -1, 0, d.bundle(), "", false, uninstalled.test(d.bundleId())
                ? "its bundle was uninstalled" : "its bundle left " + (clock.getAsLong() - d.at()) + " ms ago"));
        }
        return out;
    }
}

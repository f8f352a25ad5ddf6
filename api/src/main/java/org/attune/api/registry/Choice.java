package org.attune.api.registry;

import java.util.List;
import java.util.Optional;

/**
 * The registry's choice for an id: every candidate with its reason, best first.
 *
 * @param id         the id asked about
 * @param what       what the id names: a method kind id ({@code attention}, ...), {@code symmetry-group} or {@code backend}
 * @param candidates all candidates, the chosen one (if any) first
 */
public record Choice(String id, String what, List<Candidate> candidates) {
    public Choice {
        candidates = List.copyOf(candidates);
    }

    /** The chosen candidate, if any. */
    public Optional<Candidate> chosen() {
        return candidates.stream().filter(Candidate::chosen).findFirst();
    }
}

package org.attune.api.registry;

/**
 * One service that could serve an id, and why it was or was not chosen.
 *
 * @param id        the method or backend id
 * @param serviceId {@code service.id}
 * @param ranking   {@code service.ranking}
 * @param bundle    symbolic name of the providing bundle
 * @param version   its version
 * @param chosen    whether this candidate serves calls now
 * @param reason    why it was chosen or passed over
 */
public record Candidate(String id, long serviceId, int ranking, String bundle, String version, boolean chosen,
                        String reason) {
}

package org.attune.runtime;

import java.util.Map;

/**
 * One registered service as the registry keeps it: the service object with its identity and its ordering
 * keys.
 *
 * @param service    the service object
 * @param id         method or backend id
 * @param serviceId  {@code service.id}
 * @param ranking    {@code service.ranking}
 * @param bundleId   id of the providing bundle
 * @param bundle     symbolic name of the providing bundle
 * @param version    its version
 * @param properties all service properties
 */
record Provider<S>(S service, String id, long serviceId, int ranking, long bundleId, String bundle, String version,
                   Map<String, Object> properties) {

    /** Higher ranking first, then the older (lower) service id, as the OSGi service registry orders. */
    static int order(Provider<?> a, Provider<?> b) {
        int c = Integer.compare(b.ranking, a.ranking);
        return c != 0 ? c : Long.compare(a.serviceId, b.serviceId);
    }
}

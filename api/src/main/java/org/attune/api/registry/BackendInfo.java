package org.attune.api.registry;

import java.util.List;

/**
 * A registered backend as the registry sees it.
 *
 * @param id         backend id
 * @param name       readable name
 * @param device     the device it computes on
 * @param ranking    {@code service.ranking}
 * @param operations supported operation ids
 * @param dtypes     supported element types
 * @param active     whether calls go to it now
 */
public record BackendInfo(String id, String name, String device, int ranking, List<String> operations,
                          List<String> dtypes, boolean active) {
    public BackendInfo {
        operations = List.copyOf(operations);
        dtypes = List.copyOf(dtypes);
    }
}

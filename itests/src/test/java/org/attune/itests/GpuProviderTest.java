package org.attune.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.attune.api.registry.BackendInfo;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/**
 * The GPU provider resolves and starts harmlessly on a machine without a CUDA device: it registers no backend
 * and says why. (On a GPU machine gpu-provider/gpu-check.sh covers the registered case.)
 */
class GpuProviderTest {
    @Test
    void withoutADeviceTheProviderStartsRegistersNoBackendAndSaysWhy() throws Exception {
        Bundle gpu = Framework.bundle("org.attune.gpu-provider");
        assertNotNull(gpu, "the provider is installed");
        assertEquals(Bundle.ACTIVE, gpu.getState());
        ServiceReference<?>[] status = Framework.CONTEXT.getServiceReferences((String) null, "(attune.gpu.available=*)");
        assertNotNull(status, "a status service is registered");
        boolean available = Boolean.TRUE.equals(status[0].getProperty("attune.gpu.available"));
        boolean listed = Framework.registry().backends().stream().map(BackendInfo::id).anyMatch("gpu"::equals);
        assertEquals(available, listed, "the gpu backend is listed exactly when a device was found");
        if (!available) {
            String reason = String.valueOf(status[0].getProperty("attune.gpu.reason"));
            assertFalse(reason.isBlank(), "the status says why there is no backend");
            assertTrue(reason.length() < 400, reason);
        }
    }
}

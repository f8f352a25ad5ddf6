package org.attune.gpu;

/** No CUDA device can be used; the message says why (no driver library, no device, too old a device, no kernels). */
final class GpuUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    GpuUnavailableException(String reason, Throwable cause) {
        super(reason, cause);
    }

    GpuUnavailableException(String reason) {
        super(reason);
    }
}

package org.attune.gpu;

/** A CUDA driver call returned an error: the call, the {@code CUresult} code, its name and its description. */
final class CudaException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int code;

    CudaException(String call, int code, String name, String description) {
        super(call + " failed: " + name + " (" + code + "): " + description);
        this.code = code;
    }

    /** The {@code CUresult} code. */
    int code() {
        return code;
    }
}

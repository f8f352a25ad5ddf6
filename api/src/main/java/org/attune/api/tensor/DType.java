package org.attune.api.tensor;

/** Element types a {@link Tensor} can hold, with their NumPy dtype strings. */
public enum DType {
    /** IEEE 754 binary32, NumPy {@code <f4}. */
    FLOAT32("<f4", 4),
    /** IEEE 754 binary64, NumPy {@code <f8}. */
    FLOAT64("<f8", 8),
    /** Signed 64-bit integer, NumPy {@code <i8}: indices and edge lists. */
    INT64("<i8", 8),
    /** Boolean, NumPy {@code |b1}: masks. */
    BOOL("|b1", 1);

    private final String npy;
    private final int bytes;

    DType(String npy, int bytes) {
        this.npy = npy;
        this.bytes = bytes;
    }

    /** The NumPy {@code descr} string of this type, e.g. {@code <f4}. */
    public String npyDescr() {
        return npy;
    }

    /** Bytes per element. */
    public int byteSize() {
        return bytes;
    }

    /** True for {@link #FLOAT32} and {@link #FLOAT64}. */
    public boolean isFloating() {
        return this == FLOAT32 || this == FLOAT64;
    }

    /** Short name used in messages and on the shell: f32, f64, i64, bool. */
    public String shortName() {
        return switch (this) {
            case FLOAT32 -> "f32";
            case FLOAT64 -> "f64";
            case INT64 -> "i64";
            case BOOL -> "bool";
        };
    }
}

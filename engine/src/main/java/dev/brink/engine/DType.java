package dev.brink.engine;

/**
 * Element type of a tensor. {@link #FLOAT32} is the default for models and data; {@link #FLOAT64} exists for
 * gradient checks and reference comparisons; {@link #INT32} holds class labels and indices (argmax results,
 * gather indices, pooling switches) and is never differentiable.
 */
public enum DType {
    FLOAT32(4, true),
    FLOAT64(8, true),
    INT32(4, false);

    private final int bytes;
    private final boolean floating;

    DType(int bytes, boolean floating) {
        this.bytes = bytes;
        this.floating = floating;
    }

    /** Size of one element in bytes. */
    public int bytes() {
        return bytes;
    }

    /** True for the floating-point types, the only ones that can carry gradients. */
    public boolean isFloating() {
        return floating;
    }

    /** Lower-case name as used in messages and files ("float32", "float64", "int32"). */
    public String label() {
        return name().toLowerCase();
    }
}

package dev.brink.engine.backend;

import dev.brink.engine.DType;

/**
 * A flat buffer of elements owned by a {@link Backend} (host arrays for the CPU backend, device memory for a GPU
 * backend). Tensors are views (shape, strides, offset) onto a storage; several tensors may share one.
 */
public interface Storage {
    /** The backend that owns this memory and runs kernels on it. */
    Backend backend();

    /** Element type of the buffer. */
    DType dtype();

    /** Number of elements. */
    int size();
}

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

    /**
     * For {@link dev.brink.engine.TensorScope}: an action that hands this storage's buffer back to its backend once
     * the storage itself has become unreachable without being {@linkplain Backend#recycle recycled}, or null when the
     * backend leaves such a buffer to the garbage collector. The action must not reference this storage (it is held
     * while the storage may die), must do nothing once the storage was recycled, and runs at most once.
     */
    default Runnable orphanReclaimer() {
        return null;
    }
}

package dev.brink.kernels;

import dev.brink.engine.DType;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.Backend;
import dev.brink.engine.backend.Storage;

import java.lang.ref.Cleaner;

/**
 * Device memory of the CUDA backend: a block from its {@link CachingAllocator}, handed back to the allocator's
 * free lists by a {@link Cleaner} when the storage is collected, or at once when the backend {@linkplain #recycle
 * recycles} it (a backward pass's dead gradient, a closing scope's tensors), whichever comes first.
 */
public final class CudaStorage implements Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final CudaBackend backend;
    private final DType dtype;
    private final int size;
    private final Device.Buffer buffer;
    private final Cleaner.Cleanable release;
    private volatile boolean recycled;

    CudaStorage(CudaBackend backend, DType dtype, int size, Device.Buffer buffer) {
        this.backend = backend;
        this.dtype = dtype;
        this.size = size;
        this.buffer = buffer;
        this.release = CLEANER.register(this, new Release(backend.allocator(), buffer));
    }

    /**
     * Hands the block back to the allocator now instead of when the storage is collected; every later use of this
     * storage fails. A second call does nothing (the cleaning action runs at most once). The block may be handed
     * out again at once: kernels queued on it before run before kernels queued after, on the backend's one stream.
     */
    void recycle() {
        recycled = true;
        release.clean();
    }

    /** The cleaning action: must not refer to the storage itself. */
    private record Release(CachingAllocator allocator, Device.Buffer buffer) implements Runnable {
        @Override
        public void run() {
            allocator.release(buffer);
        }
    }

    /** The CUDA storage behind {@code t}, or an error naming the backend that owns it. */
    static CudaStorage of(Tensor t, CudaBackend expected) {
        Storage s = t.storage();
        if (s instanceof CudaStorage c && c.backend == expected) return c;
        throw new IllegalArgumentException("cuda backend: tensor lives on backend '" + s.backend().name() + "', not on this cuda backend");
    }

    /**
     * The device allocation (its size is the allocator's size class, at least {@code size * dtype.bytes()}); an
     * error once the storage was {@linkplain #recycle recycled}, since its block may belong to another tensor.
     */
    Device.Buffer buffer() {
        if (recycled)
            throw new IllegalStateException("cuda backend: " + this + " was recycled (its backward pass or scope released it) and must not be used");
        return buffer;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public String toString() {
        return "CudaStorage(" + dtype.label() + ", " + size + ")";
    }
}

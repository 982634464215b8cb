package dev.brink.kernels;

/**
 * The device operations that {@link CudaBackend} is written against: memory, transfers and kernel launches by
 * name, all ordered on one stream. {@link JCudaDevice} implements them with the CUDA driver API; the test suite
 * implements them with an emulator that runs the same kernel sources on the CPU, so that everything above this
 * interface (layouts, launch configurations, the caching allocator, error slots) is tested without a GPU.
 */
public interface Device extends AutoCloseable {
    /** An allocation of device memory. */
    interface Buffer {
        /** Size in bytes. */
        long bytes();
    }

    /** One line naming the device (model, compute capability, driver) and the libraries in use. */
    String describe();

    /**
     * A new allocation of {@code bytes} bytes (contents undefined).
     *
     * @throws DeviceOutOfMemoryException when the device has no room
     */
    Buffer alloc(long bytes);

    /** Returns an allocation to the device; no queued work may use it afterwards. */
    void free(Buffer b);

    /** Bytes of device memory free and total, or {@code null} where unknown. */
    long[] memoryInfo();

    /** Copies {@code data} (float32, float64 or int32 elements, by the array's type) to {@code dst} at a byte offset. */
    void upload(Buffer dst, long byteOffset, Object data);

    /** Copies device memory into {@code data} (a float[], double[], int[] or long[]), waiting for queued work. */
    void download(Buffer src, long byteOffset, Object data);

    /** Copies {@code bytes} bytes between allocations, ordered on the stream. */
    void copy(Buffer dst, long dstOffset, Buffer src, long srcOffset, long bytes);

    /** Sets {@code bytes} bytes to {@code value}, ordered on the stream. */
    void memset(Buffer dst, long byteOffset, long bytes, byte value);

    /** Queues kernel {@code name} on the stream with grid and block dimensions {x, y, z}. */
    void launch(String name, int[] grid, int[] block, KernelArgs args);

    /** Waits for all queued work and reports a failure of any of it. */
    void synchronize();

    /** cuBLAS, or {@code null} where it cannot be loaded (the built-in GEMM kernel is used instead). */
    default Blas blas() {
        return null;
    }

    /** cuDNN, or {@code null} where it cannot be loaded (the built-in convolution kernels are used instead). */
    default Dnn dnn() {
        return null;
    }

    @Override
    void close();
}

package dev.brink.kernels;

/** Device memory is exhausted, even after the caching allocator released what it held. */
public final class DeviceOutOfMemoryException extends RuntimeException {
    public DeviceOutOfMemoryException(String message) {
        super(message);
    }
}

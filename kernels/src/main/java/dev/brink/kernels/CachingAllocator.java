package dev.brink.kernels;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Caching allocator of device memory. Requests are rounded up to a size class (512-byte steps up to 4 KiB, then
 * quarter steps between powers of two, so at most 25% is wasted) and served from per-class free lists; freed
 * blocks go back to their list, not to the driver. Reuse is safe without synchronization because every kernel and
 * copy is ordered on the backend's one stream: work queued on a block before it was released runs before work
 * queued after it is handed out again. When the device is full, the cached blocks are returned to the driver
 * (after a synchronization), then collected tensors are given a moment to release theirs, before giving up with
 * {@link DeviceOutOfMemoryException}. Blocks come back through {@link #release} from the {@code Cleaner} thread.
 */
final class CachingAllocator {
    private final Device device;
    private final Map<Long, ArrayDeque<Device.Buffer>> free = new HashMap<>();
    private long cachedBytes;
    private long liveBytes;
    private long peakBytes;

    CachingAllocator(Device device) {
        this.device = device;
    }

    /** The size class of a request of {@code bytes} bytes (at least 512). */
    static long sizeClass(long bytes) {
        long b = Math.max(bytes, 1);
        if (b <= 4096) return (b + 511) & ~511L;
        int hi = 63 - Long.numberOfLeadingZeros(b - 1); // 2^hi < b <= 2^(hi+1)
        long step = 1L << (hi - 2);
        return (b + step - 1) / step * step;
    }

    /** A block of at least {@code bytes} bytes (contents undefined). */
    synchronized Device.Buffer allocate(long bytes) {
        long c = sizeClass(bytes);
        ArrayDeque<Device.Buffer> q = free.get(c);
        Device.Buffer b;
        if (q != null && !q.isEmpty()) {
            b = q.pop();
            cachedBytes -= c;
        } else {
            b = allocateFromDevice(c);
        }
        liveBytes += c;
        peakBytes = Math.max(peakBytes, liveBytes);
        return b;
    }

    private Device.Buffer allocateFromDevice(long c) {
        try {
            return device.alloc(c);
        } catch (DeviceOutOfMemoryException first) {
            long cached = cachedBytes;
            releaseCached();
            try {
                return device.alloc(c);
            } catch (DeviceOutOfMemoryException again) {
                // Unreachable tensors still hold blocks until their cleaners run: give them a moment.
                System.gc();
                try {
                    wait(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                releaseCached();
                try {
                    return device.alloc(c);
                } catch (DeviceOutOfMemoryException last) {
                    long[] info = device.memoryInfo();
                    throw new DeviceOutOfMemoryException(String.format(Locale.ROOT,
                            "CUDA out of device memory: cannot allocate %s (tensors alive: %s; %s of cached blocks were released and it still failed%s); use a smaller batch",
                            mib(c), mib(liveBytes), mib(cached),
                            info == null ? "" : "; device: " + mib(info[0]) + " free of " + mib(info[1])));
                }
            }
        }
    }

    /** Returns a block (from a collected storage) to its free list. */
    synchronized void release(Device.Buffer b) {
        long c = b.bytes();
        free.computeIfAbsent(c, k -> new ArrayDeque<>()).push(b);
        cachedBytes += c;
        liveBytes -= c;
        notifyAll();
    }

    /** Gives every cached block back to the driver (waits for queued work first). */
    synchronized void releaseCached() {
        if (cachedBytes == 0) return;
        device.synchronize();
        for (ArrayDeque<Device.Buffer> q : free.values()) for (Device.Buffer b : q) device.free(b);
        free.clear();
        cachedBytes = 0;
    }

    /** Bytes held by live storages, by the free lists, and the peak of the former. */
    synchronized long[] stats() {
        return new long[] {liveBytes, cachedBytes, peakBytes};
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}

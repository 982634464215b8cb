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
 * queued after it is handed out again. Blocks come back through {@link #release} at once when the backend recycles
 * their storage (the dead gradients of a backward pass, the tensors of a closing {@code TensorScope}), else from the
 * {@code Cleaner} thread, that is only once the garbage collector has found their tensors unreachable; a small Java
 * heap full of tensor handles can take many steps to notice gigabytes of dead device memory. So when a request misses the cache and
 * the blocks handed out exceed a threshold (half the device's memory by default, {@code -Dbrink.cuda.collectAt=}
 * a fraction of it), the allocator first runs the collector and waits for the releases; the threshold then moves
 * to 1.5 times what is still alive, if that is more. When the device is full, it collects the same way, returns
 * the cached blocks to the driver (after a synchronization) and tries again, before giving up with
 * {@link DeviceOutOfMemoryException}.
 */
final class CachingAllocator {
    private final Device device;
    private final Map<Long, ArrayDeque<Device.Buffer>> free = new HashMap<>();
    private long cachedBytes;
    private long liveBytes;
    private long peakBytes;
    /** Live bytes above which a cache miss first collects garbage. */
    private final long baseCollectAt;
    private long collectAt;
    private long collections;

    CachingAllocator(Device device) {
        this.device = device;
        long[] info = device.memoryInfo();
        double fraction = collectFraction();
        this.baseCollectAt = info == null ? Long.MAX_VALUE : (long) (fraction * info[1]);
        this.collectAt = baseCollectAt;
    }

    private static double collectFraction() {
        String v = System.getProperty("brink.cuda.collectAt", "0.5");
        try {
            double f = Double.parseDouble(v);
            if (f > 0 && f <= 1) return f;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("-Dbrink.cuda.collectAt=" + v + ": expected a fraction of the device's memory in (0, 1]");
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
        Device.Buffer b = fromCache(c);
        if (b == null && liveBytes + c > collectAt) {
            collectGarbage();
            b = fromCache(c);
        }
        if (b == null) b = allocateFromDevice(c);
        liveBytes += c;
        peakBytes = Math.max(peakBytes, liveBytes);
        return b;
    }

    private Device.Buffer fromCache(long c) {
        ArrayDeque<Device.Buffer> q = free.get(c);
        if (q == null || q.isEmpty()) return null;
        cachedBytes -= c;
        return q.pop();
    }

    /**
     * Runs the garbage collector and waits (monitor released) while the cleaners of unreachable tensors keep
     * returning blocks: until 50 ms pass without a release, at most 2 s.
     */
    private void collectGarbage() {
        collections++;
        System.gc();
        long deadline = System.nanoTime() + 2_000_000_000L;
        long seen = liveBytes;
        while (System.nanoTime() < deadline) {
            try {
                wait(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (liveBytes == seen) break;
            seen = liveBytes;
        }
        collectAt = Math.max(baseCollectAt, liveBytes + liveBytes / 2);
    }

    private Device.Buffer allocateFromDevice(long c) {
        try {
            return device.alloc(c);
        } catch (DeviceOutOfMemoryException first) {
            collectGarbage();
            Device.Buffer b = fromCache(c);
            if (b != null) return b;
            long cached = cachedBytes;
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

    /** Returns a block (from a recycled or collected storage) to its free list. */
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

    /** Bytes held by live storages, by the free lists, the peak of the former, and the garbage collections run. */
    synchronized long[] stats() {
        return new long[] {liveBytes, cachedBytes, peakBytes, collections};
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}

package dev.brink.engine.backend.cpu;

import dev.brink.engine.DType;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;

/**
 * The arrays of storages the autodiff walker or a closing {@link dev.brink.engine.TensorScope} has
 * {@linkplain CpuBackend#recycle recycled}, kept by dtype and exact size and handed out again by {@link CpuBackend#allocate} (zero-filled) and {@link CpuBackend#allocateUninitialized}
 * (as left). A training step allocates the same sizes
 * step after step, so the gradients and temporaries one backward pass frees become the next forward pass's
 * activations instead of garbage: the heap fills more slowly, young collections come less often, and the
 * launcher can run with a smaller young generation (less resident memory) at the same collection rate.
 *
 * <p>Arrays under {@link #MIN_ELEMENTS} are not kept (the collector handles them cheaply); beyond
 * {@link #capacityBytes()} in total the oldest kept arrays go to the collector (sizes a loop no longer uses, such as
 * an evaluation's larger batch, do not occupy the pool for good). {@code -Dbrink.recycle=false} turns recycling off. Thread-safe.
 */
final class CpuStoragePool {
    /** Smallest array kept: 16 Ki elements (64 KiB of float32). */
    static final int MIN_ELEMENTS = 1 << 14;
    private static final boolean ENABLED = !"false".equals(System.getProperty("brink.recycle"));
    private static final long CAPACITY = Runtime.getRuntime().maxMemory() / 4;

    private static final Map<Long, ArrayDeque<CpuStorage>> FREE = new HashMap<>();
    /** Every kept storage, oldest offer first: a full pool drops these to make room (sizes no step uses any more). */
    private static final LinkedHashSet<CpuStorage> AGE = new LinkedHashSet<>();
    private static long bytes;
    private static long reused, offered, missed;

    private CpuStoragePool() {}

    /**
     * Most bytes kept at once: a quarter of the maximum heap (a closing scope hands back a whole training step's
     * activations, 0.3 GB for ResNet-18 at batch 32, and the next step takes them again).
     */
    static long capacityBytes() {
        return CAPACITY;
    }

    private static long key(DType dtype, int size) {
        return ((long) size << 2) | dtype.ordinal();
    }

    /**
     * A recycled storage of exactly this dtype and size, zero-filled when {@code zero} (else as it was left); null
     * when none is kept.
     */
    static CpuStorage take(DType dtype, int size, boolean zero) {
        if (!ENABLED || size < MIN_ELEMENTS) return null;
        CpuStorage s;
        synchronized (FREE) {
            ArrayDeque<CpuStorage> q = FREE.get(key(dtype, size));
            s = q == null ? null : q.pollLast();
            if (s == null) {
                missed++;
                return null;
            }
            AGE.remove(s);
            bytes -= (long) size * dtype.bytes();
            reused++;
        }
        s.armReclaim();
        if (zero) clear(s);
        return s;
    }

    /** Elements from which clearing is split over the threads (a serial fill of megabytes leaves cores idle). */
    static final int PARALLEL_CLEAR = 1 << 18;

    private static void clear(CpuStorage s) {
        int n = s.size(), parts = CpuParallel.partsFor(n, PARALLEL_CLEAR);
        CpuParallel.run(parts, part -> {
            int lo = (int) ((long) n * part / parts), hi = (int) ((long) n * (part + 1) / parts);
            switch (s.dtype()) {
                case FLOAT32 -> Arrays.fill(s.floats(), lo, hi, 0f);
                case FLOAT64 -> Arrays.fill(s.doubles(), lo, hi, 0.0);
                case INT32 -> Arrays.fill(s.ints(), lo, hi, 0);
            }
        });
    }

    /**
     * Releases {@code s} (every later use of it fails) and keeps its array, under a new storage, for a later
     * {@link #take}, unless it is small; a full pool drops its oldest arrays to make room. A storage already
     * released is left alone.
     */
    static void offer(CpuStorage s) {
        if (s.isReleased()) return;
        CpuStorage moved = CpuStorage.moveToNew(s);
        int size = moved.size();
        if (!ENABLED || size < MIN_ELEMENTS) return;
        long b = (long) size * moved.dtype().bytes();
        if (b > CAPACITY) return;
        synchronized (FREE) {
            while (bytes + b > CAPACITY) {
                CpuStorage oldest = AGE.iterator().next();
                AGE.remove(oldest);
                FREE.get(key(oldest.dtype(), oldest.size())).remove(oldest);
                bytes -= (long) oldest.size() * oldest.dtype().bytes();
            }
            FREE.computeIfAbsent(key(moved.dtype(), size), k -> new ArrayDeque<>()).addLast(moved);
            AGE.add(moved);
            bytes += b;
            offered++;
        }
    }

    /** Bytes kept now. */
    static long bytesKept() {
        synchronized (FREE) {
            return bytes;
        }
    }

    /**
     * Since the JVM started (for tests and diagnostics): storages handed out again, storages accepted, and
     * allocations of a poolable size that found none kept (new arrays).
     */
    static long[] counts() {
        synchronized (FREE) {
            return new long[] {reused, offered, missed};
        }
    }

    /** Drops every kept array (tests). */
    static void clear() {
        synchronized (FREE) {
            FREE.clear();
            AGE.clear();
            bytes = 0;
        }
    }
}

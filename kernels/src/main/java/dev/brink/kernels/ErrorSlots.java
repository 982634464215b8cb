package dev.brink.kernels;

import java.util.ArrayList;
import java.util.List;

/**
 * Device-side error reporting without a host round trip per kernel. A kernel that can meet a bad index (gather,
 * scatterAdd, cross-entropy labels, EMR labels) gets its own 8-byte slot, preset to all ones; it keeps there the
 * smallest {@code (row-major position << 32 | bad value)} it saw (atomicMin). The host reads the pending slots at
 * its next synchronization ({@link #check}, called by every read) and raises the first error in call order, as
 * {@link dev.brink.engine.backend.Backend#gather} allows ("a device backend may raise it at the next
 * synchronization").
 */
final class ErrorSlots {
    static final int SLOTS = 256;

    private record Pending(String what, int bound) {}

    private final Device device;
    private final Device.Buffer buffer;
    private final List<Pending> pending = new ArrayList<>();

    ErrorSlots(Device device) {
        this.device = device;
        this.buffer = device.alloc(SLOTS * 8L);
    }

    Device.Buffer buffer() {
        return buffer;
    }

    /**
     * Reserves a slot for one kernel and returns its byte offset. {@code what} prefixes the message ("element" for
     * indexing kernels); {@code bound} is the valid range's end.
     */
    synchronized long acquire(String what, int bound) {
        if (pending.size() == SLOTS) check();
        int slot = pending.size();
        device.memset(buffer, slot * 8L, 8, (byte) 0xFF);
        pending.add(new Pending(what, bound));
        return slot * 8L;
    }

    /** Reads the pending slots (waiting for queued work) and throws for the first kernel that reported an error. */
    synchronized void check() {
        if (pending.isEmpty()) return;
        long[] v = new long[pending.size()];
        device.download(buffer, 0, v);
        List<Pending> p = new ArrayList<>(pending);
        pending.clear();
        for (int i = 0; i < v.length; i++) {
            if (v[i] == -1L) continue;
            long position = v[i] >>> 32;
            int value = (int) v[i];
            throw new IndexOutOfBoundsException(p.get(i).what() + " " + position + " (row-major) = " + value
                    + " is out of range [0, " + p.get(i).bound() + ")");
        }
    }

    void free() {
        device.free(buffer);
    }
}

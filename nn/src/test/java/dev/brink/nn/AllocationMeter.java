package dev.brink.nn;

import java.lang.management.ManagementFactory;

/**
 * Bytes allocated on the Java heap by the current thread since {@link #start()} (HotSpot's per-thread allocation
 * counter): how tests show that a file was refused from its header, before anything its header declares was allocated.
 */
public final class AllocationMeter {
    private static final com.sun.management.ThreadMXBean BEAN = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private final long thread = Thread.currentThread().getId();
    private final long start = BEAN.getThreadAllocatedBytes(thread);

    private AllocationMeter() {}

    /** A meter counting from now, on the current thread. */
    public static AllocationMeter start() {
        return new AllocationMeter();
    }

    /** Bytes allocated by this thread since the meter started. */
    public long bytes() {
        return BEAN.getThreadAllocatedBytes(thread) - start;
    }
}

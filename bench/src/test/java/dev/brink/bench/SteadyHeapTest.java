package dev.brink.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

import org.junit.jupiter.api.Test;

/**
 * A long training or attack loop keeps a bounded heap: after a full collection, the live heap after many steps is
 * no larger than after a few (plus a small allowance), so nothing a step creates (autodiff graphs, saved tensors,
 * optimizer state, cached buffers) accumulates from step to step. Counts bytes, not time.
 */
class SteadyHeapTest {

    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    /** Live heap bytes after a full collection (two, so that objects freed by the first one's cleaners go too). */
    private static long liveHeap() {
        for (int i = 0; i < 2; i++) System.gc();
        return MEMORY.getHeapMemoryUsage().getUsed();
    }

    private static void assertBounded(String workload, int warmSteps, int moreSteps) {
        Workload.Step step = BrinkWorkloads.byName(workload).prepare(true);
        for (int i = 0; i < warmSteps; i++) step.run();
        long before = liveHeap();
        for (int i = 0; i < moreSteps; i++) step.run();
        long after = liveHeap();
        // 8 MiB of allowance for class loading, JIT-related objects and the GC's own slack; a leak of even one small
        // smoke-size activation per step (>= 12 KiB) over the extra steps would exceed it several times over
        long allowance = 8L << 20;
        assertTrue(after - before <= allowance, workload + ": live heap grew from " + before + " to " + after + " bytes over "
                + moreSteps + " more steps");
    }

    @Test
    void trainingStepsDoNotAccumulateHeap() {
        assertBounded(Workloads.MADRY_TRAIN, 20, 500);
    }

    @Test
    void attackStepsDoNotAccumulateHeap() {
        assertBounded(Workloads.MADRY_PGD40, 10, 150);
    }
}

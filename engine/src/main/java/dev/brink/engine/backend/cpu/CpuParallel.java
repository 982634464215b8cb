package dev.brink.engine.backend.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Parallel loops for the CPU kernels, run on the common {@link ForkJoinPool}. Work is split only when it is
 * large (over {@link #MIN_PARALLEL_WORK} multiply-adds or comparable units); small kernels stay on the calling
 * thread. Results never depend on the split: tasks write disjoint outputs or partial sums combined in a fixed
 * order.
 */
final class CpuParallel {
    /** Work (in multiply-adds) below which a kernel runs single-threaded. */
    static final long MIN_PARALLEL_WORK = 1L << 20;

    private CpuParallel() {}

    static int threads() {
        return Math.max(1, ForkJoinPool.getCommonPoolParallelism());
    }

    /** Runs {@code body} for every i in [0, n), in parallel when {@code parallel} and n > 1. */
    static void forRange(int n, boolean parallel, IntConsumer body) {
        if (parallel && n > 1) {
            IntStream.range(0, n).parallel().forEach(body);
        } else {
            for (int i = 0; i < n; i++) body.accept(i);
        }
    }
}

package dev.brink.engine.backend.cpu;

import java.util.Locale;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.IntConsumer;

/**
 * The CPU backend's threads: one shared pool of {@code threads() - 1} daemon workers plus the calling thread.
 * The count is all available processors unless set by the system property {@code brink.threads}, the
 * environment variable {@code BRINK_THREADS} (read when the first parallel kernel runs) or
 * {@link CpuBackend#setThreads}.
 *
 * <p>Kernels split their work into parts that write disjoint outputs (or partial sums combined in a fixed
 * order), so results never depend on the thread count. A parallel loop entered from inside another one runs
 * sequentially on the calling thread, so nested kernels never oversubscribe the cores.
 */
final class CpuParallel {
    /** Work (in multiply-adds) below which a kernel runs single-threaded. */
    static final long MIN_PARALLEL_WORK = 1L << 20;

    private static volatile int threads;          // 0: not configured yet
    private static volatile ForkJoinPool pool;    // null when threads == 1
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private CpuParallel() {}

    /** Number of threads kernels use (at least 1). */
    static int threads() {
        int t = threads;
        if (t == 0) {
            synchronized (CpuParallel.class) {
                if (threads == 0) configure(defaultThreads());
                t = threads;
            }
        }
        return t;
    }

    /** Sets the thread count; {@code n <= 0} restores the default (property, environment or all cores). */
    static synchronized void setThreads(int n) {
        configure(n <= 0 ? defaultThreads() : n);
    }

    private static void configure(int n) {
        ForkJoinPool old = pool;
        pool = n > 1 ? new ForkJoinPool(n - 1, CpuParallel::newWorker, null, false) : null;
        threads = n;
        if (old != null) old.shutdown();
    }

    private static ForkJoinWorkerThread newWorker(ForkJoinPool p) {
        ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
        t.setDaemon(true);
        t.setName("brink-cpu-" + t.getPoolIndex());
        return t;
    }

    /** The configured default: {@code brink.threads}, else {@code BRINK_THREADS}, else all available processors. */
    static int defaultThreads() {
        Integer v = parse(System.getProperty("brink.threads"), "system property brink.threads");
        if (v == null) v = parse(System.getenv("BRINK_THREADS"), "environment variable BRINK_THREADS");
        return v != null ? v : Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    private static Integer parse(String s, String what) {
        if (s == null || s.isBlank()) return null;
        try {
            int v = Integer.parseInt(s.trim());
            if (v >= 1) return v;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(String.format(Locale.ROOT, "%s must be a positive integer, got '%s'", what, s));
    }

    /** True when the calling thread is already running a part of a parallel loop. */
    static boolean nested() {
        return DEPTH.get()[0] > 0 || Thread.currentThread() instanceof ForkJoinWorkerThread w && w.getPool() == pool;
    }

    /** Number of parts worth splitting {@code work} multiply-adds into: 1 when small or nested, else the thread count. */
    static int partsFor(long work) {
        if (work < MIN_PARALLEL_WORK) return 1;
        int t = threads();
        return t <= 1 || nested() ? 1 : t;
    }

    /**
     * Runs {@code body} for every part in [0, parts): part 0 on the calling thread, the others on the pool, and
     * returns when all are done (rethrowing the first failure). Sequential when parts is 1 or the call is nested.
     */
    static void run(int parts, IntConsumer body) {
        ForkJoinPool p = pool;
        if (parts <= 1 || p == null || nested()) {
            for (int i = 0; i < parts; i++) body.accept(i);
            return;
        }
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[parts - 1];
        for (int i = 1; i < parts; i++) {
            int part = i;
            try {
                tasks[i - 1] = p.submit(() -> body.accept(part));
            } catch (RejectedExecutionException e) {
                tasks[i - 1] = null; // the pool was replaced by setThreads: this part runs on the caller below
            }
        }
        int[] depth = DEPTH.get();
        Throwable failure = null;
        depth[0]++;
        try {
            body.accept(0);
            for (int i = 1; i < parts; i++) if (tasks[i - 1] == null) body.accept(i);
        } catch (Throwable t) {
            failure = t;
        } finally {
            depth[0]--;
        }
        for (ForkJoinTask<?> t : tasks) {
            if (t == null) continue;
            try {
                t.join();
            } catch (Throwable e) {
                if (failure == null) failure = e;
            }
        }
        if (failure instanceof RuntimeException r) throw r;
        if (failure instanceof Error e) throw e;
        if (failure != null) throw new RuntimeException(failure);
    }

    /**
     * Runs {@code body} for every i in [0, n), in contiguous chunks over the threads when {@code parallel} and
     * n > 1. Each index runs exactly once; the order within a chunk is ascending.
     */
    static void forRange(int n, boolean parallel, IntConsumer body) {
        int parts = parallel ? Math.min(n, threads()) : 1;
        if (parts <= 1) {
            for (int i = 0; i < n; i++) body.accept(i);
            return;
        }
        run(parts, part -> {
            int lo = (int) ((long) n * part / parts), hi = (int) ((long) n * (part + 1) / parts);
            for (int i = lo; i < hi; i++) body.accept(i);
        });
    }
}

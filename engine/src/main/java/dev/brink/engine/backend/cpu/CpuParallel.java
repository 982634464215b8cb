package dev.brink.engine.backend.cpu;

import java.util.Locale;
import java.util.function.IntConsumer;

/**
 * The CPU backend's threads: one shared set of {@code threads() - 1} daemon workers ({@link CpuWorkers}) plus the
 * calling thread.
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
    private static volatile CpuWorkers pool;      // null when threads == 1
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
        CpuWorkers old = pool;
        pool = n > 1 ? new CpuWorkers(n - 1) : null;
        threads = n;
        if (old != null) old.shutdown();
    }

    /** How many times the current workers have gone to sleep (0 with one thread; for tests). */
    static long workerSleeps() {
        CpuWorkers p = pool;
        return p == null ? 0 : p.sleeps();
    }

    /** Called by each worker thread when it starts: loops it enters run sequentially. */
    static void markWorker() {
        DEPTH.get()[0] = 1;
    }

    /** The configured default: {@code brink.threads}, else {@code BRINK_THREADS}, else all available processors. */
    static int defaultThreads() {
        Integer v = parse(System.getProperty("brink.threads"), "system property brink.threads", 1);
        if (v == null) v = parse(System.getenv("BRINK_THREADS"), "environment variable BRINK_THREADS", 1);
        return v != null ? v : Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    /** The integer setting s (at least {@code min}), null when unset or blank, else an error naming {@code what}. */
    static Integer parse(String s, String what, int min) {
        if (s == null || s.isBlank()) return null;
        try {
            int v = Integer.parseInt(s.trim());
            if (v >= min) return v;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        String expected = min == 1 ? "a positive integer" : "an integer >= " + min;
        throw new IllegalArgumentException(String.format(Locale.ROOT, "%s must be %s, got '%s'", what, expected, s));
    }

    /** True when the calling thread is already running a part of a parallel loop. */
    static boolean nested() {
        return DEPTH.get()[0] > 0;
    }

    /**
     * Number of parts worth splitting {@code work} multiply-adds into: {@link #partsFor(long, long)} with
     * {@link #MIN_PARALLEL_WORK}.
     */
    static int partsFor(long work) {
        return partsFor(work, MIN_PARALLEL_WORK);
    }

    /**
     * Number of parts worth splitting {@code amount} (multiply-adds, elements, ...) into, where {@code threshold} is
     * the amount at which two parts pay for their hand-off: 1 when below it or nested, else the thread count, but
     * no more parts than give each at least half the threshold, so that a mid-sized kernel on many cores is not cut
     * into parts of a few microseconds.
     */
    static int partsFor(long amount, long threshold) {
        if (amount < threshold) return 1;
        int t = threads();
        return t <= 1 || nested() ? 1 : (int) Math.max(2, Math.min(t, amount / Math.max(1, threshold / 2)));
    }

    /**
     * Runs {@code body} for every part in [0, parts): part 0 on the calling thread, the others on whichever thread
     * (a worker or the caller) is free first, and returns when all are done (rethrowing the first failure).
     * Sequential when parts is 1, the call is nested, or another thread's loop has the workers.
     */
    static void run(int parts, IntConsumer body) {
        CpuWorkers p = pool;
        int[] depth = DEPTH.get();
        if (parts > 1 && p != null && depth[0] == 0) {
            depth[0]++;
            try {
                if (p.tryRun(parts, body)) return;
            } finally {
                depth[0]--;
            }
        }
        for (int i = 0; i < parts; i++) body.accept(i);
    }

    /**
     * Runs {@code body} for every i in [0, n), in contiguous chunks over the threads when {@code parallel} and
     * n > 1. Each index runs exactly once; the order within a chunk is ascending.
     */
    static void forRange(int n, boolean parallel, IntConsumer body) {
        forRange(n, parallel ? threads() : 1, body);
    }

    /**
     * Runs {@code body} for every i in [0, n) in {@code min(n, parts)} contiguous chunks ({@link #run}), typically
     * {@code parts} from {@link #partsFor}, so that a loop gets no more parts than its work pays for. Each index
     * runs exactly once; the order within a chunk is ascending.
     */
    static void forRange(int n, int maxParts, IntConsumer body) {
        int parts = Math.min(n, maxParts);
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

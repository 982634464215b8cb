package dev.brink.engine.backend.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * The CPU backend's worker threads: {@code size} daemon threads that run the parts of one parallel loop at a time
 * beside the calling thread, and spin while a loop is in progress and for a while after it before they sleep.
 *
 * <p>Why not a {@link java.util.concurrent.ForkJoinPool}: a training step runs hundreds of parallel loops of a
 * fraction of a millisecond each, and a parked worker takes about 0.1 ms to wake (more in a virtual machine), as
 * does a caller parked in {@code join}. Spinning workers pick up the next loop within microseconds, the way
 * OpenMP runtimes keep their threads (a worker sleeps {@link #SPIN_NANOS} after the last loop ended, so an idle
 * program costs nothing). Parts are handed out one at a time from a counter, so a part that takes longer (a ragged
 * edge, a thread the OS delayed) does not hold up parts that could run elsewhere; which thread runs a part never
 * changes what it computes.
 *
 * <p>One loop at a time: a second thread that starts a loop while one runs ({@link #tryRun} returns false) runs
 * its parts itself, which is correct, only not parallel.
 */
final class CpuWorkers {
    /**
     * How long an idle worker (counted from the end of the last loop) and a caller waiting for the last part spin
     * before they sleep: 2 ms, or the system property {@code brink.spinMicros} (0: sleep at once, also while the
     * caller finishes a loop, for programs that must not spend idle CPU time).
     */
    static final long SPIN_NANOS = spinNanos(System.getProperty("brink.spinMicros"));

    static long spinNanos(String micros) {
        Integer v = CpuParallel.parse(micros, "system property brink.spinMicros (microseconds)", 0);
        return v == null ? 2_000_000L : v * 1000L;
    }

    /** One parallel loop: its body, its part count and its own counters (a late worker sees a finished job). */
    private static final class Job {
        final IntConsumer body;
        final int parts;
        final AtomicInteger next = new AtomicInteger(1); // part 0 is the caller's
        final AtomicInteger done = new AtomicInteger();
        final Thread caller = Thread.currentThread();
        volatile boolean callerSleeps;
        volatile Throwable failure;

        Job(IntConsumer body, int parts) {
            this.body = body;
            this.parts = parts;
        }

        /** Runs part i, recording the first failure; wakes the caller after the last part. */
        void runPart(int i) {
            try {
                body.accept(i);
            } catch (Throwable t) {
                if (failure == null) failure = t;
            }
            if (done.incrementAndGet() == parts && callerSleeps) LockSupport.unpark(caller);
        }

        /** Takes and runs parts until none is left. */
        void help() {
            for (int i = next.getAndIncrement(); i < parts; i = next.getAndIncrement()) runPart(i);
        }
    }

    private final Worker[] workers;
    private final ReentrantLock running = new ReentrantLock();
    private volatile Job current;
    private volatile boolean shutdown;

    CpuWorkers(int size) {
        workers = new Worker[size];
        for (int i = 0; i < size; i++) {
            workers[i] = new Worker(i);
            workers[i].start();
        }
    }

    /**
     * Runs {@code body} for every part in [0, parts), part 0 on the calling thread and the others on whichever
     * thread (workers or the caller) is free first; returns when all are done, rethrowing the first failure. Returns
     * false without running anything when another loop is in progress.
     */
    boolean tryRun(int parts, IntConsumer body) {
        if (!running.tryLock()) return false;
        Job job = new Job(body, parts);
        try {
            current = job;
            for (Worker w : workers) if (w.sleeping) LockSupport.unpark(w);
            job.runPart(0);
            job.help();
            awaitAll(job);
        } finally {
            current = null;
            running.unlock();
        }
        Throwable f = job.failure;
        if (f instanceof RuntimeException r) throw r;
        if (f instanceof Error e) throw e;
        if (f != null) throw new RuntimeException(f);
        return true;
    }

    private static void awaitAll(Job job) {
        long start = System.nanoTime();
        while (job.done.get() < job.parts) {
            if (System.nanoTime() - start < SPIN_NANOS) {
                Thread.onSpinWait();
            } else {
                job.callerSleeps = true;
                if (job.done.get() < job.parts) LockSupport.parkNanos(job, 1_000_000L);
                job.callerSleeps = false;
            }
        }
    }

    /** Stops the workers once they are idle (a loop in progress finishes first). */
    void shutdown() {
        shutdown = true;
        for (Worker w : workers) LockSupport.unpark(w);
    }

    /** How many times the workers have gone to sleep (for tests). */
    long sleeps() {
        long n = 0;
        for (Worker w : workers) n += w.sleeps;
        return n;
    }

    private final class Worker extends Thread {
        volatile boolean sleeping;
        volatile long sleeps; // written by this worker only

        Worker(int index) {
            super("brink-cpu-" + index);
            setDaemon(true);
        }

        @Override
        public void run() {
            CpuParallel.markWorker();
            Job seen = null;
            long idleSince = System.nanoTime();
            while (!shutdown) {
                Job job = current;
                if (job != null && job != seen) {
                    seen = job;
                    job.help();
                    idleSince = System.nanoTime();
                } else if (job != null && SPIN_NANOS > 0) {
                    // The caller still runs this loop's last parts: idle time counts from its end, else a long
                    // part puts the worker to sleep just before the next loop, whose parts the caller then runs
                    // alone while the worker wakes, and so on for as long as loops take longer than the spin.
                    idleSince = System.nanoTime();
                    Thread.onSpinWait();
                } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    // Publish "sleeping" before the last look at current: tryRun writes current before it reads
                    // sleeping, so one of the two sees the other (and an unpark before park is not lost).
                    sleeping = true;
                    sleeps++;
                    Job again = current;
                    if (again == null || again == seen) LockSupport.park(this);
                    sleeping = false;
                    idleSince = System.nanoTime();
                }
            }
        }
    }
}

package dev.brink.engine.backend.cpu;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.*;

/** The CPU backend's thread pool and configuration switches. */
class CpuParallelTest {
    @AfterEach
    void restore() {
        System.clearProperty("brink.threads");
        System.clearProperty("brink.simd");
        CpuParallel.setThreads(0);
    }

    @Test
    void everyPartRunsOnceOnSeveralThreads() {
        CpuBackend.setThreads(3);
        assertEquals(3, CpuBackend.threads());
        AtomicIntegerArray runs = new AtomicIntegerArray(7);
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        CpuParallel.run(7, part -> {
            runs.incrementAndGet(part);
            threads.add(Thread.currentThread());
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        for (int i = 0; i < 7; i++) assertEquals(1, runs.get(i), "part " + i);
        assertTrue(threads.contains(Thread.currentThread()), "the caller runs part 0");
        assertTrue(threads.size() > 1, "parts ran on " + threads.size() + " thread(s)");
    }

    @Test
    void sleepingWorkersWakeForTheNextLoop() throws InterruptedException {
        CpuBackend.setThreads(2);
        for (int round = 0; round < 3; round++) {
            Thread.sleep(CpuWorkers.SPIN_NANOS / 1_000_000 * 3 + 5); // past the spin: the worker parks
            Set<Thread> threads = ConcurrentHashMap.newKeySet();
            AtomicIntegerArray runs = new AtomicIntegerArray(2);
            CpuParallel.run(2, part -> {
                runs.incrementAndGet(part);
                threads.add(Thread.currentThread());
                // The caller's part waits (up to 5 s) for part 1 to start, so that it cannot take part 1 itself.
                long until = System.nanoTime() + 5_000_000_000L;
                while (part == 0 && runs.get(1) == 0 && System.nanoTime() < until) Thread.onSpinWait();
            });
            assertEquals(1, runs.get(0));
            assertEquals(1, runs.get(1));
            assertEquals(2, threads.size(), "round " + round + ": the parked worker took part 1");
        }
    }

    /**
     * A worker that has finished its parts keeps spinning until the caller finishes the loop's last part, however
     * long that takes: asleep, it would miss the start of the next loop, whose parts the caller would then run
     * alone, past the spin again, and so on (the exact-EMR step lost a third of its loops' second-thread work so).
     */
    @Test
    void workersStayAwakeWhileTheCallerFinishesALongPart() {
        CpuBackend.setThreads(2);
        int rounds = 4, slept = 0;
        for (int round = 0; round < rounds; round++) {
            AtomicIntegerArray runs = new AtomicIntegerArray(2);
            CpuParallel.run(2, part -> { // the worker sees this loop: its idle time starts now
                runs.incrementAndGet(part);
                long until = System.nanoTime() + 5_000_000_000L;
                while (part == 0 && runs.get(1) == 0 && System.nanoTime() < until) Thread.onSpinWait();
            });
            long before = CpuParallel.workerSleeps();
            CpuParallel.run(2, part -> {
                long until = System.nanoTime() + 5 * CpuWorkers.SPIN_NANOS;
                while (part == 0 && System.nanoTime() < until) Thread.onSpinWait();
            });
            if (CpuParallel.workerSleeps() != before) slept++;
        }
        // Asleep in every round without the rule; one round is allowed to an OS that delays the worker between loops.
        assertTrue(slept <= 1, "the worker went to sleep while the caller ran part 0 in " + slept + " of " + rounds + " rounds");
    }

    @Test
    void partsGrowWithTheWorkUpToTheThreadCount() {
        long min = CpuParallel.MIN_PARALLEL_WORK;
        CpuBackend.setThreads(8);
        assertEquals(1, CpuParallel.partsFor(min - 1));
        assertEquals(2, CpuParallel.partsFor(min), "the smallest parallel work: two parts, not eight");
        assertEquals(3, CpuParallel.partsFor(3 * min / 2));
        assertEquals(7, CpuParallel.partsFor(4 * min - 1));
        assertEquals(8, CpuParallel.partsFor(4 * min));
        assertEquals(8, CpuParallel.partsFor(Long.MAX_VALUE));
        long elements = FloatElementwise.PARALLEL_ELEMENTS; // elementwise kernels: the same rule on element counts
        assertEquals(1, CpuParallel.partsFor(elements - 1, elements));
        assertEquals(2, CpuParallel.partsFor(elements, elements));
        assertEquals(8, CpuParallel.partsFor(4 * elements, elements));
        CpuBackend.setThreads(2);
        assertEquals(1, CpuParallel.partsFor(min - 1));
        assertEquals(2, CpuParallel.partsFor(min));
        CpuBackend.setThreads(1);
        assertEquals(1, CpuParallel.partsFor(Long.MAX_VALUE));
    }

    @Test
    void spinTimeComesFromThePropertyAndBadValuesAreNamed() {
        assertEquals(2_000_000L, CpuWorkers.spinNanos(null));
        assertEquals(0L, CpuWorkers.spinNanos("0"));
        assertEquals(500_000L, CpuWorkers.spinNanos(" 500 "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CpuWorkers.spinNanos("-1"));
        assertTrue(e.getMessage().contains("brink.spinMicros") && e.getMessage().contains("'-1'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CpuWorkers.spinNanos("2ms"));
    }

    @Test
    void loopsStartedFromSeveralThreadsAtOnceEachRunEveryPartOnce() throws Exception {
        CpuBackend.setThreads(3);
        int callers = 4, loops = 200, parts = 5;
        AtomicIntegerArray runs = new AtomicIntegerArray(callers * loops * parts);
        Thread[] ts = new Thread[callers];
        Throwable[] failed = new Throwable[1];
        for (int c = 0; c < callers; c++) {
            int caller = c;
            ts[c] = new Thread(() -> {
                for (int l = 0; l < loops; l++) {
                    int base = (caller * loops + l) * parts;
                    CpuParallel.run(parts, part -> runs.incrementAndGet(base + part));
                }
            });
            ts[c].setUncaughtExceptionHandler((t, e) -> failed[0] = e);
            ts[c].start();
        }
        for (Thread t : ts) t.join();
        assertNull(failed[0]);
        for (int i = 0; i < runs.length(); i++) assertEquals(1, runs.get(i), "part " + i);
    }

    /** A part count below the thread count gives that many contiguous chunks, each on one thread. */
    @Test
    void forRangeTakesAtMostTheGivenNumberOfParts() {
        CpuBackend.setThreads(4);
        Thread[] ranOn = new Thread[8];
        CpuParallel.forRange(8, 2, i -> {
            ranOn[i] = Thread.currentThread();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        for (int i = 1; i < 4; i++) assertSame(ranOn[0], ranOn[i], "first half, index " + i);
        for (int i = 5; i < 8; i++) assertSame(ranOn[4], ranOn[i], "second half, index " + i);
        assertSame(Thread.currentThread(), ranOn[0], "the caller runs the first part");
        CpuParallel.forRange(8, 1, i -> ranOn[i] = Thread.currentThread());
        for (int i = 0; i < 8; i++) assertSame(Thread.currentThread(), ranOn[i], "one part: the caller, index " + i);
    }

    @Test
    void nestedLoopsRunSequentiallyAndForRangeCoversEveryIndex() {
        CpuBackend.setThreads(2);
        AtomicIntegerArray seen = new AtomicIntegerArray(40);
        CpuParallel.forRange(4, true, outer -> {
            assertTrue(CpuParallel.nested());
            assertEquals(1, CpuParallel.partsFor(Long.MAX_VALUE), "no nested splitting");
            CpuParallel.forRange(10, true, inner -> seen.incrementAndGet(outer * 10 + inner));
        });
        for (int i = 0; i < 40; i++) assertEquals(1, seen.get(i), "index " + i);
        assertFalse(CpuParallel.nested());
    }

    @Test
    void aFailureInAnyPartIsRethrown() {
        CpuBackend.setThreads(2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> CpuParallel.run(4, part -> {
            if (part == 3) throw new IllegalStateException("part 3 failed");
        }));
        assertTrue(e.getMessage().contains("part 3 failed") || e.getCause() != null && e.getCause().getMessage().contains("part 3 failed"));
        assertThrows(ArithmeticException.class, () -> CpuParallel.run(2, part -> {
            if (part == 0) throw new ArithmeticException("caller's part");
        }));
        assertFalse(CpuParallel.nested(), "depth restored after a failure");
    }

    @Test
    void threadCountComesFromThePropertyOrTheCores() {
        System.setProperty("brink.threads", "5");
        assertEquals(5, CpuParallel.defaultThreads());
        CpuBackend.setThreads(0);
        assertEquals(5, CpuBackend.threads());
        System.clearProperty("brink.threads");
        if (System.getenv("BRINK_THREADS") == null)
            assertEquals(Runtime.getRuntime().availableProcessors(), CpuParallel.defaultThreads());
        System.setProperty("brink.threads", "zero");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, CpuParallel::defaultThreads);
        assertTrue(e.getMessage().contains("brink.threads"), e.getMessage());
        System.setProperty("brink.threads", "1");
        CpuBackend.setThreads(0);
        AtomicIntegerArray runs = new AtomicIntegerArray(3);
        CpuParallel.run(3, runs::incrementAndGet); // one thread: all parts on the caller
        for (int i = 0; i < 3; i++) assertEquals(1, runs.get(i));
    }

    @Test
    void simdSwitchAndDescription() {
        assertTrue(VectorSupport.requested());
        System.setProperty("brink.simd", "false");
        assertFalse(VectorSupport.requested());
        assertTrue(SgemmKernel.select(false) instanceof ScalarSgemmKernel);
        System.setProperty("brink.simd", "true");
        assertTrue(VectorSupport.requested());
        SgemmKernel k = SgemmKernel.select(true);
        assertEquals(VectorSupport.moduleAvailable(), !(k instanceof ScalarSgemmKernel), k.describe());
        assertTrue(k.nr > 0 && k.mr > 0);
        String info = CpuBackend.kernelInfo();
        assertTrue(info.startsWith("float32 GEMM: ") && info.contains("thread"), info);
    }
}

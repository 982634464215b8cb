package dev.brink.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** When a warm-up ends: minimums first, then a quiet JIT window, else the cap. */
class WarmupTest {
    @Test
    void endsAtTheMinimumWhenTheJitIsAlreadyQuiet() {
        Warmup w = new Warmup(2, 5.0, 20.0, 1000);
        for (int i = 0; i < 9; i++) {
            w.record(0.5, 0);
            assertFalse(w.done(), "done after " + w.seconds() + " s, before the 5 s minimum");
        }
        w.record(0.5, 0);
        assertTrue(w.done(), w.summary());
        assertEquals(10, w.reps());
        assertTrue(w.summary().contains("JIT quiet"), w.summary());
    }

    @Test
    void goesOnWhileTheJitCompilesAndEndsAtTheFirstQuietWindow() {
        Warmup w = new Warmup(2, 5.0, 20.0, 1000);
        for (int i = 0; i < 20; i++) w.record(0.5, 100); // 20% of each repetition compiling
        assertFalse(w.done(), w.summary());
        w.record(0.5, 5);
        assertFalse(w.done(), "a window needs at least " + Warmup.WINDOW_SECONDS + " s");
        w.record(0.5, 5); // 10 ms in a 1 s window: 1%, quiet
        assertTrue(w.done(), w.summary());
    }

    @Test
    void aWindowAboveTheQuietShareDoesNotEndIt() {
        Warmup w = new Warmup(0, 0.0, 20.0, 1000);
        w.record(0.5, 15);
        w.record(0.5, 15); // 30 ms in 1 s: 3% > 2%
        assertFalse(w.done(), w.summary());
        w.record(0.5, 10);
        w.record(0.5, 10); // 20 ms in 1 s: exactly 2%
        assertTrue(w.done(), w.summary());
    }

    @Test
    void endsAtTheCapWhenTheJitNeverGoesQuiet() {
        Warmup w = new Warmup(2, 5.0, 20.0, 1000);
        while (!w.done()) {
            w.record(0.5, 400);
            assertTrue(w.seconds() <= 20.0 + 1e-9, "past the cap: " + w.seconds() + " s");
        }
        assertEquals(20.0, w.seconds(), 1e-9);
        assertTrue(w.summary().contains("at the 20 s cap"), w.summary());
    }

    @Test
    void countsRepetitionsAsWellAsSeconds() {
        Warmup w = new Warmup(3, 0.0, 0.0, 1000);
        w.record(2.0, 0);
        w.record(2.0, 0);
        assertFalse(w.done(), "two repetitions of the three asked for");
        w.record(2.0, 0);
        assertTrue(w.done());
    }

    @Test
    void noWarmupAskedIsDoneAtOnce() {
        assertTrue(new Warmup(0, 0.0, 0.0, 0).done());
    }

    @Test
    void rejectsACapBelowTheMinimum() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Warmup(1, 5.0, 2.0, 10));
        assertTrue(e.getMessage().contains("minSeconds <= maxSeconds"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Warmup(5, 0.0, 2.0, 4));
    }

    @Test
    void endsAtTheRepetitionCapEvenBeforeTheMinimumSeconds() {
        Warmup w = new Warmup(2, 5.0, 20.0, 50);
        for (int i = 0; i < 49; i++) w.record(0.01, 1); // 10% compiling
        assertFalse(w.done());
        w.record(0.01, 1);
        assertTrue(w.done());
        assertTrue(w.summary().contains("at the 50-repetition cap"), w.summary());
    }
}

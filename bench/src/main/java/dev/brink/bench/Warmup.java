package dev.brink.bench;

import java.util.Locale;

/**
 * Decides when a workload's warm-up may end, from the wall time of each untimed repetition and the JIT compiler's
 * time during it: after at least {@code minReps} repetitions and {@code minSeconds}, once the JIT has gone quiet,
 * that is once a window of consecutive repetitions spanning at least {@link #WINDOW_SECONDS} (and two repetitions)
 * spent at most {@link #QUIET_FRACTION} of its wall time compiling; and in any case at {@code maxSeconds} or
 * {@code maxReps} repetitions.
 *
 * <p>Why: the JIT's compiler threads share the cores with the workload's threads. With every core computing (2
 * threads on this 2-core machine), ResNet-18's step went on compiling for about 12 s and was 0.55-0.65 s per
 * repetition at the end of a 5-second warm-up against 0.50 s once compilation stopped, while at 1 thread (a core left
 * to the compiler) it was steady after the first repetition. A fixed warm-up long enough for the slowest workload
 * would cost every millisecond-sized one the same seconds; this one lasts as long as the JIT keeps working.
 * Engines without a JIT (PyTorch) keep their fixed warm-up: the rule measures compilation, not repetition times.
 */
public final class Warmup {
    /** A window's least wall time, seconds: long enough for the JIT's compile-time counter (milliseconds). */
    public static final double WINDOW_SECONDS = 1.0;
    /** The share of a window's wall time the JIT may spend compiling for the window to count as quiet. */
    public static final double QUIET_FRACTION = 0.02;

    private final int minReps, maxReps;
    private final double minSeconds, maxSeconds;
    private int reps, windowReps;
    private double elapsed, windowSeconds, lastQuietShare = Double.NaN;
    private long windowJitMillis;
    private boolean quiet;

    /**
     * A warm-up of at least {@code minReps} repetitions and {@code minSeconds} seconds that ends once the JIT is
     * quiet, at {@code maxSeconds} (at least {@code minSeconds}) or at {@code maxReps} repetitions (at least
     * {@code minReps}), whichever comes first.
     */
    public Warmup(int minReps, double minSeconds, double maxSeconds, int maxReps) {
        if (minReps < 0 || maxReps < minReps || !(minSeconds >= 0) || !(maxSeconds >= minSeconds))
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "warm-up needs 0 <= minReps <= maxReps and 0 <= minSeconds <= maxSeconds, got %d, %d, %s, %s",
                    minReps, maxReps, minSeconds, maxSeconds));
        this.minReps = minReps;
        this.maxReps = maxReps;
        this.minSeconds = minSeconds;
        this.maxSeconds = maxSeconds;
    }

    /** Records one warm-up repetition: its wall time in seconds and the JIT's compile time during it in ms. */
    public void record(double seconds, long jitMillis) {
        reps++;
        elapsed += seconds;
        windowReps++;
        windowSeconds += seconds;
        windowJitMillis += Math.max(0, jitMillis);
        if (windowReps >= 2 && windowSeconds >= WINDOW_SECONDS) {
            lastQuietShare = windowJitMillis * 1e-3 / windowSeconds;
            quiet = lastQuietShare <= QUIET_FRACTION;
            windowReps = 0;
            windowSeconds = 0;
            windowJitMillis = 0;
        }
    }

    /** True when the warm-up may end: minimums met and the last full window quiet, or a cap reached. */
    public boolean done() {
        if (reps >= maxReps) return true;
        if (reps < minReps || elapsed < minSeconds) return false;
        return quiet || elapsed >= maxSeconds;
    }

    /** Repetitions recorded so far. */
    public int reps() {
        return reps;
    }

    /** Wall time of the recorded repetitions, seconds. */
    public double seconds() {
        return elapsed;
    }

    /** What ended (or would end) the warm-up, for the bench's log. */
    public String summary() {
        String why;
        if (Double.isNaN(lastQuietShare)) why = "no full window of JIT time";
        else if (quiet) why = String.format(Locale.ROOT, "JIT quiet (%.1f%% of the last window compiling)", 100 * lastQuietShare);
        else why = String.format(Locale.ROOT, "JIT still compiling (%.1f%% of the last window)", 100 * lastQuietShare);
        if (!quiet && reps >= maxReps) why += String.format(Locale.ROOT, " at the %d-repetition cap", maxReps);
        else if (!quiet && elapsed >= maxSeconds) why += String.format(Locale.ROOT, " at the %.0f s cap", maxSeconds);
        return String.format(Locale.ROOT, "warm-up %d reps, %.1f s, %s", reps, elapsed, why);
    }
}

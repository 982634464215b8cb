package dev.brink.robust.progress;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A progress bar for long jobs: {@code label [=====>    ] 234/469  loss 0.123  812 img/s  ETA 0:42}. On a terminal
 * it redraws one line in place; otherwise (logs, CI) it prints a line at most every {@code logEverySeconds}, so
 * long runs show progress without flooding the log. Rate counts "items" (images, samples) per second.
 */
public final class ProgressBar {
    private static final int WIDTH = 24;

    private final PrintStream out;
    private final String label;
    private final long total;
    private final boolean interactive;
    private final double logEverySeconds;
    private final LongSupplier clock;
    private final long start;
    private long lastPrint;
    private boolean printed;
    private long items;

    /** A bar over {@code total} steps writing to {@code out}; interactive when a console is attached. */
    public ProgressBar(PrintStream out, String label, long total) {
        this(out, label, total, System.console() != null, 10, System::nanoTime);
    }

    /** Full control, for tests: explicit interactivity, log interval and clock (nanoseconds). */
    public ProgressBar(PrintStream out, String label, long total, boolean interactive, double logEverySeconds, LongSupplier clock) {
        this.out = out;
        this.label = label;
        this.total = Math.max(total, 1);
        this.interactive = interactive;
        this.logEverySeconds = logEverySeconds;
        this.clock = clock;
        this.start = clock.getAsLong();
    }

    /**
     * Reports that {@code done} of the total steps are finished, {@code itemsDone} items processed so far, with
     * an extra status text (e.g. {@code "loss 0.123 acc 0.962"}).
     */
    public void update(long done, long itemsDone, String status) {
        items = itemsDone;
        long now = clock.getAsLong();
        boolean last = done >= total;
        if (!last && printed) {
            double since = (now - lastPrint) / 1e9;
            if (interactive ? since < 0.1 : since < logEverySeconds) return;
        }
        lastPrint = now;
        printed = true;
        String line = render(done, now, status);
        if (interactive) {
            out.print("\r" + line + "\u001b[K");
            if (last) out.println();
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** The text of the bar at {@code done} steps (no terminal control characters). */
    String render(long done, long now, String status) {
        double seconds = Math.max((now - start) / 1e9, 1e-9);
        double fraction = Math.min(1.0, (double) done / total);
        int filled = (int) Math.round(fraction * WIDTH);
        StringBuilder bar = new StringBuilder("[");
        for (int i = 0; i < WIDTH; i++) bar.append(i < filled ? '=' : (i == filled ? '>' : ' '));
        bar.append(']');
        // Below a tenth of a second the rate is noise (a bar created just before its first, already finished, step).
        String rate = seconds < 0.1 ? "-" : String.format(Locale.ROOT, "%.1f", items / seconds);
        double eta = done == 0 ? Double.NaN : seconds * (total - done) / done;
        return String.format(Locale.ROOT, "%s %s %d/%d%s  %s/s  %s %s", label, bar, done, total,
                status == null || status.isEmpty() ? "" : "  " + status, rate,
                done >= total ? "took" : "ETA", clock(done >= total ? seconds : eta));
    }

    /** Seconds as {@code m:ss} or {@code h:mm:ss}; {@code ?} when unknown. */
    static String clock(double seconds) {
        if (Double.isNaN(seconds) || Double.isInfinite(seconds)) return "?";
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}

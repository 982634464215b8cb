package dev.brink.bench;

/**
 * The CPU thread count of a benchmark run. The CPU backend reads the system property {@code brink.threads}
 * (else the environment variable {@code BRINK_THREADS}, else all cores) when its first parallel kernel runs, so
 * {@link #configure} must be called before any tensor work.
 */
public final class BenchThreads {
    private BenchThreads() {}

    public static final String PROPERTY = "brink.threads";

    /** Sets the thread count for this JVM; call before any tensor is created. */
    public static void configure(int threads) {
        if (threads < 1) throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        System.setProperty(PROPERTY, Integer.toString(threads));
    }

    /** The configured thread count ({@code brink.threads}, else {@code BRINK_THREADS}), or all available processors. */
    public static int current() {
        for (String v : new String[] {System.getProperty(PROPERTY), System.getenv("BRINK_THREADS")}) {
            if (v == null) continue;
            try {
                return Integer.parseInt(v.trim());
            } catch (NumberFormatException ignored) {
                // fall through
            }
        }
        return Runtime.getRuntime().availableProcessors();
    }
}

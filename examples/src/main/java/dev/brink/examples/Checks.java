package dev.brink.examples;

/** The examples' own assertions: each example checks its numbers and throws when they are off. */
final class Checks {
    private Checks() {}

    /** Throws {@link IllegalStateException} with {@code what} unless {@code ok}. */
    static void check(boolean ok, String what) {
        if (!ok) throw new IllegalStateException("example check failed: " + what);
    }

    /** Largest absolute elementwise difference of two arrays of the same length. */
    static double maxAbsDiff(double[] a, double[] b) {
        check(a.length == b.length, "lengths " + a.length + " and " + b.length + " differ");
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    /** Largest absolute element. */
    static double maxAbs(double[] a) {
        double m = 0;
        for (double v : a) m = Math.max(m, Math.abs(v));
        return m;
    }
}

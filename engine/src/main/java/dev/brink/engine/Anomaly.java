package dev.brink.engine;

/**
 * NaN/Inf detection, opt-in per thread. Inside a {@link #detect()} scope every primitive op checks its output and
 * every backward rule checks the gradients it returns; the first non-finite value raises
 * {@link ArithmeticException} naming the op, the input shapes and the offending element. Each check reads the
 * tensor to the host, so use it to find where a NaN comes from, not in production loops.
 */
public final class Anomaly {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {false});
    /** The backward rule being run on this thread, named in messages about the ops it calls. */
    private static final ThreadLocal<String> CONTEXT = new ThreadLocal<>();

    private Anomaly() {}

    /** Turns detection on until the returned scope is closed. */
    public static GradMode.Scope detect() {
        boolean[] flag = ENABLED.get();
        boolean previous = flag[0];
        flag[0] = true;
        return () -> flag[0] = previous;
    }

    /** True inside a {@link #detect()} scope on this thread. */
    public static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    /** Runs a backward rule with its node named as context for messages; returns the rule's result. */
    static <T> T inBackwardOf(String node, java.util.function.Supplier<T> rule) {
        if (!isEnabled()) return rule.get();
        String previous = CONTEXT.get();
        CONTEXT.set(node);
        try {
            return rule.get();
        } finally {
            CONTEXT.set(previous);
        }
    }

    /** Checks the output of a primitive op; inside a backward rule the message names that rule's op too. */
    static void checkOutput(String op, String inputs, Tensor out) {
        String ctx = CONTEXT.get();
        requireFinite("op '" + op + "' output (inputs " + inputs + ")" + (ctx == null ? "" : ", computed in the backward of " + ctx), out);
    }

    /**
     * Throws {@link ArithmeticException} naming {@code what} and the first NaN or infinite element of {@code t}.
     * Integer tensors are always finite.
     */
    public static void requireFinite(String what, Tensor t) {
        if (!t.dtype().isFloating()) return;
        double[] d = t.toDoubleArray();
        for (int i = 0; i < d.length; i++) {
            if (!Double.isFinite(d[i])) {
                throw new ArithmeticException(what + ": element " + java.util.Arrays.toString(unravel(i, t.shape())) + " of a "
                        + t.dtype().label() + " tensor of shape " + Shape.str(t.shape()) + " is " + d[i]);
            }
        }
    }

    private static int[] unravel(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int k = shape.length - 1; k >= 0; k--) {
            idx[k] = shape[k] == 0 ? 0 : flat % shape[k];
            flat = shape[k] == 0 ? 0 : flat / shape[k];
        }
        return idx;
    }
}

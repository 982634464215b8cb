package dev.brink.engine;

/**
 * Per-thread switch for graph recording. Inside a {@link #noGrad()} scope ops record nothing, so their results
 * carry no graph and hold no saved tensors (use it for evaluation, optimizer updates and attack bookkeeping).
 *
 * <pre>{@code
 * try (var scope = GradMode.noGrad()) {
 *     Tensor logits = model.forward(x); // no graph
 * }
 * }</pre>
 */
public final class GradMode {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private GradMode() {}

    /** True when ops on this thread record the graph. */
    public static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    /** Disables recording until the returned scope is closed; scopes nest. */
    public static Scope noGrad() {
        return set(false);
    }

    /** Enables recording until the returned scope is closed (e.g. inside a no-grad region). */
    public static Scope enableGrad() {
        return set(true);
    }

    private static Scope set(boolean value) {
        boolean[] flag = ENABLED.get();
        boolean previous = flag[0];
        flag[0] = value;
        return () -> flag[0] = previous;
    }

    /** A scope that restores the previous mode when closed. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}

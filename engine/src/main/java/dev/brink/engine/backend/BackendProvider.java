package dev.brink.engine.backend;

/**
 * Service-provider entry for a backend, discovered with {@link java.util.ServiceLoader} (register the class in
 * {@code META-INF/services/dev.brink.engine.backend.BackendProvider}). {@link #unavailableReason()} must be cheap and must
 * not fail: it says whether the backend can run here and, if not, why (no driver, no device, library missing).
 */
public interface BackendProvider {
    /** Short name used on the command line and in {@code BRINK_BACKEND}, e.g. "cpu" or "cuda". */
    String name();

    /** Preference for {@code auto} selection among available backends; higher wins. The CPU backend is 0. */
    int priority();

    /** Null when the backend can be created here; otherwise the reason it cannot, in words. */
    String unavailableReason();

    /** Creates the backend. Only called when {@link #unavailableReason()} returned null. */
    Backend create();
}

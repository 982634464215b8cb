package dev.brink.engine.backend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Discovery and selection of backends. Providers are found with {@link ServiceLoader}; the CPU backend is always
 * present and is the embedded default. The default can be chosen with the system property {@code brink.backend}
 * or the environment variable {@code BRINK_BACKEND} ({@code cpu}, {@code cuda}, ... or {@code auto}: the
 * available backend of highest priority), or programmatically with {@link #setDefault}.
 */
public final class Backends {
    private static final Map<String, Backend> CREATED = new ConcurrentHashMap<>();
    private static volatile Backend defaultBackend;

    private Backends() {}

    /** All registered providers, highest priority first. */
    public static List<BackendProvider> providers() {
        List<BackendProvider> list = new ArrayList<>();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader())) list.add(p);
        list.sort(Comparator.comparingInt(BackendProvider::priority).reversed());
        return list;
    }

    /**
     * The backend called {@code name}, created once per process.
     *
     * @throws IllegalArgumentException if no provider has that name, or it cannot run here (the message says why)
     */
    public static Backend get(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        if (key.equals("auto")) return auto();
        Backend b = CREATED.get(key);
        if (b != null) return b;
        for (BackendProvider p : providers()) {
            if (p.name().equals(key)) {
                String why = p.unavailableReason();
                if (why != null) throw new IllegalArgumentException("backend '" + key + "' is not available: " + why);
                return CREATED.computeIfAbsent(key, k -> p.create());
            }
        }
        throw new IllegalArgumentException("unknown backend '" + name + "'; known: " + names());
    }

    /** The available backend of highest priority (the CPU backend when nothing else can run). */
    public static Backend auto() {
        for (BackendProvider p : providers()) {
            if (p.unavailableReason() == null) return get(p.name());
        }
        throw new IllegalStateException("no backend is available (the CPU backend's provider is missing from the class path)");
    }

    /** The backend that tensor factories use when none is named. */
    public static Backend defaultBackend() {
        Backend b = defaultBackend;
        if (b == null) {
            synchronized (Backends.class) {
                if (defaultBackend == null) {
                    String choice = System.getProperty("brink.backend");
                    if (choice == null || choice.isBlank()) choice = System.getenv("BRINK_BACKEND");
                    defaultBackend = choice == null || choice.isBlank() ? get("cpu") : get(choice.trim());
                }
                b = defaultBackend;
            }
        }
        return b;
    }

    /** Makes {@code backend} the default for tensor factories. */
    public static void setDefault(Backend backend) {
        defaultBackend = backend;
    }

    /** Names of the registered providers. */
    public static List<String> names() {
        return providers().stream().map(BackendProvider::name).toList();
    }

    /** One line per provider: its name, priority, and whether it is available here or why not. */
    public static List<String> describe() {
        List<String> lines = new ArrayList<>();
        for (BackendProvider p : providers()) {
            String why = p.unavailableReason();
            lines.add(String.format(Locale.ROOT, "%-6s priority %d  %s", p.name(), p.priority(),
                    why == null ? "available" : "unavailable: " + why));
        }
        return lines;
    }
}

package dev.brink.app.results;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * What build of brink is running: the version (from the Maven-filtered {@code dev/brink/app/version.properties})
 * and the git commit it was built from ({@code dev/brink/app/build-info.properties}, written by
 * {@code scripts/build-info.sh} at build time). Either is {@code "unknown"} when its resource is missing or
 * unfiltered (e.g. classes compiled by an IDE, or a build outside a git checkout).
 */
public final class BuildInfo {
    private BuildInfo() {}

    /** The project version, e.g. {@code 0.1.0-SNAPSHOT}, or {@code "unknown"}. */
    public static String version() {
        return property("/dev/brink/app/version.properties", "version");
    }

    /** The full git commit hash of the build, or {@code "unknown"}. */
    public static String commit() {
        return property("/dev/brink/app/build-info.properties", "commit");
    }

    /**
     * Whether the build's tracked files differed from {@link #commit()}: {@code "true"}, {@code "false"} or
     * {@code "unknown"}.
     */
    public static String dirty() {
        return property("/dev/brink/app/build-info.properties", "dirty");
    }

    private static String property(String resource, String key) {
        try (InputStream in = BuildInfo.class.getResourceAsStream(resource)) {
            if (in == null) return "unknown";
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty(key, "").trim();
            return v.isEmpty() || v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }
}

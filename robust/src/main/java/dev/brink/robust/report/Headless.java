package dev.brink.robust.report;

/** Java2D without a display: figures are drawn off screen, so AWT must never try to reach an X server. */
public final class Headless {
    private Headless() {}

    static {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    /** Sets {@code java.awt.headless=true} (unless the user chose otherwise) before the first AWT use. */
    public static void ensure() {
        // the static initializer does the work
    }
}

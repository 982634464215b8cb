package dev.brink.robust.demo;

import java.io.PrintStream;

/** The engine demo shown by {@code brink demo}. */
public final class EngineDemo {

    private EngineDemo() {
    }

    public static void run(PrintStream out) {
        out.println("engine demo");
    }
}

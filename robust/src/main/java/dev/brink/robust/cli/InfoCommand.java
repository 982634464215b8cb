package dev.brink.robust.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

import dev.brink.engine.backend.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code brink info}: runtime and backend information. */
@Command(
        name = "info",
        mixinStandardHelpOptions = true,
        description = "Print Java runtime details and the available compute backends.")
public final class InfoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Runtime rt = Runtime.getRuntime();
        out.printf("brink      %s%n", BrinkCli.version());
        out.printf("java       %s (%s)%n", System.getProperty("java.version"), System.getProperty("java.vendor"));
        out.printf("vm         %s %s%n", System.getProperty("java.vm.name"), System.getProperty("java.vm.version"));
        out.printf("os         %s %s (%s)%n",
                System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("os.arch"));
        out.printf("processors %d%n", rt.availableProcessors());
        out.printf("max heap   %s%n", formatBytes(rt.maxMemory()));
        out.println("backends:");
        List<String> lines = Backends.describe();
        if (lines == null || lines.isEmpty()) {
            out.println("  (none)");
        } else {
            for (String line : lines) {
                out.println("  " + line);
            }
        }
        out.flush();
        return 0;
    }

    static String formatBytes(long bytes) {
        if (bytes == Long.MAX_VALUE) {
            return "unlimited";
        }
        double mib = bytes / (1024.0 * 1024.0);
        return mib >= 1024 ? String.format("%.1f GiB", mib / 1024.0) : String.format("%.0f MiB", mib);
    }
}

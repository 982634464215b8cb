package dev.brink.app.demo;

import dev.brink.app.cli.BrinkCli;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/**
 * Runs a brink command in this process, exactly as {@code ./brink ARGS} would parse it, so that a report's number
 * comes from the very command line it shows. Progress bars still go to standard error; the command's own lines are
 * returned.
 */
final class InProcessBrink {
    private InProcessBrink() {}

    /** Runs {@code brink ARGS}; returns its standard output, or fails naming the command and what it printed. */
    static String run(List<String> args) throws IOException {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = BrinkCli.newCommandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args.toArray(String[]::new));
        if (code != 0)
            throw new IOException("brink " + String.join(" ", args) + " exited with " + code + ":\n" + err + out);
        return out.toString();
    }
}

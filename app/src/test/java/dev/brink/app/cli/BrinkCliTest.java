package dev.brink.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BrinkCliTest {

    /** Runs the CLI in-process, capturing stdout and stderr. */
    private static final class Run {
        final int exitCode;
        final String out;
        final String err;

        Run(String... args) {
            CommandLine cmd = new CommandLine(new BrinkCli());
            StringWriter o = new StringWriter();
            StringWriter e = new StringWriter();
            cmd.setOut(new PrintWriter(o, true));
            cmd.setErr(new PrintWriter(e, true));
            exitCode = cmd.execute(args);
            out = o.toString();
            err = e.toString();
        }
    }

    @Test
    void helpListsSubcommands() {
        Run r = new Run("--help");
        assertEquals(0, r.exitCode, r.err);
        assertTrue(r.out.contains("Usage: brink"), r.out);
        assertTrue(r.out.matches("(?s).*\\n\\s+info\\s.*"), "help should list 'info':\n" + r.out);
        assertTrue(r.out.matches("(?s).*\\n\\s+demo\\s.*"), "help should list 'demo':\n" + r.out);
    }

    @Test
    void unknownSubcommandFailsNamingIt() {
        Run r = new Run("frobnicate");
        assertNotEquals(0, r.exitCode);
        assertEquals(CommandLine.ExitCode.USAGE, r.exitCode);
        assertTrue(r.err.contains("frobnicate"), "error should name the bad subcommand:\n" + r.err);
    }

    @Test
    void unknownOptionFailsNamingIt() {
        Run r = new Run("--no-such-option");
        assertNotEquals(0, r.exitCode);
        assertTrue(r.err.contains("--no-such-option"), r.err);
    }

    @Test
    void missingSubcommandIsAUsageError() {
        Run r = new Run();
        assertEquals(CommandLine.ExitCode.USAGE, r.exitCode);
        assertTrue(r.err.contains("Missing required subcommand"), r.err);
    }

    @Test
    void versionComesFromTheBuild() {
        Run r = new Run("--version");
        assertEquals(0, r.exitCode, r.err);
        assertTrue(r.out.trim().matches("brink \\d+\\.\\d+\\.\\d+\\S*"), r.out);
    }
}

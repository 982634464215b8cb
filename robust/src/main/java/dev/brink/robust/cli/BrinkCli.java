package dev.brink.robust.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Top-level {@code brink} command. Every subcommand is registered in the single
 * {@code subcommands} list below.
 *
 * <p>Invoked without a subcommand, picocli reports "Missing required subcommand"
 * and exits with {@link CommandLine.ExitCode#USAGE}.
 */
@Command(
        name = "brink",
        mixinStandardHelpOptions = true,
        versionProvider = BrinkCli.VersionProvider.class,
        description = "Brink: pure-Java tensor engine with higher-order autodiff and an adversarial-robustness toolkit.",
        subcommands = {
                InfoCommand.class,
                DemoCommand.class,
                TrainCommand.class,
                EvalCommand.class,
                VectorsCommand.class,
                CommandLine.HelpCommand.class,
        })
public final class BrinkCli {

    /** Fallback when the filtered version resource is missing (e.g. running from an IDE). */
    static final String VERSION = "0.1.0-SNAPSHOT";

    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    /**
     * The configured command line: a failing command prints {@code brink CMD: message} (the message names the
     * file, shape or value at fault) and exits with 1; {@code BRINK_DEBUG=1} adds the stack trace.
     */
    public static CommandLine newCommandLine() {
        CommandLine cl = new CommandLine(new BrinkCli());
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            String msg = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
            cmd.getErr().println("brink " + cmd.getCommandName() + ": " + msg);
            if (System.getenv("BRINK_DEBUG") != null) ex.printStackTrace(cmd.getErr());
            cmd.getErr().flush();
            return 1;
        });
        return cl;
    }

    /** Version from {@code dev/brink/robust/version.properties} (filtered by Maven). */
    static String version() {
        try (InputStream in = BrinkCli.class.getResourceAsStream("/dev/brink/robust/version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version", "").trim();
                if (!v.isEmpty() && !v.startsWith("${")) {
                    return v;
                }
            }
        } catch (IOException ignored) {
            // fall through to the constant
        }
        return VERSION;
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"brink " + version()};
        }
    }
}

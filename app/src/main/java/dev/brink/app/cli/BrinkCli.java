package dev.brink.app.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

import dev.brink.engine.backend.Backend;
import dev.brink.engine.backend.BackendProvider;
import dev.brink.engine.backend.Backends;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

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
                AttackCommand.class,
                AutoAttackCommand.class,
                AnalyzeCommand.class,
                ReportCommand.class,
                SweepCommand.class,
                EvalClusterPointer.class,
                ImportCommand.class,
                VectorsCommand.class,
                BenchCommand.class,
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
     * file, shape or value at fault) and exits with 1; {@code BRINK_DEBUG=1} adds the stack trace. What a command
     * prints passes through {@link TerminalText#escaping} (no control characters from files reach the terminal).
     */
    public static CommandLine newCommandLine() {
        CommandLine cl = new CommandLine(new BrinkCli());
        BackendOption.install(cl);
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            String msg = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
            cmd.getErr().println("brink " + cmd.getCommandName() + ": " + TerminalText.escape(msg));
            if (System.getenv("BRINK_DEBUG") != null) ex.printStackTrace(cmd.getErr());
            cmd.getErr().flush();
            return 1;
        });
        return cl;
    }

    /** Version from {@code dev/brink/app/version.properties} (filtered by Maven). */
    static String version() {
        try (InputStream in = BrinkCli.class.getResourceAsStream("/dev/brink/app/version.properties")) {
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

    /**
     * The global {@code --backend cpu|cuda|auto} option: accepted by the top command and by every subcommand (a
     * subcommand that declares its own {@code --backend} keeps it), applied before the command runs by making the
     * chosen backend the default. Without the option, {@code BRINK_BACKEND} (or {@code -Dbrink.backend}) is applied
     * the same way. {@code auto} takes the available backend of highest priority and, when a better one (CUDA) is
     * registered but unavailable, says why on stderr and uses the CPU.
     */
    static final class BackendOption {
        private String choice;

        private BackendOption() {}

        static void install(CommandLine cl) {
            BackendOption holder = new BackendOption();
            addTo(cl, holder);
            cl.setExecutionStrategy(parseResult -> {
                List<CommandLine> chain = parseResult.asCommandLineList();
                CommandLine last = chain.get(chain.size() - 1);
                boolean help = last.getCommand() instanceof CommandLine.HelpCommand
                        || chain.stream().anyMatch(c -> c.isUsageHelpRequested() || c.isVersionHelpRequested());
                if (!help) {
                    // what a command prints may come from files others made: no control characters reach the terminal
                    last.setOut(TerminalText.escaping(last.getOut()));
                    last.setErr(TerminalText.escaping(last.getErr()));
                }
                try {
                    if (!help) holder.apply(last.getErr());
                } catch (RuntimeException e) {
                    throw new CommandLine.ExecutionException(last, e.getMessage(), e);
                }
                return new CommandLine.RunLast().execute(parseResult);
            });
        }

        private static void addTo(CommandLine cl, BackendOption holder) {
            CommandSpec spec = cl.getCommandSpec();
            if (spec.findOption("--backend") == null) {
                spec.addOption(OptionSpec.builder("--backend")
                        .paramLabel("NAME")
                        .type(String.class)
                        .description("Compute backend: cpu, cuda or auto (default: $BRINK_BACKEND, else cpu). "
                                + "auto uses CUDA when a device is usable and otherwise the CPU, with a warning.")
                        .setter(new CommandLine.Model.ISetter() {
                            @Override
                            public <T> T set(T value) {
                                // picocli resets each parsed command's options to null: keep a value already given
                                if (value != null) holder.choice = (String) value;
                                return null;
                            }
                        })
                        .build());
            }
            for (CommandLine sub : cl.getSubcommands().values()) addTo(sub, holder);
        }

        void apply(PrintWriter err) {
            String name = choice;
            if (name == null || name.isBlank()) name = System.getProperty("brink.backend");
            if (name == null || name.isBlank()) name = System.getenv("BRINK_BACKEND");
            if (name == null || name.isBlank()) return;
            name = name.trim().toLowerCase(Locale.ROOT);
            Backends.setDefault(name.equals("auto") ? auto(err) : Backends.get(name));
        }

        /** The available backend of highest priority; says on stderr why better ones cannot run here. */
        private static Backend auto(PrintWriter err) {
            StringBuilder skipped = new StringBuilder();
            for (BackendProvider p : Backends.providers()) {
                String why = p.unavailableReason();
                if (why == null) {
                    try {
                        Backend b = Backends.get(p.name());
                        if (skipped.length() > 0) {
                            err.println("brink: warning: backend auto: " + skipped + "; using " + b.name());
                            err.flush();
                        }
                        return b;
                    } catch (RuntimeException e) {
                        why = e.getMessage();
                    }
                }
                if (skipped.length() > 0) skipped.append("; ");
                skipped.append(p.name()).append(" unavailable (").append(why).append(')');
            }
            throw new IllegalStateException("no backend can run here: " + skipped);
        }
    }
}

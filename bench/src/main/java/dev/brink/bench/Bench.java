package dev.brink.bench;

import dev.brink.engine.backend.Backends;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Entry point of the Brink workload runner, used by {@code ./brink bench} and by {@code make bench-compare}:
 * {@code java -cp ... dev.brink.bench.Bench [WORKLOAD...] [--threads N] [--reps N] [--warmup N] [--smoke]
 * [--backend NAME] [--list]}. Prints {@code name<TAB>median_seconds} per workload on standard output (GFLOP/s for
 * {@code sgemm_1024_gflops}); the setup line and every rep's time go to standard error.
 */
public final class Bench {
    private Bench() {}

    /** What to run. {@code threads <= 0} leaves the thread count alone (all cores, or what was set already). */
    public record Config(List<String> workloads, int threads, Harness.Options options, String backend) {}

    /** Runs the selected workloads; returns the process exit code. */
    public static int run(Config c, PrintStream out, PrintStream log) {
        if (c.threads() > 0) BenchThreads.configure(c.threads());
        List<Workload> selected = Harness.select(BrinkWorkloads.all(), c.workloads());
        if (c.backend() != null) Backends.setDefault(Backends.get(c.backend()));  // else the caller's default backend
        if (log != null) {
            boolean vectorApi = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
            log.printf("# brink bench: backend %s, %d threads, java %s (%s), jdk.incubator.vector %s, %s%n", Backends.defaultBackend().name(),
                    BenchThreads.current(), System.getProperty("java.version"), System.getProperty("java.vm.name"),
                    vectorApi ? "loaded" : "not loaded (scalar kernels)",
                    c.options().smoke() ? "smoke sizes" : "warm-up >= " + c.options().warmup() + " reps and " + c.options().warmupSeconds()
                            + " s, then until the JIT is quiet (at most " + Harness.MAX_WARMUP_FACTOR * c.options().warmupSeconds()
                            + " s), median of " + c.options().reps() + " reps");
            log.flush();
        }
        Harness.runAll(selected, c.options(), out, log);
        return 0;
    }

    public static void main(String[] args) {
        int code;
        try {
            Config c = parse(args);
            if (c == null) {
                Workloads.NAMES.forEach(System.out::println);
                code = 0;
            } else {
                code = run(c, System.out, System.err);
            }
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            code = 2;
        }
        System.exit(code);
    }

    /** Parses the command line of {@link #main}; null for {@code --list}. */
    public static Config parse(String[] args) {
        List<String> names = new ArrayList<>();
        int threads = 0, reps = Harness.Options.DEFAULT_REPS, warmup = Harness.Options.DEFAULT_WARMUP;
        double warmupSeconds = Harness.Options.DEFAULT_WARMUP_SECONDS;
        boolean smoke = false;
        String backend = "cpu";
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--threads" -> threads = intArg(args, ++i, a);
                case "--reps" -> reps = intArg(args, ++i, a);
                case "--warmup" -> warmup = intArg(args, ++i, a);
                case "--warmup-seconds" -> warmupSeconds = Double.parseDouble(arg(args, ++i, a));
                case "--backend" -> backend = arg(args, ++i, a);
                case "--smoke" -> smoke = true;
                case "--list" -> {
                    return null;
                }
                default -> {
                    if (a.startsWith("-")) throw new IllegalArgumentException("unknown option " + a);
                    names.add(a);
                }
            }
        }
        Harness.Options o = smoke ? Harness.Options.smokeTest() : new Harness.Options(warmup, warmupSeconds, reps, false);
        return new Config(names, threads, o, backend);
    }

    private static String arg(String[] args, int i, String opt) {
        if (i >= args.length) throw new IllegalArgumentException(opt + " needs a value");
        return args[i];
    }

    private static int intArg(String[] args, int i, String opt) {
        String v = arg(args, i, opt);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(opt + " needs an integer, got '" + v + "'");
        }
    }
}

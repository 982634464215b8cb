package dev.brink.bench;

import dev.brink.engine.TensorScope;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Times workloads and prints {@code name<TAB>value<TAB>peak_rss_mib=N<TAB>reps=S,S,...} lines: the value is the
 * median seconds of the timed repetitions after warm-up, or GFLOP/s (from that median) for the workloads that report
 * it, or {@code n/a} where the engine cannot run the workload; {@code peak_rss_mib} is the process's peak resident
 * memory so far ({@code VmHWM} of {@code /proc/self/status}, MiB; per workload when each workload runs in its own
 * process, as {@code make bench-compare} does); {@code reps} lists every timed repetition in seconds. Shared by every
 * Java engine of the benchmark (Brink and DL4J), so they are measured alike; {@code bench/pytorch/workloads.py}
 * prints the same fields.
 *
 * <p>Warm-up runs at least {@link Options#warmup} repetitions and {@link Options#warmupSeconds}, and then goes on
 * while the JIT is still compiling ({@link Warmup}), up to {@link #MAX_WARMUP_FACTOR} times the warm-up seconds (and
 * at most {@link #MAX_WARMUP} repetitions): on a 2-core machine the C2 compiler threads compete with the two compute
 * threads for several seconds, a 2-second warm-up left some steps up to 2x slow, and at 5 seconds ResNet-18's
 * 2-thread step was still 10-30% slow. Then {@link Options#reps} repetitions are timed one by one.
 */
public final class Harness {
    private Harness() {}

    /** Upper bound on warm-up repetitions. */
    public static final int MAX_WARMUP = 1000;

    /** The longest warm-up, as a multiple of {@link Options#warmupSeconds}, when the JIT does not go quiet. */
    public static final int MAX_WARMUP_FACTOR = 4;

    /** How to time. */
    public record Options(int warmup, double warmupSeconds, int reps, boolean smoke) {
        public static final int DEFAULT_WARMUP = 2;
        public static final double DEFAULT_WARMUP_SECONDS = 5.0;
        public static final int DEFAULT_REPS = 5;

        public Options {
            if (warmup < 0) throw new IllegalArgumentException("warm-up repetitions must be >= 0, got " + warmup);
            if (reps < 1) throw new IllegalArgumentException("repetitions must be >= 1, got " + reps);
        }

        public static Options defaults() {
            return new Options(DEFAULT_WARMUP, DEFAULT_WARMUP_SECONDS, DEFAULT_REPS, false);
        }

        /** One untimed-warm-up-free repetition at tiny sizes: for tests. */
        public static Options smokeTest() {
            return new Options(0, 0, 1, true);
        }
    }

    /**
     * The outcome of one workload: median seconds of the reps (NaN when unsupported), the last step value, every rep's
     * seconds, the process's peak resident memory in MiB after the workload ran (-1 where unknown), and the median of
     * the bytes all threads allocated per timed rep, in MB (NaN where the JVM does not count them), and how the warm-up
     * went ({@link Warmup#summary}).
     */
    public record Result(String name, double medianSeconds, double flops, double value, String unsupported, double[] seconds, long peakRssMib,
                         double allocatedMbPerStep, String warmup) {
        public boolean supported() {
            return unsupported == null;
        }

        /** GFLOP/s from the median, for workloads with a flop count. */
        public double gflops() {
            return flops / medianSeconds / 1e9;
        }

        /** The printed value: seconds, GFLOP/s, or n/a. */
        public String formatted() {
            if (!supported()) return "n/a";
            if (flops > 0) return String.format(Locale.ROOT, "%.2f", gflops());
            return String.format(Locale.ROOT, "%.6f", medianSeconds);
        }

        /** {@code name<TAB>value}, then {@code peak_rss_mib=N} where known and {@code reps=S,...} where timed. */
        public String line() {
            StringBuilder sb = new StringBuilder(name).append('\t').append(formatted());
            if (peakRssMib >= 0) sb.append("\tpeak_rss_mib=").append(peakRssMib);
            if (supported() && seconds.length > 0) {
                sb.append("\treps=");
                for (int i = 0; i < seconds.length; i++) sb.append(i > 0 ? "," : "").append(String.format(Locale.ROOT, "%.6f", seconds[i]));
            }
            return sb.toString();
        }
    }

    /** Median of the values (mean of the middle two for an even count). */
    public static double median(double[] values) {
        if (values.length == 0) throw new IllegalArgumentException("median of nothing");
        double[] s = values.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : 0.5 * (s[m - 1] + s[m]);
    }

    /**
     * One repetition in a {@link TensorScope}, as {@code Trainer} runs its steps: the step's tensors go back to the
     * backend when it ends and the next repetition reuses their memory (the scope's close is timed with the step).
     */
    private static double scoped(Workload.Step step) {
        try (TensorScope s = TensorScope.open()) {
            return step.run();
        }
    }

    /** Sets up, warms up and times one workload. */
    public static Result measure(Workload w, Options o) {
        String why = w.unsupportedReason();
        if (why != null) return new Result(w.name(), Double.NaN, 0, Double.NaN, why, new double[0], -1, Double.NaN, "");
        Workload.Step step = w.prepare(o.smoke());
        Warmup warm = new Warmup(Math.min(o.warmup(), MAX_WARMUP), o.warmupSeconds(), MAX_WARMUP_FACTOR * o.warmupSeconds(), MAX_WARMUP);
        while (!warm.done()) {
            long jit0 = jitMillis(), t0 = System.nanoTime();
            check(w, scoped(step));
            warm.record((System.nanoTime() - t0) * 1e-9, jitMillis() - jit0);
        }
        double[] secs = new double[o.reps()], allocated = new double[o.reps()];
        double value = Double.NaN;
        for (int r = 0; r < o.reps(); r++) {
            long a0 = allocatedBytes(), t0 = System.nanoTime();
            value = scoped(step);
            secs[r] = (System.nanoTime() - t0) * 1e-9;
            long a1 = allocatedBytes();
            allocated[r] = a0 < 0 || a1 < 0 ? Double.NaN : (a1 - a0) / 1e6;
            check(w, value);
        }
        return new Result(w.name(), median(secs), w.flops(o.smoke()), value, null, secs, peakRssMib(), median(allocated), warm.summary());
    }

    /** The JIT's accumulated compile time in ms (0 where the JVM does not report it). */
    static long jitMillis() {
        java.lang.management.CompilationMXBean c = java.lang.management.ManagementFactory.getCompilationMXBean();
        return c != null && c.isCompilationTimeMonitoringSupported() ? c.getTotalCompilationTime() : 0;
    }

    /**
     * Bytes allocated so far by the live threads of this JVM (HotSpot's per-thread counters, summed; -1 where the JVM
     * does not count them). A thread that ended between two readings drops out, so differences are approximate
     * where workloads start and stop threads; the CPU backend's workers live as long as the process.
     */
    static long allocatedBytes() {
        if (!(java.lang.management.ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t)
                || !t.isThreadAllocatedMemorySupported() || !t.isThreadAllocatedMemoryEnabled()) return -1;
        long sum = 0;
        for (long id : t.getAllThreadIds()) {
            long b = t.getThreadAllocatedBytes(id);
            if (b > 0) sum += b;
        }
        return sum;
    }

    /**
     * This process's peak resident set size in MiB ({@code VmHWM} of {@code /proc/self/status}: heap, JIT code,
     * thread stacks and native buffers alike, as the operating system counts them), or -1 where it cannot be read.
     */
    public static long peakRssMib() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    String kb = line.substring(6).trim().split("\\s+")[0];
                    return Long.parseLong(kb) / 1024;
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static void check(Workload w, double value) {
        if (!Double.isFinite(value))
            throw new IllegalStateException(w.name() + ": the step produced a non-finite value (" + value + ")");
    }

    /**
     * Selects workloads by name (all when {@code names} is empty), in the order given; unknown names fail with
     * the list of known ones.
     */
    public static List<Workload> select(List<Workload> available, List<String> names) {
        if (names == null || names.isEmpty()) return available;
        Map<String, Workload> byName = new LinkedHashMap<>();
        for (Workload w : available) byName.put(w.name(), w);
        List<Workload> out = new ArrayList<>();
        for (String n : names) {
            Workload w = byName.get(n);
            if (w == null)
                throw new IllegalArgumentException("unknown workload '" + n + "'; known: " + String.join(", ", byName.keySet()));
            out.add(w);
        }
        return out;
    }

    /**
     * Measures each workload and prints its line to {@code out} as soon as it is done; details (every rep's time,
     * the step's value) go to {@code log} when it is not null.
     */
    public static List<Result> runAll(List<Workload> workloads, Options o, PrintStream out, PrintStream log) {
        List<Result> results = new ArrayList<>();
        for (Workload w : workloads) {
            Result r = measure(w, o);
            results.add(r);
            out.println(r.line());
            out.flush();
            if (log != null) {
                if (r.supported()) {
                    double[] secs = r.seconds();
                    StringBuilder sb = new StringBuilder();
                    if (secs.length <= 20) {
                        for (double s : secs) sb.append(String.format(Locale.ROOT, " %.4f", s));
                    } else {
                        double[] sorted = secs.clone();
                        Arrays.sort(sorted);
                        sb.append(String.format(Locale.ROOT, " min %.4f, median %.4f, max %.4f of %d", sorted[0], r.medianSeconds(),
                                sorted[sorted.length - 1], sorted.length));
                    }
                    log.printf(Locale.ROOT, "# %s: reps [s]%s; value %.6g; peak RSS %d MiB; allocated %.1f MB per rep (median); %s%n", r.name(), sb,
                            r.value(), r.peakRssMib(), r.allocatedMbPerStep(), r.warmup());
                } else {
                    log.printf(Locale.ROOT, "# %s: n/a (%s)%n", r.name(), r.unsupported());
                }
                log.flush();
            }
        }
        return results;
    }
}

package dev.brink.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Joins the outputs of Brink, DL4J and PyTorch into Markdown tables, for {@code make bench-compare}:
 * <pre>
 * java -cp bench/target/classes dev.brink.bench.CompareTable [--note TEXT]... [--load FILE]
 *     [--one-thread BRINK1.tsv DL4J1.tsv PYTORCH1.tsv] BRINK.tsv DL4J.tsv PYTORCH.tsv
 * </pre>
 * Each input holds lines {@code name<TAB>value[<TAB>peak_rss_mib=N][<TAB>reps=S,S,...]} as {@link Harness} and
 * {@code bench/pytorch/workloads.py} print them, one per workload and round: {@code make bench-compare} runs every
 * engine on every workload in its own process, interleaved, for several rounds, and appends each line to the engine's
 * file. A workload's repetitions are pooled over all its rounds: <b>best</b> is the fastest repetition, <b>median</b>
 * the median of all of them; its peak resident memory is the largest of its rounds. Values are seconds, or GFLOP/s for
 * {@code *_gflops} rows (computed from the line's value and repetitions). The ratio columns are Brink's time over the
 * peer's time, best over best and median over median; for GFLOP/s rows the peer's GFLOP/s over Brink's (the same
 * thing: time ratio of equal work), so in every row a ratio below 1 means Brink is faster. With {@code --one-thread},
 * a second table gives each engine's speed-up from one thread to the main run's threads (median time at one thread
 * over median time at N). A missing value, a value {@code n/a}, or a missing file shows as {@code n/a}. Lines
 * starting with {@code #} are ignored.
 */
public final class CompareTable {
    private CompareTable() {}

    public static final String[] ENGINES = {"Brink", "DL4J", "PyTorch"};

    /**
     * One engine's measurements of one workload, pooled over rounds: every repetition in seconds, each round's peak
     * resident memory (MiB), and the work of one repetition in floating-point operations for GFLOP/s rows (0 else).
     * A workload with no repetitions but a plain value (an old-style {@code name<TAB>value} line) keeps the value.
     */
    public record Runs(List<Double> seconds, List<Long> peakRssMib, double flops, double plainValue) {
        /** Fastest repetition, in the row's unit (seconds, or GFLOP/s); NaN when there is none. */
        public double best() {
            if (seconds.isEmpty()) return plainValue;
            double min = seconds.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
            return flops > 0 ? flops / min / 1e9 : min;
        }

        /** Median over all repetitions, in the row's unit; NaN when there is none. */
        public double median() {
            if (seconds.isEmpty()) return plainValue;
            double m = Harness.median(seconds.stream().mapToDouble(Double::doubleValue).toArray());
            return flops > 0 ? flops / m / 1e9 : m;
        }

        /** Median seconds of a repetition (for speed-ups), whatever the row's unit; NaN when unknown. */
        public double medianSeconds() {
            if (seconds.isEmpty()) return Double.NaN;
            return Harness.median(seconds.stream().mapToDouble(Double::doubleValue).toArray());
        }

        /** Largest peak resident memory of the rounds in MiB; -1 when none was reported. */
        public long peakRss() {
            return peakRssMib.stream().mapToLong(Long::longValue).max().orElse(-1);
        }
    }

    /** Reads an engine's output; an unreadable or missing file gives an empty map. */
    public static Map<String, Runs> read(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new LinkedHashMap<>();
        }
    }

    /** Parses an engine's lines (blank lines and {@code #} comments skipped), pooling the lines of each workload. */
    public static Map<String, Runs> parse(String text) {
        Map<String, Runs> m = new LinkedHashMap<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] parts = line.split("\t");
            if (parts.length < 2) parts = line.split("\\s+");
            if (parts.length < 2) continue;
            String name = parts[0].strip();
            double value = number(parts[1].strip());
            List<Double> reps = new ArrayList<>();
            long rss = -1;
            for (int i = 2; i < parts.length; i++) {
                String f = parts[i].strip();
                if (f.startsWith("peak_rss_mib=")) {
                    try {
                        rss = Long.parseLong(f.substring("peak_rss_mib=".length()));
                    } catch (NumberFormatException e) {
                        rss = -1;
                    }
                } else if (f.startsWith("reps=")) {
                    for (String s : f.substring(5).split(",")) {
                        double d = number(s);
                        if (!Double.isNaN(d)) reps.add(d);
                    }
                }
            }
            Runs prev = m.get(name);
            if (Double.isNaN(value)) {
                if (prev == null) m.put(name, new Runs(new ArrayList<>(), new ArrayList<>(), 0, Double.NaN));
                continue;
            }
            double flops = Workloads.isGflops(name) && !reps.isEmpty()
                    ? value * 1e9 * Harness.median(reps.stream().mapToDouble(Double::doubleValue).toArray()) : 0;
            List<Double> secs = prev == null ? new ArrayList<>() : new ArrayList<>(prev.seconds());
            List<Long> mem = prev == null ? new ArrayList<>() : new ArrayList<>(prev.peakRssMib());
            secs.addAll(reps);
            if (rss >= 0) mem.add(rss);
            double plain = reps.isEmpty() ? value : Double.NaN;
            m.put(name, new Runs(secs, mem, flops > 0 ? flops : prev == null ? 0 : prev.flops(), plain));
        }
        return m;
    }

    /** The value as a positive finite number, or NaN for {@code n/a}, errors and anything else. */
    static double number(String v) {
        if (v == null) return Double.NaN;
        try {
            double d = Double.parseDouble(v);
            return Double.isFinite(d) && d > 0 ? d : Double.NaN;
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** Brink's time relative to the peer's (< 1: Brink faster); NaN when either is missing. */
    public static double ratio(String workload, double brink, double peer) {
        if (Double.isNaN(brink) || Double.isNaN(peer)) return Double.NaN;
        return Workloads.isGflops(workload) ? peer / brink : brink / peer;
    }

    /** Three significant digits, plain notation; {@code n/a} for NaN. */
    static String value(double v) {
        if (Double.isNaN(v)) return "n/a";
        return new BigDecimal(v).round(new MathContext(3)).stripTrailingZeros().toPlainString();
    }

    static String ratioText(double r) {
        return Double.isNaN(r) ? "n/a" : String.format(Locale.ROOT, "%.2f", r);
    }

    private static final Runs NONE = new Runs(List.of(), List.of(), 0, Double.NaN);

    /** The runs of {@code name}, or none (NaN values) when the map lacks it. */
    static Runs get(Map<String, Runs> m, String name) {
        return m.getOrDefault(name, NONE);
    }

    /** Workloads found in any input, in {@link Workloads#NAMES} order, then any other name in input order. */
    static List<String> names(List<Map<String, Runs>> inputs) {
        List<String> names = new ArrayList<>();
        for (String n : Workloads.NAMES)
            for (Map<String, Runs> m : inputs)
                if (m.containsKey(n) && !names.contains(n)) names.add(n);
        for (Map<String, Runs> m : inputs)
            for (String n : m.keySet()) if (!names.contains(n)) names.add(n);
        return names;
    }

    /** "best / median" values, or n/a when both are missing. */
    static String pair(double a, double b) {
        if (Double.isNaN(a) && Double.isNaN(b)) return "n/a";
        return value(a) + " / " + value(b);
    }

    /** "best / median" ratios, or n/a when both are missing. */
    static String ratioPair(double a, double b) {
        if (Double.isNaN(a) && Double.isNaN(b)) return "n/a";
        return ratioText(a) + " / " + ratioText(b);
    }

    private static String mib(long v) {
        return v < 0 ? "n/a" : Long.toString(v);
    }

    /**
     * The main table: one row per workload found in any input, with each engine's best and median, Brink's ratios
     * to each peer (best / median), and each engine's peak resident memory.
     */
    public static String table(Map<String, Runs> brink, Map<String, Runs> dl4j, Map<String, Runs> torch, List<String> notes) {
        List<String> names = names(List.of(brink, dl4j, torch));
        StringBuilder sb = new StringBuilder();
        for (String note : notes) sb.append(note).append('\n');
        sb.append("Values: best / median of all timed repetitions of all rounds, seconds per step (lower is better), except *_gflops rows "
                + "in GFLOP/s (higher is better).\n");
        sb.append("Ratios: Brink time / peer time, best / median; for GFLOP/s rows peer GFLOP/s / Brink GFLOP/s. Below 1 means Brink is faster.\n");
        sb.append("Peak RSS: the process's peak resident memory (VmHWM) running that one workload, MiB, the largest of the rounds.\n\n");
        sb.append("| workload | Brink | DL4J | PyTorch | Brink/DL4J | Brink/PyTorch | peak RSS MiB Brink / DL4J / PyTorch |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|\n");
        int fasterBest = 0, fasterMedian = 0, compared = 0, lighter = 0, memCompared = 0;
        for (String n : names) {
            Runs b = get(brink, n), d = get(dl4j, n), t = get(torch, n);
            double rdb = ratio(n, b.best(), d.best()), rdm = ratio(n, b.median(), d.median());
            double rtb = ratio(n, b.best(), t.best()), rtm = ratio(n, b.median(), t.median());
            if (!Double.isNaN(rtb) && !Double.isNaN(rtm)) {
                compared++;
                if (rtb <= 1.0) fasterBest++;
                if (rtm <= 1.0) fasterMedian++;
            }
            if (b.peakRss() >= 0 && t.peakRss() >= 0) {
                memCompared++;
                if (b.peakRss() <= t.peakRss()) lighter++;
            }
            sb.append("| ").append(n)
                    .append(" | ").append(pair(b.best(), b.median()))
                    .append(" | ").append(pair(d.best(), d.median()))
                    .append(" | ").append(pair(t.best(), t.median()))
                    .append(" | ").append(ratioPair(rdb, rdm))
                    .append(" | ").append(ratioPair(rtb, rtm))
                    .append(" | ").append(mib(b.peakRss())).append(" / ").append(mib(d.peakRss())).append(" / ").append(mib(t.peakRss()))
                    .append(" |\n");
        }
        sb.append('\n').append(String.format(Locale.ROOT,
                "Brink at least as fast as PyTorch (ratio <= 1.00) on %d of %d workloads by best time, %d of %d by median time.%n",
                fasterBest, compared, fasterMedian, compared));
        if (memCompared > 0)
            sb.append(String.format(Locale.ROOT, "Brink's peak resident memory at most PyTorch's on %d of %d workloads.%n", lighter, memCompared));
        return sb.toString();
    }

    /**
     * The thread-scaling table: per workload and engine, the median seconds at one thread, at the main run's
     * {@code threads}, and the speed-up (one-thread median over N-thread median); engines without one-thread runs are
     * left out.
     */
    public static String scalingTable(List<Map<String, Runs>> nThreads, List<Map<String, Runs>> oneThread, int threads) {
        List<Integer> engines = new ArrayList<>();
        for (int e = 0; e < ENGINES.length; e++) if (!oneThread.get(e).isEmpty()) engines.add(e);
        if (engines.isEmpty()) return "";
        List<Map<String, Runs>> all = new ArrayList<>(oneThread);
        List<String> names = names(all);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Scaling: median seconds per repetition at 1 and %d threads, and the speed-up (1-thread time / %d-thread time).%n%n",
                threads, threads));
        sb.append("| workload |");
        for (int e : engines) sb.append(' ').append(ENGINES[e]).append(" 1 / ").append(threads).append(" thr | ").append(ENGINES[e]).append(" speed-up |");
        sb.append('\n').append("|---|");
        for (int ignored : engines) sb.append("---:|---:|");
        sb.append('\n');
        for (String n : names) {
            sb.append("| ").append(n).append(" |");
            for (int e : engines) {
                double one = get(oneThread.get(e), n).medianSeconds(), many = get(nThreads.get(e), n).medianSeconds();
                double up = Double.isNaN(one) || Double.isNaN(many) ? Double.NaN : one / many;
                sb.append(' ').append(pair(one, many)).append(" | ").append(ratioText(up)).append(" |");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * A note from the lines {@code label<TAB>other<TAB>steal<TAB>seconds} written by {@code bench/scripts/othercpu.py}
     * or {@code bench/scripts/interleave.py}: how many cores other processes (and other guests, as steal) kept busy
     * during each engine's runs. Null when there are none.
     */
    public static String loadNote(String text) {
        StringBuilder sb = new StringBuilder();
        for (String raw : text.split("\n")) {
            String[] f = raw.strip().split("\t");
            if (f.length < 4 || raw.startsWith("#")) continue;
            if (sb.length() > 0) sb.append("; ");
            sb.append(f[0]).append(' ').append(f[1]).append(" (steal ").append(f[2]).append(") over ").append(f[3]).append(" s");
        }
        if (sb.length() == 0) return null;
        return "Other processes during each engine's runs, mean cores busy (hypervisor steal): " + sb + ".";
    }

    public static void main(String[] args) throws IOException {
        List<String> notes = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        List<Path> one = new ArrayList<>();
        int threads = 2;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--note") && i + 1 < args.length) {
                notes.add(args[++i]);
            } else if (args[i].equals("--load") && i + 1 < args.length) {
                Path load = Path.of(args[++i]);
                String note = Files.exists(load) ? loadNote(Files.readString(load, StandardCharsets.UTF_8)) : null;
                if (note != null) notes.add(note);
            } else if (args[i].equals("--threads") && i + 1 < args.length) {
                threads = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--one-thread") && i + 3 < args.length) {
                one.addAll(Arrays.asList(Path.of(args[++i]), Path.of(args[++i]), Path.of(args[++i])));
            } else {
                files.add(Path.of(args[i]));
            }
        }
        if (files.size() != 3) {
            System.err.println("usage: CompareTable [--note TEXT]... [--load FILE] [--threads N] [--one-thread BRINK1 DL4J1 PYTORCH1] BRINK.tsv DL4J.tsv PYTORCH.tsv");
            System.exit(2);
        }
        PrintStream out = System.out;
        List<Map<String, Runs>> main = files.stream().map(CompareTable::read).toList();
        out.print(table(main.get(0), main.get(1), main.get(2), notes));
        if (!one.isEmpty()) {
            String s = scalingTable(main, one.stream().map(CompareTable::read).toList(), threads);
            if (!s.isEmpty()) out.print("\n" + s);
        }
        out.flush();
    }
}

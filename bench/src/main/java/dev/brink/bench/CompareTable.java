package dev.brink.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Joins the {@code name<TAB>value} outputs of Brink, DL4J and PyTorch into one Markdown table, for
 * {@code make bench-compare}:
 * <pre>
 * java -cp bench/target/classes dev.brink.bench.CompareTable [--note TEXT]... [--load FILE] BRINK.tsv DL4J.tsv PYTORCH.tsv
 * </pre>
 * Values are seconds (median), or GFLOP/s for {@code *_gflops} rows. The ratio columns are Brink's time over the
 * peer's time; for GFLOP/s rows the peer's GFLOP/s over Brink's (the same thing: time ratio of equal work), so in
 * every row a ratio below 1 means Brink is faster. A missing value, a value {@code n/a}, or a missing file shows
 * as {@code n/a}. Lines starting with {@code #} are ignored.
 */
public final class CompareTable {
    private CompareTable() {}

    public static final String[] ENGINES = {"Brink", "DL4J", "PyTorch"};

    /** Reads a {@code name<TAB>value} file; an unreadable or missing file gives an empty map. */
    public static Map<String, String> read(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new LinkedHashMap<>();
        }
    }

    /** Parses {@code name<TAB>value} lines (blank lines and {@code #} comments skipped; later lines win). */
    public static Map<String, String> parse(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] parts = line.split("\t");
            if (parts.length < 2) parts = line.split("\\s+");
            if (parts.length < 2) continue;
            m.put(parts[0].strip(), parts[1].strip());
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

    /**
     * The table: one row per workload found in any input, in {@link Workloads#NAMES} order (then any other name,
     * in input order).
     */
    public static String table(Map<String, String> brink, Map<String, String> dl4j, Map<String, String> torch, List<String> notes) {
        List<String> names = new ArrayList<>();
        for (String n : Workloads.NAMES)
            if (brink.containsKey(n) || dl4j.containsKey(n) || torch.containsKey(n)) names.add(n);
        for (Map<String, String> m : List.of(brink, dl4j, torch))
            for (String n : m.keySet()) if (!names.contains(n)) names.add(n);
        StringBuilder sb = new StringBuilder();
        for (String note : notes) sb.append(note).append('\n');
        sb.append("Values: median seconds per step (lower is better), except *_gflops rows in GFLOP/s (higher is better).\n");
        sb.append("Ratios: Brink time / peer time; for GFLOP/s rows peer GFLOP/s / Brink GFLOP/s. Below 1 means Brink is faster.\n\n");
        sb.append("| workload | Brink | DL4J | PyTorch | Brink/DL4J | Brink/PyTorch |\n");
        sb.append("|---|---:|---:|---:|---:|---:|\n");
        int faster = 0, compared = 0;
        for (String n : names) {
            double b = number(brink.get(n)), d = number(dl4j.get(n)), t = number(torch.get(n));
            double rd = ratio(n, b, d), rt = ratio(n, b, t);
            if (!Double.isNaN(rt)) {
                compared++;
                if (rt <= 1.0) faster++;
            }
            sb.append("| ").append(n)
                    .append(" | ").append(value(b))
                    .append(" | ").append(value(d))
                    .append(" | ").append(value(t))
                    .append(" | ").append(ratioText(rd))
                    .append(" | ").append(ratioText(rt))
                    .append(" |\n");
        }
        sb.append('\n').append(String.format(Locale.ROOT, "Brink at least as fast as PyTorch (ratio <= 1.00) on %d of %d workloads.%n", faster, compared));
        return sb.toString();
    }

    /**
     * A note from the lines {@code label<TAB>other<TAB>steal<TAB>seconds} written by {@code bench/scripts/othercpu.py}:
     * how many cores other processes (and other guests, as steal) kept busy during each engine's run. Null when
     * there are none.
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
        return "Other processes during each run, mean cores busy (hypervisor steal): " + sb + ".";
    }

    public static void main(String[] args) throws IOException {
        List<String> notes = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--note") && i + 1 < args.length) {
                notes.add(args[++i]);
            } else if (args[i].equals("--load") && i + 1 < args.length) {
                Path load = Path.of(args[++i]);
                String note = Files.exists(load) ? loadNote(Files.readString(load, StandardCharsets.UTF_8)) : null;
                if (note != null) notes.add(note);
            } else {
                files.add(Path.of(args[i]));
            }
        }
        if (files.size() != 3) {
            System.err.println("usage: CompareTable [--note TEXT]... [--load FILE] BRINK.tsv DL4J.tsv PYTORCH.tsv");
            System.exit(2);
        }
        PrintStream out = System.out;
        out.print(table(read(files.get(0)), read(files.get(1)), read(files.get(2)), notes));
        out.flush();
    }
}

package dev.brink.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The GPU table of {@code make gpu-check} (scripts/gpu-check.sh): Brink on the CUDA backend against PyTorch on the
 * same device, one row per workload, from the two engines' outputs of {@code bench/scripts/interleave.py}:
 * <pre>
 * java -cp brink.jar dev.brink.bench.GpuCompareTable [--note TEXT]... BRINK.tsv PYTORCH.tsv
 * </pre>
 * The inputs are read and pooled as {@link CompareTable} does (best and median over every timed repetition of every
 * round; seconds per step, GFLOP/s for {@code *_gflops} rows). The ratio is Brink's time over PyTorch's, best over best
 * and median over median (for GFLOP/s rows PyTorch's GFLOP/s over Brink's), so below 1 means Brink is faster. A
 * workload missing from one side, or recorded as failed ({@code n/a}; interleave.py --keep-going writes
 * {@code name<TAB>n/a<TAB>failed=exit N: REASON}), shows as {@code n/a}, counts in no summary, and is listed under the
 * table with the reasons.
 * The summary counts the workloads at or below PyTorch's median time and within {@link #GOAL} of it (issue 14's
 * goal for the GPU: every workload at or below PyTorch-CUDA, 1.5x at the very most).
 */
public final class GpuCompareTable {
    private GpuCompareTable() {}

    /** The largest median ratio the summary accepts as "within the goal". */
    public static final double GOAL = 1.5;

    /** The Markdown table with the notes above it and the summary below it, without failure reasons. */
    public static String table(Map<String, CompareTable.Runs> brink, Map<String, CompareTable.Runs> torch, List<String> notes) {
        return table(brink, torch, Map.of(), Map.of(), notes);
    }

    /**
     * The workloads an engine's output records as failed ({@code failed=...} field), each with the field's text
     * after {@code failed=} (the last failure of the workload where it failed in several rounds).
     */
    public static Map<String, String> failures(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.strip().split("\t");
            for (int i = 1; i < f.length; i++)
                if (f[i].startsWith("failed=") && !line.startsWith("#")) m.put(f[0].strip(), f[i].substring("failed=".length()).strip());
        }
        return m;
    }

    /**
     * The Markdown table with the notes above it and the summary below it; workloads without a ratio are listed
     * with the failure reasons of each engine ({@link #failures}).
     */
    public static String table(Map<String, CompareTable.Runs> brink, Map<String, CompareTable.Runs> torch,
                               Map<String, String> brinkFailures, Map<String, String> torchFailures, List<String> notes) {
        StringBuilder sb = new StringBuilder();
        for (String note : notes) sb.append(note).append('\n');
        sb.append("Values: best / median of all timed repetitions, seconds per step (lower is better), except *_gflops rows in GFLOP/s "
                + "(higher is better). Ratio: Brink / PyTorch time, best / median (for GFLOP/s rows PyTorch's GFLOP/s / Brink's); "
                + "below 1 means Brink is faster.\n\n");
        sb.append("| workload | Brink | PyTorch | Brink / PyTorch |\n");
        sb.append("|---|---:|---:|---:|\n");
        int compared = 0, atOrBelow = 0, withinGoal = 0;
        String worst = null;
        double worstRatio = Double.NaN;
        List<String> missing = new ArrayList<>();
        for (String n : CompareTable.names(List.of(brink, torch))) {
            CompareTable.Runs b = CompareTable.get(brink, n), t = CompareTable.get(torch, n);
            double rb = CompareTable.ratio(n, b.best(), t.best()), rm = CompareTable.ratio(n, b.median(), t.median());
            if (Double.isNaN(rm)) {
                List<String> why = new ArrayList<>();
                if (brinkFailures.containsKey(n)) why.add("Brink: " + brinkFailures.get(n));
                if (torchFailures.containsKey(n)) why.add("PyTorch: " + torchFailures.get(n));
                missing.add(why.isEmpty() ? n : n + " (" + String.join("; ", why) + ")");
            } else {
                compared++;
                if (rm <= 1.0) atOrBelow++;
                if (rm <= GOAL) withinGoal++;
                if (worst == null || rm > worstRatio) {
                    worst = n;
                    worstRatio = rm;
                }
            }
            sb.append("| ").append(n)
                    .append(" | ").append(CompareTable.pair(b.best(), b.median()))
                    .append(" | ").append(CompareTable.pair(t.best(), t.median()))
                    .append(" | ").append(CompareTable.ratioPair(rb, rm))
                    .append(" |\n");
        }
        sb.append('\n').append(String.format(Locale.ROOT,
                "Brink at or below PyTorch's median time on %d of %d workloads, within %.1fx on %d of %d.", atOrBelow, compared, GOAL, withinGoal, compared));
        if (worst != null) sb.append(String.format(Locale.ROOT, " Largest ratio: %s (%s).", worst, CompareTable.ratioText(worstRatio)));
        sb.append('\n');
        if (!missing.isEmpty()) {
            sb.append("\nNo ratio (a side missing or failed):\n");
            for (String m : missing) sb.append("- ").append(m).append('\n');
        }
        return sb.toString();
    }

    private static String text(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    public static void main(String[] args) throws IOException {
        List<String> notes = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--note") && i + 1 < args.length) notes.add(args[++i]);
            else files.add(Path.of(args[i]));
        }
        if (files.size() != 2) {
            System.err.println("usage: GpuCompareTable [--note TEXT]... BRINK.tsv PYTORCH.tsv");
            System.exit(2);
        }
        System.out.print(table(CompareTable.read(files.get(0)), CompareTable.read(files.get(1)),
                failures(text(files.get(0))), failures(text(files.get(1))), notes));
        System.out.flush();
    }
}

package dev.brink.robust.report;

import dev.brink.robust.eval.EpsRange;
import dev.brink.robust.eval.Sweep;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * A sweep's results as a section of an {@link HtmlReport}: the robust-accuracy table (one row per attack, one column
 * per epsilon, accuracy in [0, 1]), the accuracy-versus-epsilon figure inlined, the command that reproduces it, and
 * the full rows (success rate, mean perturbation norms, model calls, seconds) collapsed below. {@code brink sweep}'s
 * {@code sweep.html} and the model card ({@code brink report}) both show a sweep this way.
 */
public final class SweepHtml {
    private SweepHtml() {}

    /** Appends the section's content (no heading) to {@code h}; {@code command} may be null. */
    public static void section(HtmlReport h, List<Sweep.Row> rows, String title, String command) {
        if (rows.isEmpty()) {
            h.warning("The sweep has no rows.");
            return;
        }
        h.paragraph(String.format(Locale.ROOT, "%d samples, clean accuracy %.4f. Robust accuracy (fraction of the samples still classified correctly) "
                + "under each attack at each epsilon; worst-case is the per-sample worst over the attacks of the same norm.",
                rows.get(0).samples(), rows.get(0).cleanAccuracy()));
        h.table(header(rows), accuracyTable(rows));
        if (command != null) h.command(command);
        h.figure(SweepPlot.render(rows, title), "Accuracy versus epsilon: " + title + ".");
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-16s %-5s %9s %7s %9s %9s %9s %9s %10s %8s%n",
                "attack", "norm", "eps", "acc", "success", "mean_l2", "mean_linf", "mean_l0", "calls", "seconds"));
        for (Sweep.Row r : rows)
            b.append(String.format(Locale.ROOT, "%-16s %-5s %9s %7.4f %9.4f %9.4g %9.4g %9.4g %10d %8.1f%n", r.attack(), r.norm().label(), EpsRange.format(r.eps()),
                    r.accuracy(), r.successRate(), r.meanL2(), r.meanLinf(), r.meanL0(), r.modelCalls(), r.seconds()));
        h.details("All rows (success rate among the clean-correct samples, mean norms of the successful perturbations, model calls, seconds)", b.toString());
    }

    /** The table's header: attack, norm, then one column per epsilon in increasing order. */
    static List<String> header(List<Sweep.Row> rows) {
        List<String> hd = new ArrayList<>(List.of("attack", "norm"));
        for (double e : epsilons(rows)) hd.add("eps " + EpsRange.format(e));
        return hd;
    }

    /** One row per (attack, norm): accuracy at each epsilon, "-" where the attack did not run at it. */
    static List<List<String>> accuracyTable(List<Sweep.Row> rows) {
        List<Double> eps = new ArrayList<>(epsilons(rows));
        Map<String, Map<Double, Double>> by = new LinkedHashMap<>();
        Map<String, String[]> names = new LinkedHashMap<>();
        for (Sweep.Row r : rows) {
            String key = r.attack() + "\u0000" + r.norm().label();
            names.putIfAbsent(key, new String[] {r.attack(), r.norm().label()});
            by.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(r.eps(), r.accuracy());
        }
        List<List<String>> out = new ArrayList<>();
        for (Map.Entry<String, Map<Double, Double>> e : by.entrySet()) {
            List<String> row = new ArrayList<>(List.of(names.get(e.getKey())));
            for (double x : eps) {
                Double a = e.getValue().get(x);
                row.add(a == null ? "-" : String.format(Locale.ROOT, "%.4f", a));
            }
            out.add(row);
        }
        return out;
    }

    private static TreeSet<Double> epsilons(List<Sweep.Row> rows) {
        TreeSet<Double> s = new TreeSet<>();
        for (Sweep.Row r : rows) s.add(r.eps());
        return s;
    }
}

package dev.brink.cluster;

import dev.brink.robust.attack.Norm;
import dev.brink.robust.eval.CsvFields;
import dev.brink.robust.eval.EpsRange;
import dev.brink.robust.eval.Sweep;
import dev.brink.robust.eval.SweepCsv;
import dev.brink.robust.report.HtmlReport;
import dev.brink.robust.report.Outputs;
import dev.brink.robust.report.SweepPlot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Merges per-sample rows into what the single-machine commands write: per model a {@code sweep.csv} and
 * {@code sweep.png} in {@code brink sweep}'s format (with the worst case over the attacks when they share a norm),
 * plus {@code per-sample.csv} (every row), {@code robust-accuracy.csv} (model, attack, norm, eps, accuracies) and
 * {@code index.html}, the robust accuracy table model x attack x eps with each model's plot.
 */
public final class MergedReport {
    private MergedReport() {}

    /** {@code per-sample.csv}'s header. */
    public static final String SAMPLE_HEADER = "model,attack,norm,eps,index,label,clean_prediction,prediction,attacked,success,linf,l2,l1,l0,seconds,shard";

    /** The sweep rows of one model, in {@link Sweep}'s order: epsilon by epsilon, the attacks, then the worst case. */
    public static List<Sweep.Row> sweepRows(EvalPlan plan, String model, List<SampleResult> rows) {
        Map<String, List<SampleResult>> byKey = new HashMap<>();
        for (SampleResult r : rows) if (r.model().equals(model)) byKey.computeIfAbsent(key(r.attack(), r.eps()), k -> new ArrayList<>()).add(r);
        boolean worst = plan.attacks().size() > 1 && plan.attacks().stream().allMatch(a -> a.norm() == plan.attacks().get(0).norm());
        List<Sweep.Row> out = new ArrayList<>();
        for (double eps : plan.eps()) {
            List<List<SampleResult>> perAttack = new ArrayList<>();
            for (AttackChoice a : plan.attacks()) {
                List<SampleResult> rs = byKey.getOrDefault(key(a.label(), eps), List.of());
                if (rs.size() != plan.points())
                    throw new IllegalStateException(model + " / " + a.label() + " / eps " + EpsRange.format(eps) + ": " + rs.size() + " sample rows, expected " + plan.points());
                perAttack.add(rs);
                out.add(row(a.label(), a.norm(), eps, rs));
            }
            if (worst) out.add(worstCase(plan.attacks().get(0).norm(), eps, perAttack));
        }
        return out;
    }

    private static String key(String attack, double eps) {
        return attack + "\u0000" + eps;
    }

    private static Sweep.Row row(String label, Norm norm, double eps, List<SampleResult> rs) {
        int n = rs.size(), clean = 0, robust = 0, attacked = 0, success = 0;
        double[] sums = new double[4];
        Map<Integer, SampleResult> shards = new TreeMap<>();
        for (SampleResult r : rs) {
            if (r.cleanCorrect()) clean++;
            if (r.robust()) robust++;
            if (r.attacked()) attacked++;
            if (r.success()) {
                success++;
                sums[0] += r.l0();
                sums[1] += r.l1();
                sums[2] += r.l2();
                sums[3] += r.linf();
            }
            shards.putIfAbsent(r.shard(), r);
        }
        long calls = 0;
        double secs = 0;
        for (SampleResult r : shards.values()) {
            calls += r.shardCalls();
            secs += r.shardSeconds();
        }
        double rate = eps == 0 ? 0 : attacked == 0 ? Double.NaN : (double) success / attacked;
        double[] mean = new double[4];
        for (int k = 0; k < 4; k++) mean[k] = success == 0 ? Double.NaN : sums[k] / success;
        return new Sweep.Row(label, norm, eps, n, (double) clean / n, (double) robust / n, rate, mean[0], mean[1], mean[2], mean[3], calls, secs);
    }

    private static Sweep.Row worstCase(Norm norm, double eps, List<List<SampleResult>> perAttack) {
        Map<Integer, Boolean> robust = new HashMap<>();
        Map<Integer, Boolean> clean = new HashMap<>();
        long calls = 0;
        double secs = 0;
        for (List<SampleResult> rs : perAttack) {
            Map<Integer, SampleResult> shards = new TreeMap<>();
            for (SampleResult r : rs) {
                robust.merge(r.index(), r.robust(), Boolean::logicalAnd);
                clean.put(r.index(), r.cleanCorrect());
                shards.putIfAbsent(r.shard(), r);
            }
            for (SampleResult r : shards.values()) {
                calls += r.shardCalls();
                secs += r.shardSeconds();
            }
        }
        int n = robust.size();
        long rob = robust.values().stream().filter(b -> b).count(), cl = clean.values().stream().filter(b -> b).count();
        double success = eps == 0 ? 0 : cl == 0 ? Double.NaN : 1.0 - (double) rob / cl;
        return new Sweep.Row(Sweep.WORST_CASE, norm, eps, n, (double) cl / n, (double) rob / n, success, Double.NaN, Double.NaN, Double.NaN, Double.NaN, calls, secs);
    }

    /** The per-sample rows in a stable order: model, attack and eps as in the plan, then data-set index. */
    public static List<SampleResult> sorted(EvalPlan plan, List<SampleResult> rows) {
        Map<String, Integer> mo = new HashMap<>(), ao = new HashMap<>();
        for (int i = 0; i < plan.models().size(); i++) mo.put(plan.models().get(i).name(), i);
        for (int i = 0; i < plan.attacks().size(); i++) ao.put(plan.attacks().get(i).label(), i);
        List<SampleResult> s = new ArrayList<>(rows);
        s.sort(Comparator.<SampleResult>comparingInt(r -> mo.getOrDefault(r.model(), -1)).thenComparingInt(r -> ao.getOrDefault(r.attack(), -1))
                .thenComparingDouble(SampleResult::eps).thenComparingInt(SampleResult::index));
        return s;
    }

    /** Writes every file of the report into {@code out}; returns the HTML file. */
    public static Path write(Path out, EvalPlan plan, List<SampleResult> rows, String dataName, String command) throws IOException {
        Files.createDirectories(out);
        List<SampleResult> all = sorted(plan, rows);
        StringBuilder sb = new StringBuilder(SAMPLE_HEADER).append('\n');
        for (SampleResult r : all)
            sb.append(CsvFields.quote(r.model())).append(',').append(CsvFields.quote(r.attack())).append(',').append(r.norm()).append(',')
                    .append(EpsRange.format(r.eps())).append(',').append(r.index()).append(',').append(r.label()).append(',').append(r.cleanPrediction()).append(',')
                    .append(r.prediction()).append(',').append(r.attacked()).append(',').append(r.success()).append(',').append(num(r.linf())).append(',')
                    .append(num(r.l2())).append(',').append(num(r.l1())).append(',').append(num(r.l0())).append(',')
                    .append(String.format(Locale.ROOT, "%.4f", r.seconds())).append(',').append(r.shard()).append('\n');
        Outputs.write(out.resolve("per-sample.csv"), sb.toString());

        HtmlReport html = new HtmlReport("Robust accuracy: " + plan.models().size() + " models on " + dataName);
        html.paragraph(String.format(Locale.ROOT, "%d points of %s, %d shards of %d, seed %d, batch %d. Robust accuracy: correct on the clean point and after the attack "
                + "(worst case: after every attack of the norm).", plan.points(), dataName, plan.shards(), plan.shardSize(), plan.seed(), plan.batchSize()));
        if (command != null) html.pre(command);
        List<String> header = new ArrayList<>(List.of("model", "attack", "norm", "clean"));
        for (double e : plan.eps()) header.add("eps " + EpsRange.format(e));
        List<List<String>> table = new ArrayList<>();
        StringBuilder acc = new StringBuilder("model,attack,norm,eps,accuracy,clean_accuracy,success_rate,samples,model_calls,seconds\n");
        Map<String, List<Sweep.Row>> perModel = new LinkedHashMap<>();
        for (EvalPlan.Model m : plan.models()) {
            List<Sweep.Row> sr = sweepRows(plan, m.name(), all);
            perModel.put(m.name(), sr);
            Path dir = out.resolve(stem(m.name()));
            Files.createDirectories(dir);
            SweepCsv.write(dir.resolve("sweep.csv"), sr);
            SweepPlot.write(dir.resolve("sweep.png"), sr, m.name() + " on " + dataName);
            Map<String, List<Sweep.Row>> byAttack = new LinkedHashMap<>();
            for (Sweep.Row r : sr) {
                byAttack.computeIfAbsent(r.attack(), k -> new ArrayList<>()).add(r);
                acc.append(CsvFields.quote(m.name())).append(',').append(CsvFields.quote(r.attack())).append(',').append(r.norm().label()).append(',')
                        .append(EpsRange.format(r.eps())).append(',').append(num(r.accuracy())).append(',').append(num(r.cleanAccuracy())).append(',')
                        .append(num(r.successRate())).append(',').append(r.samples()).append(',').append(r.modelCalls()).append(',')
                        .append(String.format(Locale.ROOT, "%.3f", r.seconds())).append('\n');
            }
            for (Map.Entry<String, List<Sweep.Row>> e : byAttack.entrySet()) {
                List<String> line = new ArrayList<>(List.of(m.name(), e.getKey(), e.getValue().get(0).norm().label(), pct(e.getValue().get(0).cleanAccuracy())));
                for (Sweep.Row r : e.getValue()) line.add(pct(r.accuracy()));
                table.add(line);
            }
        }
        Outputs.write(out.resolve("robust-accuracy.csv"), acc.toString());
        html.heading("Robust accuracy").table(header, table);
        for (EvalPlan.Model m : plan.models()) {
            html.heading(m.name());
            html.figure(stem(m.name()) + "/sweep.png", "accuracy versus eps; rows in " + stem(m.name()) + "/sweep.csv");
        }
        html.paragraph("Per-sample rows: per-sample.csv (and the Parquet parts under parts/).");
        Path index = out.resolve("index.html");
        html.write(index);
        return index;
    }

    /** A file-name-safe form of a model name. */
    public static String stem(String name) {
        return name.replaceAll("[^A-Za-z0-9._-]+", "_");
    }

    private static String pct(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
    }
}

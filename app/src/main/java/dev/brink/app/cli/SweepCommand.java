package dev.brink.app.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brink.app.results.ResultJson;
import dev.brink.nn.data.Dataset;
import dev.brink.nn.io.OutputPaths;
import dev.brink.robust.attack.Classifier;
import dev.brink.robust.eval.AttackPlan;
import dev.brink.robust.eval.EpsRange;
import dev.brink.robust.eval.RobustEvaluation;
import dev.brink.robust.eval.Sweep;
import dev.brink.robust.eval.SweepCsv;
import dev.brink.robust.report.HtmlReport;
import dev.brink.robust.report.SweepHtml;
import dev.brink.robust.report.SweepPlot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code brink sweep}: accuracy versus epsilon for several attacks, as CSV and PNG. */
@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Accuracy versus epsilon: every attack at every epsilon on the same samples; writes sweep.csv and sweep.png (one line per attack, "
                + "plus the worst case over the attacks when they share a norm).",
                "--until-zero goes on past the range, one step at a time, until every attack has brought accuracy to zero (Galloway et al.: sweep the full range) "
                        + "or eps reaches --max-eps (default: the box's limit, 1 for linf).",
                "Also writes sweep.html: one self-contained page (figure inlined) with the robust-accuracy table and the command that reproduces it.",
                "Attack cost grows with --limit: PGD-40 on a full-width MNIST CNN runs a few images per second per epsilon on two cores today.",
                "",
                "Attack specs: NAME[:KEY=VALUE,...], e.g. fgsm, pgd:steps=40,step=0.01, pgd:norm=l2,steps=20. Keys norm and label are the sweep's "
                        + "(norm overrides --norm for that attack; label names its line); the others are the attack's options (listed below).",
                ""})
public final class SweepCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "Brink model file (.safetensors), or plain weights with --spec.")
    Path modelFile;

    @Option(names = "--spec", paramLabel = "FILE", description = "Spec JSON describing MODEL when it holds plain weights.")
    Path specFile;

    @Mixin
    DataOptions data;

    @Mixin
    ModelLoadOptions loadOptions;

    @Option(names = "--split", defaultValue = "test", description = "test or train (default: ${DEFAULT-VALUE}).")
    String split;

    @Mixin
    AttackCommand.AttackOptions attackOptions;

    @Option(names = "--eps", paramLabel = "RANGE", defaultValue = "0:0.5:0.05",
            description = "Epsilons: START:STOP:STEP (inclusive), a list 0,0.1,0.3, or fractions like 0:32/255:4/255 (default: ${DEFAULT-VALUE}).")
    String eps;

    @Option(names = "--until-zero", description = "Extend the range by its step until every attack reaches zero accuracy (or --max-eps).")
    boolean untilZero;

    @Option(names = "--stop-at", paramLabel = "ACC", defaultValue = "0",
            description = "With --until-zero: the accuracy at which an attack counts as done, e.g. 0.1 for chance on 10 classes (default: ${DEFAULT-VALUE}).")
    double stopAt;

    @Option(names = "--max-eps", paramLabel = "E", description = "With --until-zero: the largest epsilon (default: the box's limit in the norm).")
    String maxEps;

    @Option(names = "--title", description = "Plot title (default: MODEL on DATA).")
    String title;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "reports/sweep", description = "Output directory for sweep.csv and sweep.png (default: ${DEFAULT-VALUE}).")
    Path out;

    @Mixin
    JsonOption json;

    CommandSpec spec;

    @Spec
    void spec(CommandSpec s) {
        this.spec = s;
        s.usageMessage().footer(AttackCommand.AttackOptions.footer());
    }

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        PrintWriter o = json.human(spec);
        if (!split.equals("test") && !split.equals("train")) throw new IllegalArgumentException("--split must be test or train, got " + split);
        List<AttackPlan.Planned> plan = attackOptions.plan();
        for (AttackPlan.Planned p : plan)
            if (p.spec().eps() != null) throw new IllegalArgumentException(p.label() + ": eps= has no place in a sweep spec (the sweep sets eps)");
        EpsRange range = EpsRange.parse(eps);
        Sweep.Config cfg = new Sweep.Config(range.values(), untilZero, range.step(), maxEps == null ? Double.NaN : EpsRange.parse(maxEps).values()[0],
                stopAt, attackOptions.batchSize, attackOptions.seed, attackOptions.target());
        List<Sweep.SweepAttack> attacks = new ArrayList<>();
        for (AttackPlan.Planned p : plan) attacks.add(new Sweep.SweepAttack(p.label(), p.attack(), p.norm()));

        OutputPaths.checkDirectory("--out", out, true, "sweep.csv", "sweep.png", "sweep.html", "results.json");
        json.checkOutput();
        LoadedModel m = loadOptions.load(modelFile, specFile, spec);
        Dataset d = data.load(split.equals("train"));
        dev.brink.nn.train.ClassCheck.check("model " + modelFile, m.model().outputShape(), d);
        String modelName = AttackCommand.modelName(m);
        o.printf(Locale.ROOT, "model %s (%s), data %s %s: %d samples%n", modelFile, modelName, data.data, split, d.size());
        for (Sweep.SweepAttack a : attacks) o.printf(Locale.ROOT, "attack %s (%s)%n", a.label(), a.norm().label());
        o.printf(Locale.ROOT, "eps %s%s, %s, seed %d%n", range, untilZero ? " then on until zero" : "", cfg.target(), cfg.seed());
        o.flush();

        Path csv = out.resolve("sweep.csv"), png = out.resolve("sweep.png");
        String t = title != null ? title : modelName + " on " + data.data;
        List<Sweep.Row> done = new ArrayList<>();
        List<Sweep.Row> rows = Sweep.run(Classifier.of(m.model(), "model " + modelFile), d, attacks, cfg, new Sweep.Listener() {
            @Override
            public RobustEvaluation.Progress pointStart(double e, int index, int count, boolean extension) {
                String label = extension ? String.format(Locale.ROOT, "eps %s (extending)", EpsRange.format(e))
                        : String.format(Locale.ROOT, "eps %s (%d/%d)", EpsRange.format(e), index + 1, count);
                return RobustEvaluation.Progress.bar(System.err, label);
            }

            @Override
            public void pointEnd(double e, List<Sweep.Row> rs) {
                for (Sweep.Row r : rs) o.println(Sweep.describe(r));
                o.flush();
                done.addAll(rs);
                try {
                    SweepCsv.write(csv, done); // keep a partial result on disk as the sweep goes
                } catch (java.io.IOException ex) {
                    throw new java.io.UncheckedIOException(ex);
                }
            }
        });
        SweepCsv.write(csv, rows);
        SweepPlot.write(png, rows, t);
        Path html = out.resolve("sweep.html");
        HtmlReport page = new HtmlReport("brink sweep: " + t);
        SweepHtml.section(page, rows, t, dev.brink.app.results.CommandLines.brink(args()));
        page.write(html);
        ArrayNode attacksJson = ResultJson.MAPPER.createArrayNode();
        for (AttackPlan.Planned p : plan) attacksJson.add(ResultJson.attack(p.label(), p.spec(), p.norm(), null));
        ObjectNode doc = document(args(), m, d, attacksJson, cfg, rows, (System.nanoTime() - t0) / 1e9);
        Path results = out.resolve("results.json");
        ResultJson.write(results, doc);
        String jf = json.emit(spec, doc);
        o.printf("wrote %s, %s, %s, %s%s%n", csv, png, html, results, jf == null ? "" : ", " + jf);
        o.flush();
        return 0;
    }

    /** The arguments of a command line that gives the same numbers (output options left out). */
    List<String> args() {
        List<String> a = new ArrayList<>(List.of("sweep", modelFile.toString()));
        if (specFile != null) a.addAll(List.of("--spec", specFile.toString()));
        a.addAll(data.args());
        a.addAll(List.of("--split", split));
        a.addAll(attackOptions.args());
        a.addAll(List.of("--eps", eps));
        if (untilZero) {
            a.add("--until-zero");
            if (stopAt != 0) a.addAll(List.of("--stop-at", Double.toString(stopAt)));
            if (maxEps != null) a.addAll(List.of("--max-eps", maxEps));
        }
        return a;
    }

    /** The --json document (and results.json) of a sweep; the demo builds the same document for its sweep. */
    public static ObjectNode document(List<String> args, LoadedModel m, Dataset d, ArrayNode attacks, Sweep.Config cfg, List<Sweep.Row> rows,
                                      double seconds) throws java.io.IOException {
        ObjectNode doc = ResultJson.document(args);
        ObjectNode c = doc.putObject("config");
        c.set("model", ResultJson.model(m.source(), AttackCommand.modelName(m)));
        c.set("data", DataOptions.json(args, d));
        c.set("attacks", attacks);
        ArrayNode e = c.putArray("eps");
        for (double v : cfg.eps()) e.add(v);
        c.put("until_zero", cfg.untilZero());
        if (cfg.untilZero()) {
            c.put("step", cfg.step());
            ResultJson.num(c, "max_eps", cfg.maxEps());
            c.put("stop_at", cfg.stopAccuracy());
        }
        c.put("seed", cfg.seed());
        c.put("batch_size", cfg.batchSize());
        c.put("target", cfg.target().toString());
        ResultJson.runtime(c, m.model().stateDict());
        doc.putObject("results").set("rows", ResultJson.sweep(rows));
        doc.putObject("timings").put("seconds", seconds);
        return doc;
    }
}

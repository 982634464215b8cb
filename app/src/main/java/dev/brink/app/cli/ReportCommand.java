package dev.brink.app.cli;

import dev.brink.app.report.ModelCard;
import dev.brink.app.results.CommandLines;
import dev.brink.nn.data.Dataset;
import dev.brink.nn.io.ModelFile;
import dev.brink.nn.io.OutputPaths;
import dev.brink.nn.io.SafeTensors;
import dev.brink.nn.train.ClassCheck;
import dev.brink.robust.analysis.Analyses;
import dev.brink.robust.analysis.NotApplicableException;
import dev.brink.robust.analysis.Analysis;
import dev.brink.robust.analysis.AnalysisInput;
import dev.brink.robust.analysis.AnalysisOutput;
import dev.brink.robust.SpecText;
import dev.brink.robust.eval.AttackPlan;
import dev.brink.robust.attack.Classifier;
import dev.brink.robust.eval.EpsRange;
import dev.brink.robust.eval.RobustEvaluation;
import dev.brink.robust.eval.Sweep;
import dev.brink.robust.eval.SweepCsv;
import dev.brink.robust.eval.TargetSpec;
import dev.brink.robust.report.HtmlReport;
import dev.brink.robust.report.SweepHtml;
import dev.brink.robust.report.SweepPlot;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code brink report MODEL --data D}: the model card, one self-contained HTML page (figures inlined, CSS inline,
 * nothing fetched) with the architecture and training settings, the training log, clean accuracy, the robust
 * accuracy table of a sweep, AutoAttack results, and the figures and numbers of the registered analyses, each with
 * the command that reproduces it.
 */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The model card: one self-contained HTML page (OUT/card.html; figures inlined, nothing fetched) describing a model: architecture, "
                + "metadata and training settings, the training log (MODEL.log.csv next to the model when present), clean accuracy, a sweep's robust-accuracy table "
                + "(--attack at every --eps), AutoAttack results (--autoattack DIR of an earlier brink autoattack, or --run-autoattack EPS), and the figures, tables "
                + "and summary numbers of the analyses (--analysis, default every registered one), each with the command that reproduces it.",
                "The sweep's and the analyses' own files go to OUT/sweep and OUT/analysis/NAME. Cost grows with --limit: a few hundred points is a quick card."})
public final class ReportCommand implements Callable<Integer> {
    /** The card's file in --out. */
    public static final String CARD = "card.html";

    @Parameters(index = "0", paramLabel = "MODEL", description = "Brink model file (.safetensors), or plain weights with --spec.")
    Path modelFile;

    @Option(names = "--spec", paramLabel = "FILE", description = "Spec JSON describing MODEL when it holds plain weights.")
    Path specFile;

    @Mixin
    DataOptions data;

    @Mixin
    ModelLoadOptions loadOptions;

    @Option(names = "--split", defaultValue = "test", description = "Data evaluated: test or train (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = {"-a", "--attack"}, paramLabel = "SPEC",
            description = "Attack of the sweep, NAME[:KEY=VALUE,...] (repeatable; default: fgsm and pgd:steps=20); 'none' skips the sweep.")
    List<String> attacks = new ArrayList<>();

    @Option(names = "--eps", paramLabel = "LIST",
            description = "Epsilons of the sweep: a list 0,0.1,0.3 or START:STOP:STEP (default: the data set's usual L-inf range: 0,0.05,0.1,0.2,0.3 "
                    + "on MNIST and Fashion-MNIST, 0,1/255,2/255,4/255,8/255 on CIFAR-10 and other data).")
    String eps;

    @Option(names = "--analysis", paramLabel = "NAME[:K=V,...]",
            description = "Analysis to run and show (repeatable; default: every registered one, see brink analyze --list); 'none' runs none.")
    List<String> analyses = new ArrayList<>();

    @Option(names = "--autoattack", paramLabel = "DIR", description = "Show the AutoAttack run in DIR (brink autoattack's --out, its results.json); repeatable.")
    List<Path> autoattackDirs = new ArrayList<>();

    @Option(names = "--run-autoattack", paramLabel = "EPS", description = "Run standard AutoAttack (L-inf, radius EPS) on the data into OUT/autoattack and show it.")
    String runAutoattack;

    @Option(names = "--training-log", paramLabel = "CSV", description = "The model's training log (default: MODEL.log.csv next to the model, when present).")
    Path trainingLog;

    @Option(names = "--with-train", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Give the analyses the training split too (e.g. margins on train and test; default: ${DEFAULT-VALUE}).")
    boolean withTrain;

    @Option(names = "--batch-size", defaultValue = "100", description = "Largest batch passed through the model (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of every random choice (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--title", description = "Title of the card (default: the model's name).")
    String title;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default: reports/card/MODEL-NAME).")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        PrintWriter o = spec.commandLine().getOut();
        if (!split.equals("test") && !split.equals("train")) throw new IllegalArgumentException("--split must be test or train, got " + split);
        if (batchSize < 1) throw new IllegalArgumentException("--batch-size must be >= 1, got " + batchSize);
        String stem = modelFile.getFileName().toString().replaceFirst("\\.safetensors$", "");
        Path dir = out != null ? out : Path.of("reports", "card", stem);

        // everything the options name is checked before any work
        List<String> attackSpecs = attacks.isEmpty() ? List.of("fgsm", "pgd:steps=20") : attacks.equals(List.of("none")) ? List.of() : attacks;
        List<AttackPlan.Planned> plan = attackSpecs.isEmpty() ? List.of() : AttackPlan.plan(attackSpecs, null, new java.util.LinkedHashMap<>());
        for (AttackPlan.Planned p : plan)
            if (p.spec().eps() != null) throw new IllegalArgumentException(p.label() + ": eps= has no place in a sweep spec (--eps sets it)");
        String epsText = eps != null ? eps : defaultEps(data.data);
        EpsRange range = EpsRange.parse(epsText);
        List<String> analysisSpecs = analyses.isEmpty() ? Analyses.names() : analyses.equals(List.of("none")) ? List.of() : analyses;
        List<Analysis> toRun = new ArrayList<>();
        List<String> analysisNames = new ArrayList<>();
        for (String a : analysisSpecs) {
            SpecText s = SpecText.parse("analysis", a);
            toRun.add(Analyses.create(s.name(), s.options()));
            analysisNames.add(s.name());
        }
        for (Path a : autoattackDirs)
            if (!Files.isRegularFile(a.resolve("results.json")))
                throw new IllegalArgumentException("--autoattack " + a + ": no results.json there (give the --out directory of a brink autoattack run)");
        Path log = trainingLog;
        if (log != null && !Files.isRegularFile(log)) throw new IllegalArgumentException("--training-log " + log + ": no such file");
        if (log == null) {
            Path guess = modelFile.resolveSibling(stem + ".log.csv");
            if (Files.isRegularFile(guess)) log = guess;
        }
        OutputPaths.checkDirectory("--out", dir, true, CARD);
        if (!plan.isEmpty()) OutputPaths.checkDirectory("--out", dir.resolve("sweep"), true, "sweep.csv", "sweep.png");
        for (String n : analysisNames) OutputPaths.checkDirectory("--out", dir.resolve("analysis").resolve(n), true, "summary.json");

        LoadedModel m = loadOptions.load(modelFile, specFile, spec);
        Dataset d = data.load(split.equals("train"));
        ClassCheck.check("model " + modelFile, m.model().outputShape(), d);
        String name = AttackCommand.modelName(m);
        HtmlReport h = new HtmlReport(title != null ? title : "Model card: " + name);
        o.printf(Locale.ROOT, "model card of %s (%,d parameters) on %s %s: %d points -> %s%n", modelFile, m.model().parameterCount(), data.data, split, d.size(), dir.resolve(CARD));
        o.flush();

        architecture(h, m, d, log);
        m.model().eval();

        h.heading("Clean and robust accuracy");
        if (plan.isEmpty()) {
            h.paragraph("No sweep was asked for (--attack none).");
        } else {
            List<Sweep.SweepAttack> sweepAttacks = new ArrayList<>();
            for (AttackPlan.Planned p : plan) sweepAttacks.add(new Sweep.SweepAttack(p.label(), p.attack(), p.norm()));
            Sweep.Config cfg = new Sweep.Config(range.values(), false, range.step(), Double.NaN, 0, batchSize, seed, TargetSpec.parse(null));
            List<Sweep.Row> rows = Sweep.run(Classifier.of(m.model(), "model " + modelFile), d, sweepAttacks, cfg, new Sweep.Listener() {
                @Override
                public RobustEvaluation.Progress pointStart(double e, int index, int count, boolean extension) {
                    return RobustEvaluation.Progress.bar(System.err, String.format(Locale.ROOT, "sweep eps %s (%d/%d)", EpsRange.format(e), index + 1, count));
                }
            });
            SweepCsv.write(dir.resolve("sweep").resolve("sweep.csv"), rows);
            SweepPlot.write(dir.resolve("sweep").resolve("sweep.png"), rows, name + " on " + data.data);
            o.printf(Locale.ROOT, "clean accuracy %.4f on %d points%n", rows.get(0).cleanAccuracy(), rows.get(0).samples());
            SweepHtml.section(h, rows, name + " on " + data.data, CommandLines.brink(sweepArgs(attackSpecs, epsText)));
        }

        if (!autoattackDirs.isEmpty() || runAutoattack != null) {
            h.heading("AutoAttack");
            h.paragraph("Croce and Hein's parameter-free ensemble (APGD-CE, APGD-T, FAB-T, Square): a point counts as robust only if every attack fails on it.");
            for (Path a : autoattackDirs) ModelCard.autoAttack(h, a.resolve("results.json"));
            if (runAutoattack != null) {
                Path aa = dir.resolve("autoattack");
                List<String> args = new ArrayList<>(List.of("autoattack", modelFile.toString()));
                if (specFile != null) args.addAll(List.of("--spec", specFile.toString()));
                args.addAll(data.args());
                args.addAll(List.of("--split", split, "--eps", runAutoattack, "--seed", Long.toString(seed), "--out", aa.toString(), "--overwrite"));
                CommandLine cl = BrinkCli.newCommandLine();
                cl.setOut(spec.commandLine().getOut());
                cl.setErr(spec.commandLine().getErr());
                int code = cl.execute(args.toArray(String[]::new));
                if (code != 0) throw new IllegalStateException("AutoAttack failed (exit " + code + "): " + CommandLines.brink(args));
                ModelCard.autoAttack(h, aa.resolve("results.json"));
            }
        }

        if (!toRun.isEmpty()) {
            Dataset train = withTrain ? data.load(true) : null;
            for (int i = 0; i < toRun.size(); i++) {
                String n = analysisNames.get(i);
                h.heading("Analysis: " + n);
                Path adir = dir.resolve("analysis").resolve(n);
                AnalysisOutput res = new AnalysisOutput(adir, n, CommandLines.brink(analyzeArgs(analysisSpecs.get(i), log, adir)));
                AnalysisInput in = new AnalysisInput(m.model(), modelFile.getFileName().toString(), d, train, log, batchSize, seed, System.err);
                try {
                    toRun.get(i).run(in, res);
                    res.finish();
                    System.err.println();
                    ModelCard.analysis(h, res, Analyses.entry(n).summary());
                } catch (RuntimeException e) {
                    if (e instanceof NotApplicableException && analyses.isEmpty()) {
                        // one of the default list that does not apply to this model: said plainly, not as a failure
                        h.paragraph("Not applicable to this model. " + e.getMessage());
                        continue;
                    }
                    // an analysis that fails on this model (or was asked for and does not apply) is reported on the card, not fatal
                    String msg = n + " failed: " + e.getMessage();
                    spec.commandLine().getErr().println("warning: " + msg);
                    spec.commandLine().getErr().flush();
                    h.warning(msg);
                    h.command(res.command());
                }
            }
        }

        h.heading("How this card was made");
        h.command(CommandLines.brink(args()));
        h.paragraph(String.format(Locale.ROOT, "brink %s, %.1f s.", BrinkCli.version(), (System.nanoTime() - t0) / 1e9));
        Path card = dir.resolve(CARD);
        h.write(card);
        o.printf(Locale.ROOT, "wrote %s (%.1f s)%n", card, (System.nanoTime() - t0) / 1e9);
        o.flush();
        return 0;
    }

    /** Model, file and data facts, metadata, architecture and the training log. */
    private void architecture(HtmlReport h, LoadedModel m, Dataset d, Path log) throws java.io.IOException {
        h.heading("Model");
        List<String[]> kv = new ArrayList<>();
        kv.add(new String[] {"file", modelFile + " (" + InfoCommand.formatBytes(Files.size(modelFile)) + ")"});
        kv.add(new String[] {"zoo model", m.info().model().isEmpty() ? "(built from its spec)" : m.info().model()});
        kv.add(new String[] {"input -> output", Arrays.toString(m.model().inputShape()) + " -> " + Arrays.toString(m.model().outputShape())});
        kv.add(new String[] {"parameters", String.format(Locale.ROOT, "%,d in %d tensors, %d buffers", m.model().parameterCount(),
                m.model().namedParameters().size(), m.model().namedBuffers().size())});
        kv.add(new String[] {"evaluated on", data.data + " " + split + ": " + d.size() + " points (" + d.name() + ")"});
        kv.add(new String[] {"classes", String.join(", ", d.classes())});
        h.keyValues(kv);
        Map<String, String> meta = new TreeMap<>(SafeTensors.readHeader(modelFile).metadata());
        meta.remove(ModelFile.SPEC_KEY);
        if (!meta.isEmpty()) {
            h.subheading("Metadata and training settings (from the model file)");
            List<List<String>> rows = new ArrayList<>();
            meta.forEach((k, v) -> rows.add(List.of(k, v)));
            h.table(List.of("key", "value"), rows);
        }
        h.subheading("Architecture");
        h.pre(m.model().describe(""));
        if (!m.info().spec().isEmpty()) h.details("Spec JSON (brink.spec)", m.info().spec());
        h.command(CommandLines.brink(specFile == null ? List.of("info", modelFile.toString()) : List.of("info", modelFile.toString(), "--spec", specFile.toString())));
        h.heading("Training log");
        if (log == null) h.paragraph("No training log: brink train writes MODEL.log.csv next to the model; give another with --training-log.");
        else ModelCard.trainingLog(h, log);
    }

    /** The data set's usual L-inf epsilons, 0 first (the clean point). */
    static String defaultEps(String data) {
        return switch (data) {
            case "mnist", "fashion-mnist", "mnist-3v7" -> "0,0.05,0.1,0.2,0.3";
            default -> "0,1/255,2/255,4/255,8/255";
        };
    }

    private List<String> common() {
        List<String> a = new ArrayList<>(List.of(modelFile.toString()));
        if (specFile != null) a.addAll(List.of("--spec", specFile.toString()));
        a.addAll(data.args());
        a.addAll(List.of("--split", split));
        return a;
    }

    /** {@code brink sweep} arguments that give the card's sweep numbers. */
    private List<String> sweepArgs(List<String> attackSpecs, String epsText) {
        List<String> a = new ArrayList<>(List.of("sweep"));
        a.addAll(common());
        for (String s : attackSpecs) a.addAll(List.of("--attack", s));
        a.addAll(List.of("--seed", Long.toString(seed), "--batch-size", Integer.toString(batchSize), "--eps", epsText));
        return a;
    }

    /** {@code brink analyze} arguments that give one analysis' numbers and files. */
    private List<String> analyzeArgs(String analysisSpec, Path log, Path adir) {
        return AnalyzeCommand.arguments(analysisSpec, modelFile, specFile, data, split, batchSize, seed, withTrain, log, adir);
    }

    /** This command's arguments. */
    private List<String> args() {
        List<String> a = new ArrayList<>(List.of("report"));
        a.addAll(common());
        for (String s : attacks) a.addAll(List.of("--attack", s));
        if (eps != null) a.addAll(List.of("--eps", eps));
        for (String s : analyses) a.addAll(List.of("--analysis", s));
        for (Path p : autoattackDirs) a.addAll(List.of("--autoattack", p.toString()));
        if (runAutoattack != null) a.addAll(List.of("--run-autoattack", runAutoattack));
        if (trainingLog != null) a.addAll(List.of("--training-log", trainingLog.toString()));
        if (!withTrain) a.add("--no-with-train");
        a.addAll(List.of("--batch-size", Integer.toString(batchSize), "--seed", Long.toString(seed)));
        if (out != null) a.addAll(List.of("--out", out.toString()));
        return a;
    }
}

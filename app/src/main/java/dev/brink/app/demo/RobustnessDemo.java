package dev.brink.app.demo;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brink.app.cli.AttackCommand;
import dev.brink.app.cli.EvalCommand;
import dev.brink.app.cli.LoadedModel;
import dev.brink.app.cli.SweepCommand;
import dev.brink.app.results.BuildInfo;
import dev.brink.app.results.ResultJson;
import dev.brink.engine.Generator;
import dev.brink.robust.eval.TargetSpec;
import dev.brink.nn.data.Dataset;
import dev.brink.nn.data.Datasets;
import dev.brink.nn.io.ModelFile;
import dev.brink.nn.io.ModelInfo;
import dev.brink.nn.optim.Adam;
import dev.brink.nn.optim.Schedule;
import dev.brink.nn.spec.SpecModel;
import dev.brink.nn.train.Evaluation;
import dev.brink.nn.train.Objective;
import dev.brink.nn.train.Trainer;
import dev.brink.nn.zoo.Zoo;
import dev.brink.robust.attack.Attack;
import dev.brink.robust.attack.Attacks;
import dev.brink.robust.attack.Classifier;
import dev.brink.robust.attack.Norm;
import dev.brink.robust.attack.ThreatModel;
import dev.brink.robust.eval.AttackFactory;
import dev.brink.robust.eval.AttackSpec;
import dev.brink.robust.eval.EpsRange;
import dev.brink.robust.eval.RobustEvaluation;
import dev.brink.robust.eval.Sweep;
import dev.brink.robust.eval.SweepCsv;
import dev.brink.robust.eval.TransferSet;
import dev.brink.robust.progress.ProgressBar;
import dev.brink.robust.report.HtmlReport;
import dev.brink.robust.report.ImageGrid;
import dev.brink.robust.report.SweepPlot;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The robustness demo ({@code make demo}, {@code brink demo}): on the embedded CPU backend it trains a small MNIST
 * CNN (the Madry et al. architecture at reduced width, one epoch on a subset; reused from {@code models/} on later
 * runs) and a small MLP, sweeps FGSM and PGD over epsilon until accuracy reaches zero, runs a few more attacks at
 * one epsilon (worst case per sample), crafts a transfer set on the CNN and evaluates it on the MLP, and writes an
 * HTML report with the plot, an image grid and the tables. Every number is seeded, and shown with the
 * {@code brink eval|attack|sweep} command line that gives it again; {@code results.json} lists these runs with their
 * numbers in the {@code --json} format ({@link DemoRuns}, checked by ReportReproducibilityTest).
 *
 * <p>Budgets are sized for today's CPU kernels on two cores (a few minutes in all); {@link Config#quick()} runs
 * the same steps on a tiny synthetic data set in seconds (for tests).
 */
public final class RobustnessDemo {
    private RobustnessDemo() {}

    /**
     * @param dataDir      where {@code make data} put MNIST
     * @param modelDir     where trained models are kept (and reused)
     * @param outDir       the report directory
     * @param quick        tiny synthetic data set and budgets (seconds; no MNIST needed)
     * @param trainSamples training images (first N of the training set), one epoch
     * @param evalSamples  test images for clean accuracy
     * @param sweepSamples test images attacked in the sweep and the attack table
     * @param retrain      train even if a model from an earlier run exists
     */
    public record Config(Path dataDir, Path modelDir, Path outDir, boolean quick, int trainSamples, int evalSamples, int sweepSamples,
                         boolean retrain, long seed) {
        public static Config defaults() {
            return new Config(Datasets.defaultDataDir(), Path.of("models"), Path.of("reports", "demo"), false, 6000, 1000, 200, false, 0);
        }
    }

    /** What a run produced. */
    public record Summary(Path report, double cleanAccuracy, List<Sweep.Row> sweep, RobustEvaluation.Result attacks, double seconds) {}

    private record Budget(String cnn, double cnnWidth, String mlp, double mlpWidth, int trainSamples, int epochs, double lr, int evalSamples,
                          int sweepSamples, int pgdSteps, String linfRange, double linfMax, double tableEps, double l2Eps, int minimalSamples,
                          int deepfoolSteps, int batchSize) {}

    public static Summary run(Config c, PrintWriter out) throws IOException {
        long t0 = System.nanoTime();
        Budget b = c.quick()
                ? new Budget("madry-mnist", 0.125, "mlp-4x1024", 0.03, 600, 4, 5e-3, 100, 40, 5, "0:0.3:0.1", 0.6, 0.2, 1.5, 10, 5, 40)
                : new Budget("madry-mnist", 0.5, "mlp-4x1024", 0.25, c.trainSamples(), 1, 2e-3, c.evalSamples(), c.sweepSamples(), 10, "0:0.3:0.05", 0.6, 0.15, 1.5,
                Math.min(50, c.sweepSamples()), 20, 100);
        Files.createDirectories(c.outDir());
        out.printf(Locale.ROOT, "Brink robustness demo (%s backend, %d cores%s)%n", dev.brink.engine.backend.Backends.defaultBackend().name(),
                Runtime.getRuntime().availableProcessors(), c.quick() ? ", quick mode on synthetic data" : "");
        out.printf(Locale.ROOT, "writing the report to %s%n%n", c.outDir().resolve("index.html"));
        int steps = 7;

        // 1. data
        Step s = new Step(out, 1, steps, "data");
        Dataset train, test;
        List<String> dataArgs;
        if (c.quick()) {
            // written as an image folder, so the report's command lines can read the very same samples
            Path folder = c.outDir().resolve("data").resolve("synthetic");
            deleteTree(folder);
            SyntheticFolder.write(Synthetic.dataset("synthetic-train", 600, 1), folder.resolve("train"));
            SyntheticFolder.write(Synthetic.dataset("synthetic-test", 200, 2), folder.resolve("test"));
            train = Datasets.load(folder, true);
            test = Datasets.load(folder, false);
            dataArgs = List.of("--data", folder.toString());
        } else {
            try {
                train = Datasets.load("mnist", c.dataDir(), true);
                test = Datasets.load("mnist", c.dataDir(), false);
            } catch (IOException e) {
                throw new IOException("MNIST is not in " + c.dataDir().resolve("mnist") + "; run 'make data' (or bash scripts/fetch-data.sh) first: " + e.getMessage(), e);
            }
            dataArgs = c.dataDir().equals(Datasets.defaultDataDir()) ? List.of("--data", "mnist") : List.of("--data", "mnist", "--data-dir", c.dataDir().toString());
        }
        Dataset trainSub = first(train, b.trainSamples());
        Dataset evalSub = first(test, b.evalSamples());
        Dataset attackSub = first(test, b.sweepSamples());
        s.done(String.format(Locale.ROOT, "%s: %,d training and %,d test images of %s; using %,d to train, %,d to evaluate, %,d to attack",
                c.quick() ? "synthetic stripes" : "MNIST from " + c.dataDir().resolve("mnist"), train.size(), test.size(),
                java.util.Arrays.toString(train.sampleShape()), trainSub.size(), evalSub.size(), attackSub.size()));

        // 2. models
        s = new Step(out, 2, steps, "models");
        String tag = c.quick() ? "-quick" : "";
        Model cnn = model(c, out, b.cnn(), b.cnnWidth(), trainSub, tag, b);
        Model mlp = model(c, out, b.mlp(), b.mlpWidth(), trainSub, tag, b);
        DemoRuns runs = new DemoRuns();
        double cleanCnn = Evaluation.accuracy(cnn.model, evalSub, 500, null);
        double cleanMlp = Evaluation.accuracy(mlp.model, evalSub, 500, null);
        List<DemoRuns.Run> cleanRuns = new ArrayList<>();
        for (Model m : List.of(cnn, mlp)) {
            double acc = m == cnn ? cleanCnn : cleanMlp;
            List<String> args = join(List.of("eval", m.file.toString()), dataArgs, List.of("--limit", Integer.toString(evalSub.size()), "--split", "test", "--batch-size", "500"));
            cleanRuns.add(runs.add("clean-" + (m == cnn ? "cnn" : "mlp"), "clean accuracy of " + m.name + " on " + evalSub.size() + " test images",
                    EvalCommand.document(args, m.loaded, evalSub, (int) Math.round(acc * evalSub.size()), acc, 0)));
        }
        s.done(String.format(Locale.ROOT, "clean test accuracy on %,d images: %s %.4f, %s %.4f", evalSub.size(), cnn.name, cleanCnn, mlp.name, cleanMlp));

        Classifier target = Classifier.of(cnn.model);
        Set<String> known = new HashSet<>(Attacks.names());

        // 3. sweep
        s = new Step(out, 3, steps, "sweep");
        List<Sweep.SweepAttack> sweepAttacks = new ArrayList<>();
        List<String> sweepSpecs = new ArrayList<>();
        addSweep(sweepAttacks, sweepSpecs, known, "fgsm", Norm.LINF);
        addSweep(sweepAttacks, sweepSpecs, known, "pgd:steps=" + b.pgdSteps() + ",label=pgd-" + b.pgdSteps(), Norm.LINF);
        EpsRange range = EpsRange.parse(b.linfRange());
        out.printf(Locale.ROOT, "      %s on %d test images, linf eps %s then on in steps of %s until accuracy is zero (at most %s)%n",
                labels(sweepAttacks), attackSub.size(), b.linfRange(), EpsRange.format(range.step()), EpsRange.format(b.linfMax()));
        Sweep.Config sc = new Sweep.Config(range.values(), true, range.step(), b.linfMax(), 0, b.batchSize(), c.seed(), null);
        List<Sweep.Row> rows = Sweep.run(target, attackSub, sweepAttacks, sc, new Sweep.Listener() {
            @Override
            public RobustEvaluation.Progress pointStart(double eps, int index, int count, boolean extension) {
                return RobustEvaluation.Progress.bar(System.err, "      eps " + EpsRange.format(eps));
            }

            @Override
            public void pointEnd(double eps, List<Sweep.Row> rs) {
                StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "      eps %-5s", EpsRange.format(eps)));
                for (Sweep.Row r : rs) sb.append(String.format(Locale.ROOT, "  %s %.3f", r.attack(), r.accuracy()));
                out.println(sb);
                out.flush();
            }
        });
        Path csv = c.outDir().resolve("sweep.csv"), png = c.outDir().resolve("sweep.png");
        SweepCsv.write(csv, rows);
        SweepPlot.write(png, rows, cnn.name + ": accuracy under attack");
        List<String> sweepArgs = join(List.of("sweep", cnn.file.toString()), dataArgs, List.of("--limit", Integer.toString(attackSub.size()), "--split", "test"),
                attackArgs(sweepSpecs, c.seed(), b.batchSize()),
                List.of("--eps", b.linfRange(), "--until-zero", "--max-eps", exact(b.linfMax())));
        ArrayNode sweepJson = ResultJson.MAPPER.createArrayNode();
        for (int i = 0; i < sweepAttacks.size(); i++)
            sweepJson.add(ResultJson.attack(sweepAttacks.get(i).label(), AttackSpec.parse(sweepSpecs.get(i)), sweepAttacks.get(i).norm(), null));
        double sweepSecs = rows.stream().mapToDouble(Sweep.Row::seconds).sum();
        DemoRuns.Run sweepRun = runs.add("sweep", "accuracy versus linf epsilon on " + attackSub.size() + " test images (every row of sweep.csv)",
                SweepCommand.document(sweepArgs, cnn.loaded, attackSub, sweepJson, sc, rows, sweepSecs));
        s.done("wrote " + csv + " and " + png);

        // 4. more attacks at one epsilon, worst case per sample
        s = new Step(out, 4, steps, "attacks");
        List<RobustEvaluation.Entry> entries = new ArrayList<>();
        Map<String, String> specOf = new LinkedHashMap<>();
        double le = b.tableEps(), l2 = b.l2Eps();
        String pgd = "pgd-" + b.pgdSteps();
        addEntry(entries, specOf, known, "fgsm", Norm.LINF, le);
        addEntry(entries, specOf, known, "pgd:steps=" + b.pgdSteps() + ",label=" + pgd, Norm.LINF, le);
        addEntry(entries, specOf, known, "pgd:steps=" + b.pgdSteps() + ",loss=cw,label=" + pgd + "-cw", Norm.LINF, le);
        addEntry(entries, specOf, known, "fgm-l2", Norm.L2, l2);
        addEntry(entries, specOf, known, "pgd:steps=" + b.pgdSteps() + ",norm=l2,label=" + pgd + "-l2", Norm.L2, l2);
        List<RobustEvaluation.Entry> linfEntries = entries.stream().filter(e -> e.threat().norm() == Norm.LINF).toList();
        List<RobustEvaluation.Entry> l2Entries = entries.stream().filter(e -> e.threat().norm() == Norm.L2).toList();
        RobustEvaluation.Config rc = new RobustEvaluation.Config(b.batchSize(), c.seed(), null, 10, true);
        out.printf(Locale.ROOT, "      linf eps %s on %d test images: %s%n", EpsRange.format(le), attackSub.size(), linfEntries.stream().map(RobustEvaluation.Entry::label).toList());
        RobustEvaluation.Result linf = RobustEvaluation.evaluate(target, attackSub, linfEntries, rc, bar("      linf"));
        printTable(out, linf);
        RobustEvaluation.Result l2r = null;
        if (!l2Entries.isEmpty()) {
            out.printf(Locale.ROOT, "      l2 eps %s: %s%n", EpsRange.format(l2), l2Entries.stream().map(RobustEvaluation.Entry::label).toList());
            l2r = RobustEvaluation.evaluate(target, attackSub, l2Entries, rc.withExamples(0).withAdversarial(false), bar("      l2"));
            printTable(out, l2r);
        }
        RobustEvaluation.Result minimal = null;
        List<RobustEvaluation.Entry> minEntries = new ArrayList<>();
        addEntry(minEntries, specOf, known, "deepfool:norm=l2,steps=" + b.deepfoolSteps() + ",label=deepfool-l2", Norm.L2, Sweep.boxLimit(Norm.L2, train.sampleSize()));
        Dataset few = first(attackSub, b.minimalSamples());
        if (!minEntries.isEmpty()) {
            out.printf(Locale.ROOT, "      smallest L2 perturbation that fools the model (DeepFool, unbounded) on %d images:%n", few.size());
            minimal = RobustEvaluation.evaluate(target, few, minEntries, rc.withExamples(0).withAdversarial(false), bar("      deepfool"));
            RobustEvaluation.AttackStats st = minimal.attacks().get(0);
            out.printf(Locale.ROOT, "      %-16s success %.3f  mean l2 %s  mean linf %s  %,d calls  %.1f s%n", st.label(), st.successRate(),
                    f(st.meanNorm(Norm.L2)), f(st.meanNorm(Norm.LINF)), st.modelCalls(), st.seconds());
        }
        Path grid = c.outDir().resolve("grid.png");
        ImageGrid.write(grid, linf.examples(), test.classes(), 10);
        s.done("wrote " + grid);

        // 5. transfer: the PGD examples of step 4 (crafted from correctly classified images), saved and evaluated on the MLP
        s = new Step(out, 5, steps, "transfer");
        int ci = 0;
        for (int i = 0; i < linfEntries.size(); i++) if (linfEntries.get(i).label().equals(pgd)) ci = i;
        RobustEvaluation.Entry craft = linfEntries.get(ci);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("source_model", cnn.name);
        meta.put("source_file", cnn.file.toString());
        meta.put("data", c.quick() ? "synthetic" : "mnist:test[0:" + attackSub.size() + "]");
        meta.put("seed", Long.toString(c.seed()));
        TransferSet set = TransferSet.of(linf.adversarial().get(ci), meta);
        Path setFile = c.outDir().resolve("transfer-" + craft.label() + ".safetensors");
        set.save(setFile);
        TransferSet back = TransferSet.load(setFile);
        TransferSet.Outcome onSource = back.evaluate(target, b.batchSize());
        TransferSet.Outcome onMlp = back.evaluate(Classifier.of(mlp.model), b.batchSize());
        out.printf(Locale.ROOT, "      %d %s examples (linf %s) from the images %s classifies correctly:%n", back.size(), craft.label(),
                EpsRange.format(craft.threat().eps()), cnn.name);
        out.printf(Locale.ROOT, "      on %-28s %s%n      on %-28s %s%n", cnn.name + " (white box)", onSource, mlp.name + " (black box)", onMlp);
        s.done("wrote " + setFile);

        // the command line of each number: one attack per command for the rows (an attack's numbers do not depend
        // on the attacks beside it), the whole group for the worst case; the PGD row's command also transfers
        List<String> subset = List.of("--limit", Integer.toString(attackSub.size()), "--split", "test");
        Map<String, DemoRuns.Run> rowRuns = new LinkedHashMap<>();
        List<DemoRuns.Run> groupRuns = new ArrayList<>();
        for (RobustEvaluation.Result group : java.util.Arrays.asList(linf, l2r)) {
            if (group == null) continue;
            List<String> labels = group.attacks().stream().map(RobustEvaluation.AttackStats::label).toList();
            double eps = group.attacks().get(0).threat().eps();
            for (RobustEvaluation.AttackStats st : group.attacks()) {
                boolean crafts = group == linf && st.label().equals(craft.label());
                ArrayNode transfers = ResultJson.MAPPER.createArrayNode();
                if (crafts) {
                    transfers.add(ResultJson.transfer(st.label(), cnn.file, onSource));
                    transfers.add(ResultJson.transfer(st.label(), mlp.file, onMlp));
                }
                List<String> args = join(List.of("attack", cnn.file.toString()), dataArgs, subset, attackArgs(List.of(specOf.get(st.label())), c.seed(), b.batchSize()),
                        List.of("--eps", exact(eps)), crafts ? List.of("--transfer-to", cnn.file.toString(), "--transfer-to", mlp.file.toString()) : List.of());
                rowRuns.put(st.label(), runs.add("attack-" + st.label(), st.label() + " at " + st.threat().norm().label() + " eps " + EpsRange.format(eps)
                                + (crafts ? ", and the transfer of its examples" : ""),
                        AttackCommand.document(args, cnn.loaded, attackSub, attackJson(List.of(st.label()), specOf, group), eps, c.seed(), b.batchSize(),
                                TargetSpec.UNTARGETED, crafts ? List.of(cnn.loaded, mlp.loaded) : List.of(), group, List.of(st.label()), transfers, st.seconds())));
            }
            if (labels.size() > 1) {
                List<String> args = join(List.of("attack", cnn.file.toString()), dataArgs, subset,
                        attackArgs(labels.stream().map(specOf::get).toList(), c.seed(), b.batchSize()), List.of("--eps", exact(eps)));
                groupRuns.add(runs.add("attack-worst-case-" + group.attacks().get(0).threat().norm().label(),
                        "worst case over " + String.join(", ", labels) + " (and each of them again)",
                        AttackCommand.document(args, cnn.loaded, attackSub, attackJson(labels, specOf, group), eps, c.seed(), b.batchSize(),
                                TargetSpec.UNTARGETED, List.of(), group, null, ResultJson.MAPPER.createArrayNode(), group.seconds())));
            }
        }
        DemoRuns.Run minimalRun = null;
        if (minimal != null) {
            RobustEvaluation.AttackStats st = minimal.attacks().get(0);
            double eps = st.threat().eps();
            List<String> args = join(List.of("attack", cnn.file.toString()), dataArgs, List.of("--limit", Integer.toString(few.size()), "--split", "test"),
                    attackArgs(List.of(specOf.get(st.label())), c.seed(), b.batchSize()), List.of("--eps", exact(eps)));
            minimalRun = runs.add("attack-" + st.label(), st.label() + ", unbounded (eps = the box's L2 diameter), on the first " + few.size() + " test images",
                    AttackCommand.document(args, cnn.loaded, few, attackJson(List.of(st.label()), specOf, minimal), eps, c.seed(), b.batchSize(),
                            TargetSpec.UNTARGETED, List.of(), minimal, null, ResultJson.MAPPER.createArrayNode(), minimal.seconds()));
        }

        // 6. standard vs adversarial vs EMR training, under AutoAttack, with effective margins
        s = new Step(out, 6, steps, "training methods");
        TrainingMethods.Settings ts = c.quick()
                ? new TrainingMethods.Settings(dataArgs, trainSub.size(), 4, 0.03, 64, c.seed(), "0.2", 5, Math.min(40, attackSub.size()), evalSub.size(),
                c.modelDir(), c.outDir(), c.retrain(), tag)
                : new TrainingMethods.Settings(dataArgs, trainSub.size(), 3, 0.25, 64, c.seed(), "0.1", 10, Math.min(200, attackSub.size()), evalSub.size(),
                c.modelDir(), c.outDir(), c.retrain(), tag);
        out.printf(Locale.ROOT, "      mlp-4x1024 at width %s, %d epochs on %,d images, three ways; AutoAttack (standard, linf %s) on %d test images, "
                + "effective margins on %,d%n", EpsRange.format(ts.width()), ts.epochs(), ts.trainSamples(), ts.eps(), ts.attackPoints(), ts.marginPoints());
        List<TrainingMethods.Outcome> methods = TrainingMethods.run(ts, out);
        List<DemoRuns.Run> methodRuns = new ArrayList<>();
        for (TrainingMethods.Outcome o : methods) {
            methodRuns.add(runs.add("autoattack-" + o.method().id(), "AutoAttack on the " + o.method().title() + " model", o.autoattack()));
            methodRuns.add(runs.add("margins-" + o.method().id(), "effective margins of the " + o.method().title() + " model", o.margins()));
        }
        Path marginsPng = c.outDir().resolve("margins.png");
        TrainingMethods.writeMarginFigure(marginsPng, methods);
        s.done("wrote " + marginsPng);

        // 7. report
        s = new Step(out, 7, steps, "report");
        double secs = (System.nanoTime() - t0) / 1e9;
        Commands cmds = new Commands(cleanRuns, sweepRun, rowRuns, groupRuns, minimalRun, runs.all(), methodRuns);
        HtmlReport h = report(c, b, cnn, mlp, cleanCnn, cleanMlp, evalSub.size(), attackSub.size(), rows, linf, l2r, minimal, craft, onSource, onMlp, back.size(), secs, cmds,
                ts, methods);
        Path index = c.outDir().resolve("index.html");
        h.write(index);
        Path results = c.outDir().resolve("results.json");
        ObjectNode resultsDoc = resultsJson(c, b, cnn, mlp, runs, secs);
        resultsDoc.set("training", TrainingMethods.trainingJson(methods));
        ResultJson.write(results, resultsDoc);
        s.done("wrote " + index + " and " + results);
        out.printf(Locale.ROOT, "%ndone in %s; open %s%n", clock(secs), index.toAbsolutePath());
        return new Summary(index, cleanCnn, rows, linf, secs);
    }

    /** A trained (or reloaded) model. */
    /**
     * A trained (or reused) model, as the command lines see it: read back from its file, so the demo evaluates
     * exactly what {@code brink eval|attack|sweep FILE} evaluates.
     */
    private record Model(String name, SpecModel model, Path file, boolean reused, double seconds, LoadedModel loaded) {
        Model(String name, Path file, boolean reused, double seconds) throws IOException {
            this(name, file, reused, seconds, LoadedModel.load(file, null));
        }

        private Model(String name, Path file, boolean reused, double seconds, LoadedModel loaded) {
            this(name, loaded.model(), file, reused, seconds, loaded);
        }
    }

    private static Model model(Config c, PrintWriter out, String zoo, double width, Dataset train, String tag, Budget b) throws IOException {
        String name = zoo + "-w" + EpsRange.format(width);
        Path file = c.modelDir().resolve("demo-" + name + tag + "-n" + train.size() + "-e" + b.epochs() + "-lr" + EpsRange.format(b.lr()) + "-s" + c.seed() + ".safetensors");
        if (!c.retrain() && Files.isRegularFile(file)) {
            try {
                Model reused = new Model(name, file, true, 0); // read as 'brink eval|attack FILE' reads it: every name, shape, dtype checked
                out.printf(Locale.ROOT, "      %s: reusing %s (trained by an earlier run; --retrain trains again)%n", name, file);
                return reused;
            } catch (IOException | RuntimeException e) {
                out.printf(Locale.ROOT, "      %s: cannot reuse %s (%s); training again%n", name, file, e.getMessage());
            }
        }
        long t0 = System.nanoTime();
        Zoo.Options opt = Zoo.Options.DEFAULT.withWidth(width).withInput(train.sampleShape()).withClasses(train.numClasses());
        SpecModel m = Zoo.build(zoo, opt, new Generator(c.seed()));
        out.printf(Locale.ROOT, "      %s: %,d parameters; training %d epoch%s on %,d images (Adam, lr %s, batch 64)%n", name, m.parameterCount(), b.epochs(),
                b.epochs() == 1 ? "" : "s", train.size(), EpsRange.format(b.lr()));
        out.flush();
        ModelInfo info = new ModelInfo(m.specJson(), zoo).withExtra("brink.data", c.quick() ? "synthetic" : "mnist[0:" + train.size() + "]")
                .withExtra("brink.seed", Long.toString(c.seed())).withExtra("brink.epochs", Integer.toString(b.epochs())).withExtra("brink.width", EpsRange.format(width));
        Trainer t = new Trainer(m, info, new Adam(m.trainableParameters(), b.lr(), 0.9, 0.999, 1e-8, 0, false), Schedule.constant(b.lr()),
                Objective.crossEntropy(0), new Trainer.Config(b.epochs(), 64, c.seed(), 500));
        t.fit(train, null, null, new Trainer.Listener() {
            ProgressBar bar;

            @Override
            public void epochStart(int epoch, int epochs, int batches, int samples) {
                bar = new ProgressBar(System.err, "      training " + name + (epochs > 1 ? " epoch " + (epoch + 1) + "/" + epochs : ""), batches);
            }

            @Override
            public void batchEnd(int epoch, int batch, int samplesDone, double meanLoss, double accuracy) {
                bar.update(batch, samplesDone, Double.isNaN(accuracy) ? String.format(Locale.ROOT, "loss %.3f", meanLoss)
                        : String.format(Locale.ROOT, "loss %.3f acc %.3f", meanLoss, accuracy));
            }
        });
        Files.createDirectories(file.toAbsolutePath().getParent());
        ModelFile.save(file, m.stateDict(), t.info());
        double secs = (System.nanoTime() - t0) / 1e9;
        out.printf(Locale.ROOT, "      %s: trained in %s (%.0f images/s), saved %s%n", name, clock(secs), train.size() / secs, file);
        return new Model(name, file, false, secs);
    }

    private static void addSweep(List<Sweep.SweepAttack> list, List<String> specs, Set<String> known, String spec, Norm norm) {
        AttackSpec s = AttackSpec.parse(spec);
        if (!known.contains(s.name())) return;
        Attack a = AttackFactory.create(s);
        if (a.supportedNorms().contains(norm)) {
            list.add(new Sweep.SweepAttack(s.label(), a, norm));
            specs.add(spec);
        }
    }

    private static void addEntry(List<RobustEvaluation.Entry> list, Map<String, String> specOf, Set<String> known, String spec, Norm norm, double eps) {
        AttackSpec s = AttackSpec.parse(spec);
        if (!known.contains(s.name())) return;
        Attack a;
        try {
            a = AttackFactory.create(s);
        } catch (IllegalArgumentException e) {
            return; // an option this version of the attack does not take
        }
        if (a.supportedNorms().contains(norm)) {
            list.add(new RobustEvaluation.Entry(s.label(), a, ThreatModel.of(norm, eps)));
            specOf.put(s.label(), spec);
        }
    }

    /** The attack options of a command line: each spec, the seed and the batch size (as AttackOptions.args writes them). */
    private static List<String> attackArgs(List<String> specs, long seed, int batchSize) {
        List<String> a = new ArrayList<>();
        for (String sp : specs) a.addAll(List.of("--attack", sp));
        a.addAll(List.of("--seed", Long.toString(seed), "--batch-size", Integer.toString(batchSize)));
        return a;
    }

    /** {@link ResultJson#attack} of the attacks {@code labels} of an evaluation. */
    private static ArrayNode attackJson(List<String> labels, Map<String, String> specOf, RobustEvaluation.Result r) {
        ArrayNode a = ResultJson.MAPPER.createArrayNode();
        for (String l : labels) {
            RobustEvaluation.AttackStats st = r.stats(l);
            a.add(ResultJson.attack(l, AttackSpec.parse(specOf.get(l)), st.threat().norm(), st.threat().eps()));
        }
        return a;
    }

    @SafeVarargs
    private static List<String> join(List<String>... parts) {
        List<String> a = new ArrayList<>();
        for (List<String> p : parts) a.addAll(p);
        return a;
    }

    /** A number as text that parses back to the same double: the short form when it does, else the full one. */
    static String exact(double v) {
        String t = EpsRange.format(v);
        return EpsRange.parse(t).values()[0] == v ? t : Double.toString(v);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (java.util.stream.Stream<Path> w = Files.walk(root)) {
            for (Path p : w.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    /** The demo's results.json: its configuration, the models, and every run with its command line and numbers. */
    private static ObjectNode resultsJson(Config c, Budget b, Model cnn, Model mlp, DemoRuns runs, double secs) throws IOException {
        ObjectNode doc = ResultJson.document(null);
        doc.put("report", "demo");
        ObjectNode cfg = doc.putObject("config");
        cfg.put("quick", c.quick());
        cfg.put("data", c.quick() ? "synthetic" : "mnist");
        cfg.put("seed", c.seed());
        cfg.put("train_samples", b.trainSamples());
        cfg.put("epochs", b.epochs());
        cfg.put("lr", b.lr());
        cfg.put("eval_samples", b.evalSamples());
        cfg.put("attack_samples", b.sweepSamples());
        cfg.put("batch_size", b.batchSize());
        ArrayNode models = cfg.putArray("models");
        for (Model m : List.of(cnn, mlp)) {
            ObjectNode mj = ResultJson.model(m.file, m.name);
            mj.put("reused", m.reused);
            models.add(mj);
        }
        ResultJson.runtime(cfg, cnn.model.stateDict());
        doc.set("runs", runs.json());
        doc.putObject("timings").put("seconds", secs);
        return doc;
    }

    /** The runs the report shows beside its numbers. */
    private record Commands(List<DemoRuns.Run> clean, DemoRuns.Run sweep, Map<String, DemoRuns.Run> rows, List<DemoRuns.Run> groups,
                            DemoRuns.Run minimal, List<DemoRuns.Run> all, List<DemoRuns.Run> methods) {}

    private static String labels(List<Sweep.SweepAttack> l) {
        return String.join(", ", l.stream().map(Sweep.SweepAttack::label).toList());
    }

    private static Dataset first(Dataset d, int n) {
        if (n >= d.size()) return d;
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        return d.subset(idx);
    }

    private static RobustEvaluation.Progress bar(String label) {
        return RobustEvaluation.Progress.bar(System.err, label);
    }

    private static void printTable(PrintWriter out, RobustEvaluation.Result r) {
        for (RobustEvaluation.AttackStats st : r.attacks())
            out.printf(Locale.ROOT, "      %-16s accuracy %.3f  success %.3f  mean l2 %s  linf %s  %,7d calls  %5.1f s%n", st.label(), st.accuracy(),
                    st.successRate(), f(st.meanNorm(Norm.L2)), f(st.meanNorm(Norm.LINF)), st.modelCalls(), st.seconds());
        out.printf(Locale.ROOT, "      %-16s accuracy %.3f  (clean %.3f)%n", "worst case", r.robustAccuracy(), r.cleanAccuracy());
    }

    private static String f(double v) {
        return Double.isNaN(v) ? "  -   " : String.format(Locale.ROOT, "%.3f", v);
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 60 ? String.format(Locale.ROOT, "%d:%02d min", s / 60, s % 60) : String.format(Locale.ROOT, "%.1f s", seconds);
    }

    private static HtmlReport report(Config c, Budget b, Model cnn, Model mlp, double cleanCnn, double cleanMlp, int evalN, int attackN,
                                     List<Sweep.Row> rows, RobustEvaluation.Result linf, RobustEvaluation.Result l2r, RobustEvaluation.Result minimal,
                                     RobustEvaluation.Entry craft,
                                     TransferSet.Outcome onSource, TransferSet.Outcome onMlp, int setSize, double secs, Commands cmds,
                                     TrainingMethods.Settings ts, List<TrainingMethods.Outcome> methods) {
        String esc = HtmlReport.esc(c.outDir().toString());
        HtmlReport h = new HtmlReport("Brink robustness demo" + (c.quick() ? " (quick mode, synthetic data)" : ""));
        h.paragraph(String.format(Locale.ROOT, "%s (%,d parameters; %s) trained for %s on %,d %s images: clean accuracy %.4f on %,d test images. "
                        + "Attacks run on the first %,d test images, in pixel space [0, 1], seed %d. Took %s on %d cores (%s backend).",
                cnn.name, cnn.model.parameterCount(), cnn.reused ? "reused from " + cnn.file : "saved to " + cnn.file,
                b.epochs() == 1 ? "one epoch" : b.epochs() + " epochs", b.trainSamples(),
                c.quick() ? "synthetic" : "MNIST", cleanCnn, evalN, attackN, c.seed(), clock(secs), Runtime.getRuntime().availableProcessors(),
                dev.brink.engine.backend.Backends.defaultBackend().name()));
        h.paragraph("Every number below is shown with the brink command line that gives it again (brink " + BuildInfo.version() + ", commit "
                + BuildInfo.commit() + (BuildInfo.dirty().equals("true") ? " with local changes" : "") + "; add --json for the numbers as JSON). "
                + "results.json holds each command with its numbers, the resolved attack parameters and the model files' SHA-256.");
        h.pre(DemoRuns.text(cmds.clean()));
        methodsSection(h, c, ts, methods, cmds.methods());
        h.heading("Accuracy versus epsilon");
        h.paragraph("Each attack at each epsilon of the range, then on past it until accuracy reaches zero (Galloway et al. argue for sweeping "
                + "the full range: an attack that stalls above zero hints at gradient masking or a weak attack). The dashed line is the worst "
                + "case per sample over the attacks. Data: sweep.csv.");
        h.figure("sweep.png", "Accuracy of " + cnn.name + " under L-inf attacks versus epsilon.");
        h.pre(DemoRuns.text(List.of(cmds.sweep())));
        h.heading("Robust accuracy at a fixed budget");
        h.paragraph(String.format(Locale.ROOT, "Clean accuracy on these %d images: %.4f. A sample counts as robust only if it is classified correctly and "
                + "every attack of the group fails on it (worst case). Success rate: over the correctly classified samples; mean norms: over the "
                + "successful ones.", attackN, linf.cleanAccuracy()));
        List<List<String>> t = new ArrayList<>(table(linf));
        t.add(List.of("worst case (linf)", "linf", EpsRange.format(b.tableEps()), String.format(Locale.ROOT, "%.4f", linf.robustAccuracy()), "", "", "", "", ""));
        if (l2r != null) {
            t.addAll(table(l2r));
            t.add(List.of("worst case (l2)", "l2", EpsRange.format(b.l2Eps()), String.format(Locale.ROOT, "%.4f", l2r.robustAccuracy()), "", "", "", "", ""));
        }
        h.table(List.of("attack", "norm", "eps", "robust accuracy", "success rate", "mean l2", "mean linf", "model calls", "seconds"), t);
        List<DemoRuns.Run> tableRuns = new ArrayList<>(cmds.rows().values());
        tableRuns.addAll(cmds.groups());
        h.paragraph("Each row's command runs that attack alone (an attack's numbers do not depend on the attacks run beside it); "
                + "the worst case needs the whole group in one command.");
        h.pre(DemoRuns.text(tableRuns));
        if (minimal != null) {
            RobustEvaluation.AttackStats st = minimal.attacks().get(0);
            h.paragraph(String.format(Locale.ROOT, "Smallest perturbation found: DeepFool (L2, unbounded, at most %d steps) on the first %d images fools the model on "
                            + "%.0f%% of the correctly classified ones with a mean L2 norm of %s (mean L-inf %s); compare the L2 budget %s above.",
                    b.deepfoolSteps(), minimal.samples(), 100 * st.successRate(), f4(st.meanNorm(Norm.L2)), f4(st.meanNorm(Norm.LINF)), EpsRange.format(b.l2Eps())));
            if (cmds.minimal() != null) h.pre(DemoRuns.text(List.of(cmds.minimal())));
        }
        h.heading("Adversarial examples");
        h.figure("grid.png", "Originals (true class), then for each L-inf attack the perturbation (amplified, gray = unchanged) and the adversarial "
                + "input with the model's prediction (red: wrong).");
        h.heading("Transfer (Shaham et al.)");
        h.paragraph(String.format(Locale.ROOT, "%d %s examples crafted on %s (linf eps %s) from the images it classifies correctly, saved as a transfer set "
                        + "(%s) and evaluated on %s, an MLP trained on the same images (clean accuracy %.4f).", setSize, craft.label(), cnn.name,
                EpsRange.format(craft.threat().eps()), "transfer-" + craft.label() + ".safetensors", mlp.name, cleanMlp));
        h.table(List.of("evaluated on", "samples", "clean accuracy", "adversarial accuracy", "transfer rate"), List.of(
                List.of(cnn.name + " (white box)", Integer.toString(onSource.samples()), f4(onSource.cleanAccuracy()), f4(onSource.adversarialAccuracy()), f4(onSource.transferRate())),
                List.of(mlp.name + " (black box)", Integer.toString(onMlp.samples()), f4(onMlp.cleanAccuracy()), f4(onMlp.adversarialAccuracy()), f4(onMlp.transferRate()))));
        DemoRuns.Run transferRun = cmds.rows().get(craft.label());
        if (transferRun != null) {
            h.paragraph("The same transfer from the command line (--transfer-to the source model itself gives the white-box row):");
            h.pre(DemoRuns.text(List.of(transferRun)));
        }
        h.heading("Sweep data");
        h.pre(SweepCsv.format(rows));
        h.heading("The same from the command line");
        h.paragraph("Every command of this report, each with the numbers it reproduces (results.json has them as \"runs\"):");
        h.pre(DemoRuns.text(cmds.all()));
        h.html("<p class=\"meta\">Files: <a href=\"results.json\">results.json</a>, <a href=\"sweep.csv\">sweep.csv</a>, <a href=\"sweep.png\">sweep.png</a>, <a href=\"grid.png\">grid.png</a> in " + esc + "</p>");
        return h;
    }

    /** Standard vs adversarial vs EMR training: the table, the margin histogram and the commands. */
    private static void methodsSection(HtmlReport h, Config c, TrainingMethods.Settings ts, List<TrainingMethods.Outcome> methods, List<DemoRuns.Run> runs) {
        h.heading("Standard, adversarial and EMR training under AutoAttack");
        h.paragraph(String.format(Locale.ROOT, "The same MLP (mlp-4x1024 at width %s) trained three ways on the same %,d %s images for %d epochs (Adam, lr 0.001, "
                        + "batch %d, seed %d): plain cross-entropy; Madry et al.'s adversarial training on PGD examples (%s); Liu and Chan's effective "
                        + "margin regularization (EMR, lambda 0.1, exact). Each is evaluated with AutoAttack (Croce and Hein's standard version: "
                        + "APGD-CE, APGD-T, FAB-T, Square) at L-inf eps %s on the first %d test images, and by its effective margins (Liu and Chan: the "
                        + "distance to the decision boundary of the logits' linearization, in L2 pixel units) on the correctly classified among the "
                        + "first %,d. A larger effective margin should go with higher robust accuracy; adversarial training buys it with robust "
                        + "examples, EMR with a penalty on the weights' effective norm, at no attack cost per step.",
                EpsRange.format(ts.width()), ts.trainSamples(), c.quick() ? "synthetic" : "MNIST", ts.epochs(), ts.batchSize(), ts.seed(), ts.trainAttack(),
                ts.eps(), ts.attackPoints(), ts.marginPoints()));
        h.table(List.of("training", "clean accuracy", "AutoAttack robust accuracy", "mean effective margin ± std", "training time"), TrainingMethods.table(methods));
        h.figure("margins.png", "Effective margins of the correctly classified test points of each model (dashed lines: each model's mean, in its colour).");
        List<String[]> train = new ArrayList<>();
        for (TrainingMethods.Outcome o : methods) train.add(new String[] {o.method().title(), dev.brink.app.results.CommandLines.brink(o.trainArgs())});
        h.paragraph("The models, as trained (same seed, same file: results.json gives each file's SHA-256):");
        h.pre(DemoRuns.titled(train));
        h.paragraph("The numbers of the table (the AutoAttack and margins outputs are in autoattack-*/ and margins-*/):");
        h.pre(DemoRuns.text(runs));
    }

    private static List<List<String>> table(RobustEvaluation.Result r) {
        List<List<String>> rows = new ArrayList<>();
        for (RobustEvaluation.AttackStats s : r.attacks())
            rows.add(List.of(s.label(), s.threat().norm().label(), EpsRange.format(s.threat().eps()), f4(s.accuracy()), f4(s.successRate()),
                    f4(s.meanNorm(Norm.L2)), f4(s.meanNorm(Norm.LINF)), String.format(Locale.ROOT, "%,d", s.modelCalls()), String.format(Locale.ROOT, "%.1f", s.seconds())));
        return rows;
    }

    static String f4(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }

    /** Prints "[k/n] name ..." and, when done, the time it took. */
    private static final class Step {
        private final PrintWriter out;
        private final long t0 = System.nanoTime();
        private final String head;

        Step(PrintWriter out, int k, int n, String name) {
            this.out = out;
            this.head = String.format(Locale.ROOT, "[%d/%d] %s", k, n, name);
            out.println(head);
            out.flush();
        }

        void done(String what) {
            out.printf(Locale.ROOT, "      %s (%s)%n", what, clock((System.nanoTime() - t0) / 1e9));
            out.flush();
        }
    }
}

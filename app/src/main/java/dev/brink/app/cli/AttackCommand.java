package dev.brink.app.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brink.app.results.BuildInfo;
import dev.brink.app.results.CommandLines;
import dev.brink.app.results.ResultJson;
import dev.brink.nn.data.Dataset;
import dev.brink.nn.io.OutputPaths;
import dev.brink.robust.attack.Attacks;
import dev.brink.robust.attack.Classifier;
import dev.brink.robust.attack.Norm;
import dev.brink.robust.attack.ThreatModel;
import dev.brink.robust.eval.AttackPlan;
import dev.brink.robust.eval.EpsRange;
import dev.brink.robust.eval.RobustEvaluation;
import dev.brink.robust.eval.TargetSpec;
import dev.brink.robust.eval.TransferSet;
import dev.brink.robust.report.HtmlReport;
import dev.brink.robust.report.ImageGrid;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code brink attack}: attacks a model on a data set; robust accuracy, success rate, norms; saves the examples. */
@Command(name = "attack", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Attack a model on a data set (or a slice of it): clean and robust accuracy, success rate, mean perturbation norms and model calls.",
                "Saves the adversarial examples (a transfer set: x_adv, x, y of the correctly classified samples) as safetensors, a PNG grid of originals, perturbations and adversarials, and an HTML summary.",
                "With several --attack, robust accuracy is the worst case per sample over all of them.",
                "",
                "Attack specs: NAME[:KEY=VALUE,...], e.g. fgsm, pgd:steps=40,step=0.01, pgd:norm=l2,steps=20. Keys norm, eps and label are the evaluation's "
                        + "(norm and eps override --norm and --eps for that attack; label names it in the output); the others are the attack's options (listed below).",
                ""})
public final class AttackCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "Brink model file (.safetensors), or plain weights with --spec.")
    Path modelFile;

    @Option(names = "--spec", paramLabel = "FILE", description = "Spec JSON describing MODEL when it holds plain weights (e.g. exported from PyTorch).")
    Path specFile;

    @Mixin
    DataOptions data;

    @Mixin
    ModelLoadOptions loadOptions;

    @Option(names = "--split", defaultValue = "test", description = "test or train (default: ${DEFAULT-VALUE}).")
    String split;

    @Mixin
    AttackOptions attackOptions;

    @Option(names = "--eps", paramLabel = "E", description = "Perturbation budget in the attack's norm (a number or a fraction like 8/255); an eps= in a spec overrides it.")
    String eps;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "reports/attack", description = "Output directory (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--grid", paramLabel = "N", defaultValue = "10", description = "Samples in the PNG grid (default: ${DEFAULT-VALUE}; 0: no grid).")
    int grid;

    @Option(names = "--no-save", description = "Do not save the adversarial examples.")
    boolean noSave;

    @Option(names = "--transfer-to", paramLabel = "MODEL", description = "Also evaluate the adversarial examples on these model files (black-box transfer); repeatable.")
    List<Path> transferTo = new ArrayList<>();

    @Option(names = "--attack-misclassified", description = "Also attack the samples the model misclassifies (needs --target; success rates then count "
            + "every (sample, target) pair, as Galloway et al.'s JSMA table does; accuracies do not change).")
    boolean attackMisclassified;

    @Mixin
    JsonOption json;

    CommandSpec spec;

    @Spec
    void spec(CommandSpec s) {
        this.spec = s;
        s.usageMessage().footer(AttackOptions.footer());
    }

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        PrintWriter o = json.human(spec);
        if (!split.equals("test") && !split.equals("train")) throw new IllegalArgumentException("--split must be test or train, got " + split);
        if (grid < 0) throw new IllegalArgumentException("--grid must be >= 0, got " + grid);
        List<AttackPlan.Planned> plan = attackOptions.plan();
        Double commonEps = eps == null ? null : EpsRange.parse(eps).values()[0];
        if (eps != null && EpsRange.parse(eps).values().length != 1) throw new IllegalArgumentException("--eps takes one value here (sweeps: brink sweep)");
        List<RobustEvaluation.Entry> entries = new ArrayList<>();
        for (AttackPlan.Planned p : plan) {
            Double e = p.spec().eps() != null ? p.spec().eps() : commonEps;
            if (e == null) throw new IllegalArgumentException("give --eps (or eps= in the spec of " + p.label() + ")");
            entries.add(new RobustEvaluation.Entry(p.label(), p.attack(), ThreatModel.of(p.norm(), e)));
        }
        TargetSpec target = attackOptions.target();
        if (attackMisclassified && !target.targeted())
            throw new IllegalArgumentException("--attack-misclassified needs --target: an untargeted attack succeeds on a misclassified sample without changing it");
        List<String> outFiles = new ArrayList<>(List.of("results.json", "index.html", "grid.png"));
        if (!noSave)
            for (AttackPlan.Planned p : plan)
                outFiles.add(plan.size() == 1 ? "adversarial.safetensors" : "adversarial-" + p.spec().fileStem() + ".safetensors");
        OutputPaths.checkDirectory("--out", out, true, outFiles.toArray(String[]::new));
        json.checkOutput();
        List<LoadedModel> others = new ArrayList<>();
        for (Path t : transferTo) others.add(loadOptions.load(t, null, spec));

        LoadedModel m = loadOptions.load(modelFile, specFile, spec);
        Dataset d = data.load(split.equals("train"));
        dev.brink.nn.train.ClassCheck.check("model " + modelFile, m.model().outputShape(), d);
        for (int k = 0; k < others.size(); k++)
            dev.brink.nn.train.ClassCheck.check("model " + transferTo.get(k), others.get(k).model().outputShape(), d);
        String modelName = modelName(m);
        o.printf(Locale.ROOT, "model %s (%s, %,d parameters)%n", modelFile, modelName, m.model().parameterCount());
        o.printf(Locale.ROOT, "data %s %s: %d samples of shape %s%n", data.data, split, d.size(), java.util.Arrays.toString(d.sampleShape()));
        for (RobustEvaluation.Entry e : entries)
            o.printf(Locale.ROOT, "attack %s: %s eps %s, %s, seed %d%n", e.label(), e.threat().norm().label(), EpsRange.format(e.threat().eps()), target, attackOptions.seed);
        o.flush();

        Classifier c = Classifier.of(m.model(), "model " + modelFile);
        RobustEvaluation.Config cfg = new RobustEvaluation.Config(attackOptions.batchSize, attackOptions.seed, target, grid, !noSave || !others.isEmpty(),
                attackMisclassified);
        RobustEvaluation.Result r = RobustEvaluation.evaluate(c, d, entries, cfg, RobustEvaluation.Progress.bar(System.err, "attacking"));

        o.println();
        printResult(o, r, entries.size() > 1);
        o.flush();

        List<String> written = new ArrayList<>();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("source_model", modelName);
        meta.put("source_file", modelFile.toString());
        meta.put("data", data.data + ":" + split);
        meta.put("seed", Long.toString(attackOptions.seed));
        meta.put("target", target.toString());
        if (attackMisclassified) meta.put("attack_misclassified", "true");
        List<String[]> transferLines = new ArrayList<>();
        ArrayNode transfers = ResultJson.MAPPER.createArrayNode();
        for (int i = 0; i < r.adversarial().size(); i++) {
            RobustEvaluation.Adversarial a = r.adversarial().get(i);
            Map<String, String> mm = new LinkedHashMap<>(meta);
            mm.put("attack", plan.get(i).spec().text());
            TransferSet set = TransferSet.of(a, mm);
            if (!noSave) {
                Path f = out.resolve(entries.size() == 1 ? "adversarial.safetensors" : "adversarial-" + plan.get(i).spec().fileStem() + ".safetensors");
                set.save(f);
                written.add(f.toString());
            }
            for (int k = 0; k < others.size(); k++) {
                TransferSet.Outcome t = set.evaluate(Classifier.of(others.get(k).model(), "model " + transferTo.get(k)), attackOptions.batchSize);
                o.printf(Locale.ROOT, "transfer %s -> %s: %s%n", a.label(), transferTo.get(k), t);
                transferLines.add(new String[] {a.label(), transferTo.get(k).toString(), Integer.toString(t.samples()), f4(t.cleanAccuracy()), f4(t.adversarialAccuracy()), f4(t.transferRate()),
                        Integer.toString(t.successful()), f4(t.successfulAccuracy())});
                transfers.add(ResultJson.transfer(a.label(), transferTo.get(k), t));
            }
        }
        if (grid > 0 && !r.examples().isEmpty() && r.examples().get(0).size() > 0) {
            Path g = out.resolve("grid.png");
            ImageGrid.write(g, r.examples(), d.classes(), grid);
            written.add(g.toString());
        }
        ArrayNode attacksJson = ResultJson.MAPPER.createArrayNode();
        for (int i = 0; i < plan.size(); i++)
            attacksJson.add(ResultJson.attack(plan.get(i).label(), plan.get(i).spec(), plan.get(i).norm(), entries.get(i).threat().eps()));
        List<String> args = args();
        ObjectNode doc = document(args, m, d, attacksJson, commonEps, attackOptions.seed, attackOptions.batchSize, target, others, r, null, transfers,
                (System.nanoTime() - t0) / 1e9);
        ((ObjectNode) doc.get("config")).put("attack_misclassified", attackMisclassified);
        Path results = out.resolve("results.json");
        ResultJson.write(results, doc);
        written.add(results.toString());
        Path html = out.resolve("index.html");
        report(r, modelName, d, target, transferLines, grid > 0 && !r.examples().isEmpty() && r.examples().get(0).size() > 0, args, attacksJson).write(html);
        written.add(html.toString());
        String jf = json.emit(spec, doc);
        if (jf != null) written.add(jf);
        o.println("wrote " + String.join(", ", written));
        o.flush();
        return 0;
    }

    /** The arguments of a command line that gives the same numbers (output options left out). */
    List<String> args() {
        List<String> a = new ArrayList<>(List.of("attack", modelFile.toString()));
        if (specFile != null) a.addAll(List.of("--spec", specFile.toString()));
        a.addAll(data.args());
        a.addAll(List.of("--split", split));
        a.addAll(attackOptions.args());
        if (eps != null) a.addAll(List.of("--eps", eps));
        for (Path t : transferTo) a.addAll(List.of("--transfer-to", t.toString()));
        if (attackMisclassified) a.add("--attack-misclassified");
        return a;
    }

    /**
     * The --json document (and results.json) of an attack run; the demo builds the same document for each run it
     * reports.
     *
     * @param attacks   {@link ResultJson#attack} of each attack
     * @param labels    the attacks of {@code r} to report (null: all)
     * @param transfers {@link ResultJson#transfer} of each transfer evaluation
     */
    public static ObjectNode document(List<String> args, LoadedModel m, Dataset d, ArrayNode attacks, Double eps, long seed, int batchSize,
                                      TargetSpec target, List<LoadedModel> transferTo, RobustEvaluation.Result r, List<String> labels,
                                      ArrayNode transfers, double seconds) throws java.io.IOException {
        ObjectNode doc = ResultJson.document(args);
        ObjectNode cfg = doc.putObject("config");
        cfg.set("model", ResultJson.model(m.source(), modelName(m)));
        cfg.set("data", DataOptions.json(args, d));
        cfg.set("attacks", attacks);
        if (eps != null) cfg.put("eps", eps);
        else cfg.putNull("eps");
        cfg.put("seed", seed);
        cfg.put("batch_size", batchSize);
        cfg.put("target", target.toString());
        ArrayNode tt = cfg.putArray("transfer_to");
        for (LoadedModel t : transferTo) tt.add(ResultJson.model(t.source(), modelName(t)));
        ResultJson.runtime(cfg, m.model().stateDict());
        ObjectNode res = ResultJson.evaluation(r, labels);
        res.set("transfer", transfers);
        doc.set("results", res);
        doc.putObject("timings").put("seconds", seconds);
        return doc;
    }

    static String modelName(LoadedModel m) {
        String n = m.info().model();
        return n == null || n.isEmpty() ? m.source().getFileName().toString().replaceFirst("\\.safetensors$", "") : n;
    }

    /** The summary lines of an evaluation. */
    static void printResult(PrintWriter o, RobustEvaluation.Result r, boolean worstCase) {
        o.printf(Locale.ROOT, "clean accuracy    %.4f  (%d/%d)%n", r.cleanAccuracy(), r.cleanCorrect(), r.samples());
        for (RobustEvaluation.AttackStats s : r.attacks()) {
            String p = r.attacks().size() > 1 ? "[" + s.label() + "] " : "";
            o.printf(Locale.ROOT, "%srobust accuracy   %.4f  (%d/%d)%n", p, s.accuracy(), s.correctAfter(), s.samples());
            o.printf(Locale.ROOT, "%ssuccess rate      %.4f  (%d/%d attacked)%n", p, s.successRate(), s.successes(), s.attacked());
            o.printf(Locale.ROOT, "%smean norms        l0 %s  l1 %s  l2 %s  linf %s  (over successful samples)%n", p,
                    f4(s.meanNorm(Norm.L0)), f4(s.meanNorm(Norm.L1)), f4(s.meanNorm(Norm.L2)), f4(s.meanNorm(Norm.LINF)));
            o.printf(Locale.ROOT, "%smodel calls       %,d  (forward passes on batches, gradient passes included; %.1f iterations per attacked sample)  %.1f s%n",
                    p, s.modelCalls(), s.meanIterations(), s.seconds());
        }
        if (worstCase) o.printf(Locale.ROOT, "robust accuracy, worst case over %d attacks: %.4f  (%d/%d)%n", r.attacks().size(), r.robustAccuracy(), r.robust(), r.samples());
    }

    private HtmlReport report(RobustEvaluation.Result r, String modelName, Dataset d, TargetSpec target, List<String[]> transfer, boolean withGrid,
                              List<String> args, ArrayNode attacksJson) {
        HtmlReport h = new HtmlReport("brink attack: " + modelName);
        h.paragraph(String.format(Locale.ROOT, "Model %s on %s (%s, %d samples), %s, seed %d, batch size %d. Clean accuracy %.4f.", modelFile, data.data, split, d.size(),
                target, attackOptions.seed, attackOptions.batchSize, r.cleanAccuracy()));
        h.heading("Command");
        h.paragraph("Every number of this report comes from this command line (brink " + BuildInfo.version() + ", commit " + BuildInfo.commit()
                + (BuildInfo.dirty().equals("true") ? " with local changes" : "") + "); results.json holds them with the full configuration:");
        h.pre(CommandLines.brink(args));
        h.html("<p class=\"meta\">Machine-readable: <a href=\"results.json\">results.json</a></p>");
        h.heading("Attack parameters");
        List<List<String>> params = new ArrayList<>();
        for (com.fasterxml.jackson.databind.JsonNode a : attacksJson) {
            StringBuilder p = new StringBuilder();
            a.get("params").fields().forEachRemaining(e -> p.append(p.length() == 0 ? "" : ", ").append(e.getKey()).append('=')
                    .append(e.getValue().asText().isEmpty() ? "(derived)" : e.getValue().asText()));
            params.add(List.of(a.get("label").asText(), a.get("name").asText(), a.get("norm").asText(), a.get("eps").asText(), p.toString()));
        }
        h.table(List.of("attack", "name", "norm", "eps", "parameters"), params);
        h.heading("Robust accuracy");
        h.table(List.of("attack", "norm", "eps", "robust accuracy", "success rate", "mean l2", "mean linf", "model calls", "seconds"), rows(r));
        if (r.attacks().size() > 1) h.paragraph(String.format(Locale.ROOT, "Worst case over the %d attacks: robust accuracy %.4f.", r.attacks().size(), r.robustAccuracy()));
        if (!transfer.isEmpty()) {
            h.heading("Transfer");
            List<List<String>> rows = new ArrayList<>();
            for (String[] t : transfer) rows.add(List.of(t));
            h.table(List.of("attack", "target model", "samples", "clean accuracy", "adversarial accuracy", "transfer rate", "fooled the source",
                    "accuracy on those"), rows);
        }
        if (withGrid) {
            h.heading("Examples");
            h.figure("grid.png", "Originals, perturbations (amplified, centred at gray) and adversarial examples with predicted classes.");
        }
        return h;
    }

    /** Table rows of an evaluation (for HTML reports). */
    public static List<List<String>> rows(RobustEvaluation.Result r) {
        List<List<String>> rows = new ArrayList<>();
        for (RobustEvaluation.AttackStats s : r.attacks())
            rows.add(List.of(s.label(), s.threat().norm().label(), EpsRange.format(s.threat().eps()), f4(s.accuracy()), f4(s.successRate()),
                    f4(s.meanNorm(Norm.L2)), f4(s.meanNorm(Norm.LINF)), String.format(Locale.ROOT, "%,d", s.modelCalls()), String.format(Locale.ROOT, "%.1f", s.seconds())));
        return rows;
    }

    static String f4(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }

    /** The options {@code attack} and {@code sweep} share: attacks, their common options, target, seed, batch size. */
    public static final class AttackOptions {
        @Option(names = {"-a", "--attack"}, required = true, paramLabel = "SPEC",
                description = "Attack spec NAME[:KEY=VALUE,...] (repeatable), e.g. fgsm or pgd:steps=40,step=0.01,norm=linf.")
        List<String> attacks = new ArrayList<>();

        @Option(names = "--norm", paramLabel = "NORM", description = "Norm of the threat model: linf, l2, l1 or l0 (default: each attack's own, L-inf where supported).")
        String norm;

        @Option(names = "--steps", paramLabel = "N", description = "Iterations, for the attacks that take 'steps'.")
        String steps;

        @Option(names = "--step", paramLabel = "S", description = "Step size, for the attacks that take 'step'.")
        String step;

        @Option(names = "--restarts", paramLabel = "R", description = "Random restarts, for the attacks that take 'restarts'.")
        String restarts;

        @Option(names = "--loss", paramLabel = "LOSS", description = "ce or cw, for the attacks that take 'loss'.")
        String loss;

        @Option(names = {"-O", "--option"}, paramLabel = "KEY=VALUE", description = "Any other attack option, for the attacks that take it (repeatable).")
        List<String> extra = new ArrayList<>();

        @Option(names = "--target", paramLabel = "least-likely|CLASS", description = "Targeted attack: each sample's least-likely class, or a class index (default: untargeted).")
        String target;

        @Option(names = "--seed", defaultValue = "0", description = "Seed of the attacks' random starts and sampling (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--batch-size", defaultValue = "100", description = "Samples per batch (default: ${DEFAULT-VALUE}).")
        int batchSize;

        List<AttackPlan.Planned> plan() {
            if (batchSize < 1) throw new IllegalArgumentException("--batch-size must be >= 1, got " + batchSize);
            Map<String, String> common = AttackPlan.keyValues(extra);
            if (steps != null) common.put("steps", steps);
            if (step != null) common.put("step", step);
            if (restarts != null) common.put("restarts", restarts);
            if (loss != null) common.put("loss", loss);
            return AttackPlan.plan(attacks, norm == null ? null : Norm.parse(norm), common);
        }

        TargetSpec target() {
            return TargetSpec.parse(target);
        }

        /** These options as arguments (every one that can change a number, the defaults written out). */
        List<String> args() {
            List<String> a = new ArrayList<>();
            for (String s : attacks) a.addAll(List.of("--attack", s));
            if (norm != null) a.addAll(List.of("--norm", norm));
            if (steps != null) a.addAll(List.of("--steps", steps));
            if (step != null) a.addAll(List.of("--step", step));
            if (restarts != null) a.addAll(List.of("--restarts", restarts));
            if (loss != null) a.addAll(List.of("--loss", loss));
            for (String x : extra) a.addAll(List.of("-O", x));
            if (target != null) a.addAll(List.of("--target", target));
            a.addAll(List.of("--seed", Long.toString(seed), "--batch-size", Integer.toString(batchSize)));
            return a;
        }

        /** The registered attacks and their options, for --help (wrapped to 79 columns, so picocli keeps the layout). */
        static String footer() {
            StringBuilder b = new StringBuilder("%nAttacks (NAME: what it is; norms) and their options (KEY=DEFAULT  meaning):%n");
            for (String n : Attacks.names()) {
                var e = Attacks.entry(n);
                wrap(b, n + ": " + e.summary(), "", "    ");
                for (Attacks.Option o : e.options()) wrap(b, o.name() + "=" + o.defaultValue() + "  " + o.description(), "    ", "        ");
            }
            return b.toString().replace("%", "%%").replace("%%n", "%n");
        }

        static void wrap(StringBuilder b, String text, String first, String rest) {
            String indent = first;
            StringBuilder line = new StringBuilder(indent);
            for (String w : text.split(" ")) {
                if (line.length() > indent.length() && line.length() + 1 + w.length() > 79) {
                    b.append(line).append("%n");
                    indent = rest;
                    line = new StringBuilder(indent);
                }
                if (line.length() > indent.length()) line.append(' ');
                line.append(w);
            }
            b.append(line).append("%n");
        }
    }
}

package dev.brink.app.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brink.app.results.ResultJson;
import dev.brink.engine.Tensor;
import dev.brink.nn.data.Dataset;
import dev.brink.nn.io.OutputPaths;
import dev.brink.robust.attack.Classifier;
import dev.brink.robust.attack.Norm;
import dev.brink.robust.autoattack.AutoAttack;
import dev.brink.robust.autoattack.AutoAttackFiles;
import dev.brink.robust.autoattack.AutoAttackState;
import dev.brink.robust.autoattack.AutoAttackVersion;
import dev.brink.robust.autoattack.Component;
import dev.brink.robust.eval.EpsRange;
import dev.brink.robust.eval.RobustEvaluation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code brink autoattack}: Croce and Hein's AutoAttack ensemble, as the reference runs it, on a model and a data set. */
@Command(name = "autoattack", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"AutoAttack (Croce and Hein): APGD-CE, APGD-T, FAB-T and Square, each run only on the points the earlier ones left standing; "
                + "robust accuracy is the worst case per point over the ensemble.",
                "Prints clean accuracy, robust accuracy after each attack with its time and model calls, and the reference's sanity warnings; writes "
                        + "per-sample.csv (which attack broke each point, its perturbation norms) and adversarial.safetensors after every batch, so "
                        + "--resume continues an interrupted run with the same numbers.",
                "Versions: standard (the protocol), plus (more restarts, untargeted FAB and APGD-DLR), rand (randomized models: gradients averaged "
                        + "over 20 draws), custom (--attack, repeated).",
                ""})
public final class AutoAttackCommand implements Callable<Integer> {
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

    @Option(names = "--version", paramLabel = "V", defaultValue = "standard", description = "standard, plus, rand or custom (default: ${DEFAULT-VALUE}).")
    String version;

    @Option(names = {"-a", "--attack"}, paramLabel = "SPEC",
            description = "With --version custom, repeatable, in order: a reference name (apgd-ce, apgd-dlr, apgd-t, fab, fab-t, square, with the standard "
                    + "version's settings) or any attack spec of the registry (e.g. pgd:steps=100,restarts=5).")
    List<String> attacks = new ArrayList<>();

    @Option(names = "--norm", paramLabel = "NORM", defaultValue = "linf", description = "linf, l2 or l1 (default: ${DEFAULT-VALUE}).")
    String norm;

    @Option(names = "--eps", paramLabel = "E", required = true, description = "Radius in the norm, pixel units in [0, 1] (a number or a fraction like 8/255).")
    String eps;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the attacks' random choices (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--batch-size", defaultValue = "250", description = "Points per attack call (default: ${DEFAULT-VALUE}, the reference's).")
    int batchSize;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "reports/autoattack", description = "Output directory (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--resume", description = "Continue the run whose per-sample.csv is in --out (same model, data, points and options).")
    boolean resume;

    @Option(names = "--overwrite", description = "Replace the results of an earlier run in --out instead of refusing.")
    boolean overwrite;

    @Mixin
    JsonOption json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = json.human(spec);
        if (!split.equals("test") && !split.equals("train")) throw new IllegalArgumentException("--split must be test or train, got " + split);
        AutoAttackVersion v = AutoAttackVersion.parse(version);
        Norm nrm = Norm.parse(norm);
        double[] e = EpsRange.parse(eps).values();
        if (e.length != 1) throw new IllegalArgumentException("--eps takes one value, got " + eps);
        if (v != AutoAttackVersion.CUSTOM && !attacks.isEmpty()) throw new IllegalArgumentException("--attack needs --version custom (the " + v.label() + " version has its own list)");
        List<Component> components = v == AutoAttackVersion.CUSTOM ? AutoAttackVersion.custom(attacks) : v.components(nrm);
        AutoAttack.Config cfg = new AutoAttack.Config(nrm, e[0], seed, batchSize, v, components);
        for (Component c : components) c.attack(); // unknown attacks or options fail before any work

        OutputPaths.checkDirectory("--out", out, true, AutoAttackFiles.CSV, AutoAttackFiles.ADVERSARIAL, "results.json");
        json.checkOutput();
        LoadedModel m = loadOptions.load(modelFile, specFile, spec);
        Dataset d = data.load(split.equals("train"));
        dev.brink.nn.train.ClassCheck.check("model " + modelFile, m.model().outputShape(), d);
        Tensor x = d.x(0, d.size()), y = d.y(0, d.size());
        Map<String, String> identity = new LinkedHashMap<>();
        identity.put("model", modelFile.toString());
        identity.put("model_sha256", ResultJson.sha256(modelFile));
        identity.put("data", String.join(" ", data.args()) + " --split " + split);
        identity.put("points", Integer.toString(d.size()));
        AutoAttackFiles files = new AutoAttackFiles(out, identity, cfg, x.shape());
        AutoAttackState prior = null;
        if (resume) {
            prior = files.read(x);
        } else if (Files.exists(files.csv()) && !overwrite) {
            throw new IllegalArgumentException(files.csv() + " holds an earlier run: --resume continues it, --overwrite replaces it, or choose another --out");
        }

        o.printf(Locale.ROOT, "model %s (%,d parameters), data %s %s: %d points of shape %s%n", modelFile, m.model().parameterCount(), data.data, split, d.size(),
                Arrays.toString(d.sampleShape()));
        o.printf(Locale.ROOT, "AutoAttack %s, %s eps %s, seed %d, batch %d%n", v.label(), nrm.label(), EpsRange.format(e[0]), seed, batchSize);
        for (Component c : components) o.printf(Locale.ROOT, "  %-9s %s%n", c.name(), c.spec());
        if (prior != null) o.printf(Locale.ROOT, "resuming %s: %d of %d points already final%n", files.csv(), finished(prior, components.size()), prior.n);
        o.flush();

        Classifier c = Classifier.of(m.model(), "model " + modelFile);
        RobustEvaluation.Progress bar = RobustEvaluation.Progress.bar(System.err, "autoattack");
        AutoAttack.Listener listener = new AutoAttack.Listener() {
            @Override
            public void progress(long done, long total, String status) {
                bar.update(done, Math.max(total, 1), status);
            }

            @Override
            public void checkpoint(AutoAttackState s) throws IOException {
                files.write(s, x);
            }

            @Override
            public void log(String line) {
                System.err.println();
                System.err.println(line);
            }
        };
        long t0 = System.nanoTime();
        AutoAttack.Result r = AutoAttack.run(c, x, y, null, cfg, prior, listener);
        files.write(r.state(), x);
        double seconds = (System.nanoTime() - t0) / 1e9;

        o.println();
        o.printf(Locale.ROOT, "clean accuracy                %.4f  (%d/%d)%n", r.cleanAccuracy(), r.state().cleanCorrectCount(), r.state().n);
        for (AutoAttack.AttackStats s : r.attacks())
            o.printf(Locale.ROOT, "robust accuracy after %-8s %.4f  (broke %d of %d attacked; %.1f s, %,d model calls)%n", s.name(), s.robustAccuracyAfter(), s.broken(),
                    s.attacked(), s.seconds(), s.modelCalls());
        o.printf(Locale.ROOT, "robust accuracy               %.4f  (%d/%d)%n", r.robustAccuracy(), r.state().robustCount(), r.state().n);
        for (String w : r.warnings()) o.println("warning: " + w);
        ObjectNode doc = document(r, identity, seconds);
        Path results = out.resolve("results.json");
        ResultJson.write(results, doc);
        String jf = json.emit(spec, doc);
        o.println("wrote " + files.csv() + ", " + files.adversarialFile() + ", " + results + (jf == null ? "" : ", " + jf));
        o.flush();
        return 0;
    }

    private static int finished(AutoAttackState s, int k) {
        int c = 0;
        for (int i = 0; i < s.n; i++) if (!s.robust(i) || s.done[i] >= k) c++;
        return c;
    }

    private ObjectNode document(AutoAttack.Result r, Map<String, String> identity, double seconds) throws IOException {
        List<String> args = new ArrayList<>(List.of("autoattack", modelFile.toString()));
        if (specFile != null) args.addAll(List.of("--spec", specFile.toString()));
        args.addAll(data.args());
        args.addAll(List.of("--split", split, "--version", version, "--norm", norm, "--eps", eps, "--seed", Long.toString(seed), "--batch-size", Integer.toString(batchSize)));
        for (String a : attacks) args.addAll(List.of("--attack", a));
        ObjectNode doc = ResultJson.document(args);
        ObjectNode cfg = doc.putObject("config");
        cfg.set("model", ResultJson.model(modelFile, null));
        identity.forEach(cfg::put);
        cfg.put("version", r.config().version().label());
        cfg.put("norm", r.config().norm().label());
        cfg.put("eps", r.config().eps());
        ArrayNode comps = cfg.putArray("attacks");
        for (Component c : r.config().components()) comps.addObject().put("name", c.name()).put("spec", c.spec());
        ObjectNode res = doc.putObject("results");
        res.put("points", r.state().n);
        res.put("clean_accuracy", r.cleanAccuracy());
        res.put("robust_accuracy", r.robustAccuracy());
        ArrayNode per = res.putArray("attacks");
        for (AutoAttack.AttackStats s : r.attacks())
            per.addObject().put("name", s.name()).put("attacked", s.attacked()).put("broken", s.broken()).put("robust_accuracy_after", s.robustAccuracyAfter())
                    .put("seconds", s.seconds()).put("model_calls", s.modelCalls());
        ArrayNode w = res.putArray("warnings");
        r.warnings().forEach(w::add);
        doc.putObject("timings").put("seconds", seconds);
        return doc;
    }
}

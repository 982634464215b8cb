package dev.brink.app.cli;

import dev.brink.nn.data.Dataset;
import dev.brink.nn.train.ClassCheck;
import dev.brink.nn.train.Evaluation;
import dev.brink.robust.progress.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brink.app.results.ResultJson;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code brink eval}: clean accuracy of a model file on a data set. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Clean accuracy of a model file on a data set.")
public final class EvalCommand implements Callable<Integer> {
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

    @Option(names = "--batch-size", defaultValue = "500", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--effective-margins", description = "Also Liu and Chan's effective margins (L2 distance to the nearest boundary of the local "
            + "linear piece; negative where misclassified): mean and standard deviation over the samples (K backward passes per batch).")
    boolean margins;

    @Mixin
    JsonOption json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        PrintWriter out = json.human(spec);
        if (!split.equals("test") && !split.equals("train")) throw new IllegalArgumentException("--split must be test or train, got " + split);
        json.checkOutput();
        LoadedModel m = loadOptions.load(modelFile, specFile, spec);
        Dataset d = data.load(split.equals("train"));
        ClassCheck.check("model " + modelFile, m.model().outputShape(), d);
        ProgressBar bar = new ProgressBar(System.err, "evaluating", d.size());
        double acc = Evaluation.accuracy(m.model(), "model " + modelFile, d, batchSize, n -> bar.update(n, n, ""));
        out.printf(Locale.ROOT, "%s on %s (%s, %d samples): accuracy %.4f%n", modelFile, data.data, split, d.size(), acc);
        MarginStats ms = margins ? MarginStats.of(m.model(), d, Math.min(batchSize, 100)) : null;
        if (ms != null)
            out.printf(Locale.ROOT, "effective margin (Liu and Chan): mean %.4f, std %.4f over %d samples (%d without a finite margin skipped)%n",
                    ms.mean(), ms.std(), ms.count(), ms.skipped());
        out.flush();
        if (json.enabled()) {
            ObjectNode doc = document(args(), m, d, (int) Math.round(acc * d.size()), acc, (System.nanoTime() - t0) / 1e9);
            if (ms != null) {
                ObjectNode r = (ObjectNode) doc.get("results");
                ResultJson.num(r, "effective_margin_mean", ms.mean());
                ResultJson.num(r, "effective_margin_std", ms.std());
            }
            String f = json.emit(spec, doc);
            if (f != null) out.println("wrote " + f);
        }
        return 0;
    }

    /** The arguments of a command line that gives the same numbers. */
    List<String> args() {
        List<String> a = new ArrayList<>(List.of("eval", modelFile.toString()));
        if (specFile != null) a.addAll(List.of("--spec", specFile.toString()));
        a.addAll(data.args());
        a.addAll(List.of("--split", split, "--batch-size", Integer.toString(batchSize)));
        if (margins) a.add("--effective-margins");
        return a;
    }

    /** The --json document of an evaluation (also built by the demo for the runs it reports). */
    public static ObjectNode document(List<String> args, LoadedModel m, Dataset d, int correct, double accuracy, double seconds) throws IOException {
        ObjectNode doc = ResultJson.document(args);
        ObjectNode cfg = doc.putObject("config");
        cfg.set("model", ResultJson.model(m.source(), AttackCommand.modelName(m)));
        cfg.set("data", DataOptions.json(args, d));
        ResultJson.runtime(cfg, m.model().stateDict());
        ObjectNode r = doc.putObject("results");
        r.put("samples", d.size());
        r.put("correct", correct);
        ResultJson.num(r, "accuracy", accuracy);
        doc.putObject("timings").put("seconds", seconds);
        return doc;
    }
}

package dev.brink.app.cli;

import dev.brink.nn.data.Dataset;
import dev.brink.nn.train.Evaluation;
import dev.brink.robust.progress.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
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

    @Option(names = "--split", defaultValue = "test", description = "test or train (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--batch-size", defaultValue = "500", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (!split.equals("test") && !split.equals("train")) throw new IllegalArgumentException("--split must be test or train, got " + split);
        LoadedModel m = LoadedModel.load(modelFile, specFile);
        Dataset d = data.load(split.equals("train"));
        ProgressBar bar = new ProgressBar(System.err, "evaluating", d.size());
        double acc = Evaluation.accuracy(m.model(), d, batchSize, n -> bar.update(n, n, ""));
        out.printf(Locale.ROOT, "%s on %s (%s, %d samples): accuracy %.4f%n", modelFile, data.data, split, d.size(), acc);
        return 0;
    }
}

package dev.brink.app.cli;

import dev.brink.app.results.CommandLines;
import dev.brink.app.results.ResultJson;
import dev.brink.nn.data.Dataset;
import dev.brink.nn.io.OutputPaths;
import dev.brink.nn.train.ClassCheck;
import dev.brink.robust.analysis.Analyses;
import dev.brink.robust.analysis.Analysis;
import dev.brink.robust.analysis.AnalysisInput;
import dev.brink.robust.analysis.AnalysisOutput;
import dev.brink.robust.SpecText;
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
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code brink analyze KIND MODEL --data D}: one registered analysis of a model, CSV and PNG files out. */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = "Analyses of a trained model (effective margins, decision and loss surfaces, Jacobian/Hessian spectra, attack diagnostics, "
                + "pictures, certified bounds): CSV tables, PNG figures and summary.json in --out. --list names them with their options.")
public final class AnalyzeCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "KIND", description = "Analysis NAME[:KEY=VALUE,...] (see --list).")
    String kind;

    @Parameters(index = "1", arity = "0..1", paramLabel = "MODEL", description = "Brink model file (.safetensors), or plain weights with --spec.")
    Path modelFile;

    @Option(names = "--list", help = true, description = "List the analyses and their options, then exit.")
    boolean list;

    @Option(names = "--spec", paramLabel = "FILE", description = "Spec JSON describing MODEL when it holds plain weights.")
    Path specFile;

    @Mixin
    DataOptions data;

    @Mixin
    ModelLoadOptions loadOptions;

    @Option(names = "--split", defaultValue = "test", description = "Data analysed: test or train (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--with-train", description = "Also give the analysis the training split (margins on train and test).")
    boolean withTrain;

    @Option(names = "--training-log", paramLabel = "CSV", description = "The model's training log (brink train's CSV), for per-epoch curves.")
    Path trainingLog;

    @Option(names = "--batch-size", defaultValue = "100", description = "Largest batch passed through the model (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of every random choice (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default: reports/analyze/KIND).")
    Path out;

    @Mixin
    JsonOption json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = json.human(spec);
        if (list) {
            o.print(Analyses.help());
            o.flush();
            return 0;
        }
        if (kind == null || modelFile == null) throw new IllegalArgumentException("KIND and MODEL are required (brink analyze --list names the analyses)");
        if (!split.equals("test") && !split.equals("train")) throw new IllegalArgumentException("--split must be test or train, got " + split);
        SpecText s = SpecText.parse("analysis", kind);
        Analysis analysis = Analyses.create(s.name(), s.options());
        Path dir = out != null ? out : Path.of("reports", "analyze", s.name());
        OutputPaths.checkDirectory("--out", dir, true, "summary.json");
        json.checkOutput();
        if (trainingLog != null && !java.nio.file.Files.isRegularFile(trainingLog))
            throw new IllegalArgumentException("--training-log " + trainingLog + ": no such file");

        LoadedModel m = loadOptions.load(modelFile, specFile, spec);
        Dataset d = data.load(split.equals("train"));
        ClassCheck.check("model " + modelFile, m.model().outputShape(), d);
        Dataset train = withTrain ? data.load(true) : null;
        o.printf(Locale.ROOT, "analysis %s of %s (%,d parameters) on %s %s: %d points%n", kind, modelFile, m.model().parameterCount(), data.data, split, d.size());
        o.flush();
        m.model().eval();
        AnalysisInput in = new AnalysisInput(m.model(), modelFile.getFileName().toString(), d, train, trainingLog, batchSize, seed, System.err);
        AnalysisOutput res = new AnalysisOutput(dir, s.name(), command());
        long t0 = System.nanoTime();
        analysis.run(in, res);
        Path summary = res.finish();
        System.err.println();
        for (Map.Entry<String, Object> e : res.summary().entrySet())
            o.printf(Locale.ROOT, "%-32s %s%n", e.getKey(), e.getValue() instanceof Double v ? String.format(Locale.ROOT, "%.6g", v) : e.getValue());
        for (AnalysisOutput.Item i : res.tables()) o.printf("table  %s  %s%n", dir.resolve(i.file()), i.caption());
        for (AnalysisOutput.Item i : res.figures()) o.printf("figure %s  %s%n", dir.resolve(i.file()), i.caption());
        double seconds = (System.nanoTime() - t0) / 1e9;
        String jf = json.enabled() ? json.emit(spec, document(m, d, res, seconds)) : null; // the document hashes the model file
        o.printf(Locale.ROOT, "wrote %s%s (%.1f s)%n", summary, jf == null ? "" : ", " + jf, seconds);
        o.flush();
        return 0;
    }

    /**
     * The {@code --json} document: the command line without {@code --out} (the numbers do not depend on it), the
     * model's hash, the data, the analysis spec, and {@code results}: the summary's numbers and the written files.
     */
    private com.fasterxml.jackson.databind.node.ObjectNode document(LoadedModel m, Dataset d, AnalysisOutput res, double seconds) throws java.io.IOException {
        List<String> args = arguments(kind, modelFile, specFile, data, split, batchSize, seed, withTrain, trainingLog, null);
        com.fasterxml.jackson.databind.node.ObjectNode doc = ResultJson.document(args);
        com.fasterxml.jackson.databind.node.ObjectNode cfg = doc.putObject("config");
        cfg.set("model", ResultJson.model(modelFile, null));
        cfg.set("data", DataOptions.json(args, d));
        cfg.put("analysis", kind);
        ResultJson.runtime(cfg, m.model().stateDict());
        com.fasterxml.jackson.databind.node.ObjectNode results = doc.putObject("results");
        results.set("summary", ResultJson.MAPPER.valueToTree(res.summary()));
        com.fasterxml.jackson.databind.node.ArrayNode files = results.putArray("files");
        for (AnalysisOutput.Item i : res.tables()) files.add(i.file());
        for (AnalysisOutput.Item i : res.figures()) files.add(i.file());
        doc.putObject("timings").put("seconds", seconds);
        return doc;
    }

    /** The command line that reproduces this run. */
    private String command() {
        return CommandLines.brink(arguments(kind, modelFile, specFile, data, split, batchSize, seed, withTrain, trainingLog, out));
    }

    /**
     * The {@code brink analyze} arguments of one analysis run: what this command and the model card show as the
     * command that reproduces an analysis' numbers ({@code specFile}, {@code trainingLog} and {@code out} may be null).
     */
    static List<String> arguments(String analysisSpec, Path model, Path specFile, DataOptions data, String split, int batchSize, long seed,
                                  boolean withTrain, Path trainingLog, Path out) {
        List<String> a = new ArrayList<>(List.of("analyze", analysisSpec, model.toString()));
        if (specFile != null) a.addAll(List.of("--spec", specFile.toString()));
        a.addAll(data.args());
        a.addAll(List.of("--split", split, "--batch-size", Integer.toString(batchSize), "--seed", Long.toString(seed)));
        if (withTrain) a.add("--with-train");
        if (trainingLog != null) a.addAll(List.of("--training-log", trainingLog.toString()));
        if (out != null) a.addAll(List.of("--out", out.toString()));
        return a;
    }
}

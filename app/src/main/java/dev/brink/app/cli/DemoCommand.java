package dev.brink.app.cli;

import dev.brink.nn.data.Datasets;
import dev.brink.app.demo.EngineDemo;
import dev.brink.app.demo.RobustnessDemo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code brink demo}: the robustness demo (or, with --engine, the engine tour). */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {"The robustness demo on the embedded CPU backend: trains a small MNIST CNN and MLP (one epoch on a subset; reused from "
                + "--models on later runs), sweeps FGSM and PGD over epsilon until accuracy reaches zero, runs more attacks at one epsilon "
                + "(worst case per sample), evaluates a transfer set on the MLP, trains a small MLP three ways (standard, PGD adversarial "
                + "training, Liu and Chan's EMR) and compares them under AutoAttack and by effective margins, and writes an HTML report (plot, image grid, tables) "
                + "that shows beside every number the brink command line that gives it again, and results.json (each run: command, configuration, numbers).",
                "Needs MNIST in --data-dir ('make data'); a few minutes on two cores.",
                "--engine runs the engine tour instead (higher-order autodiff in a few seconds)."})
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--engine", description = "Run the engine tour (autodiff, HVPs, double backprop, gradient check) instead.")
    boolean engine;

    @Option(names = "--quick", description = "Tiny synthetic data set and budgets: seconds, no MNIST needed.")
    boolean quick;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "reports/demo", description = "Report directory (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--models", paramLabel = "DIR", defaultValue = "models", description = "Where the demo keeps its trained models (default: ${DEFAULT-VALUE}).")
    Path models;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where 'make data' put MNIST (default: $BRINK_DATA or ./data).")
    Path dataDir;

    @Option(names = "--retrain", description = "Train the models again even if an earlier run saved them.")
    boolean retrain;

    @Option(names = "--train", paramLabel = "N", defaultValue = "6000", description = "Training images, one epoch (default: ${DEFAULT-VALUE}).")
    int train;

    @Option(names = "--attack-samples", paramLabel = "N", defaultValue = "200", description = "Test images attacked (default: ${DEFAULT-VALUE}).")
    int attackSamples;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of training and attacks (default: ${DEFAULT-VALUE}).")
    long seed;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (engine) {
            java.io.PrintStream ps = lineStream(spec.commandLine().getOut());
            EngineDemo.run(ps);
            ps.flush();
            return 0;
        }
        if (train < 1 || attackSamples < 1) throw new IllegalArgumentException("--train and --attack-samples must be positive");
        dev.brink.nn.io.OutputPaths.checkDirectory("--out", out, true, "index.html", "results.json", "sweep.csv", "sweep.png", "grid.png", "margins.png");
        dev.brink.nn.io.OutputPaths.checkDirectory("--models", models, true);
        RobustnessDemo.Config c = new RobustnessDemo.Config(dataDir != null ? dataDir : Datasets.defaultDataDir(), models, out, quick, train,
                1000, attackSamples, retrain, seed);
        java.io.PrintWriter o = spec.commandLine().getOut();
        RobustnessDemo.run(c, o);
        o.flush();
        return 0;
    }

    /** A PrintStream that hands each line to the command's writer (so tests and callers can capture the tour). */
    static java.io.PrintStream lineStream(java.io.PrintWriter w) {
        java.io.OutputStream os = new java.io.OutputStream() {
            private final java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();

            @Override
            public void write(int b) {
                buf.write(b);
                if (b == '\n') flush();
            }

            @Override
            public void flush() {
                w.write(buf.toString(java.nio.charset.StandardCharsets.UTF_8));
                w.flush();
                buf.reset();
            }
        };
        return new java.io.PrintStream(os, true, java.nio.charset.StandardCharsets.UTF_8);
    }
}

package dev.brink.app.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import dev.brink.bench.Bench;
import dev.brink.nn.data.Dataset;
import dev.brink.bench.Harness;
import dev.brink.bench.Workloads;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code brink bench}: times the benchmark workloads ({@link Workloads}) on the selected backend (the global
 * {@code --backend}, default the CPU) and prints
 * {@code name<TAB>median_seconds} per workload ({@code sgemm_1024_gflops} in GFLOP/s).
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {"Time the benchmark workloads on the selected backend (--backend cpu|cuda|auto, default cpu). Prints one line per workload: name<TAB>median seconds "
                + "of the timed repetitions after warm-up (GFLOP/s for sgemm_1024_gflops)<TAB>peak_rss_mib=N (the process's peak resident memory so far)"
                + "<TAB>reps=S,S,... (every timed repetition, seconds); random float32 data.",
                "Workloads (all by default): madry_mnist_train_step_b128, madry_mnist_pgd40_b128, madry_mnist_pgd7_at_step_b128, "
                        + "madry_mnist_igr_double_backprop_step_b128, madry_mnist_jacreg_step_b128, madry_mnist_input_hvp_b128, "
                        + "madry_mnist_trades_step_b128, mlp4x1024_train_step_b100, mlp4x1024_emr_exact_step_b100, mlp4x1024_emr_approx_step_b100, "
                        + "galloway_cifar_cnn_train_step_b128, resnet18_cifar_train_step_b32, vgg16_cifar_train_step_b32, wrn_16_4_cifar_pgd10_b32, "
                        + "madry_mnist_apgd_ce100_b100, autoattack_standard_madry_mnist_b100, sgemm_1024_gflops.",
                "`make bench-compare` runs the same workloads in DL4J and PyTorch, interleaved, one process per workload, and prints one table.",
                "With --objective SPEC (repeatable; A+B sums objectives): seconds per training step of each objective and the ratio to cross-entropy "
                        + "(objective loss with its inner attack, weight gradient, Adam step) on --model with --batch, e.g. "
                        + "brink bench --objective pgd-at --train-attack pgd:eps=0.3,steps=40 --model madry-mnist --batch 128."})
public final class BenchCommand implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "WORKLOAD", description = "Workloads to run (default: all, in table order).")
    List<String> workloads = new ArrayList<>();

    @Option(names = "--threads", paramLabel = "N", description = "CPU threads (default: all cores, or brink.threads / BRINK_THREADS).")
    int threads;

    @Option(names = "--reps", paramLabel = "N", description = "Timed repetitions; the median is printed (default: ${DEFAULT-VALUE}).")
    int reps = Harness.Options.DEFAULT_REPS;

    @Option(names = "--warmup", paramLabel = "N", description = "Untimed warm-up repetitions, at least (default: ${DEFAULT-VALUE}).")
    int warmup = Harness.Options.DEFAULT_WARMUP;

    @Option(names = "--warmup-seconds", paramLabel = "S", description = "Warm up for at least this many seconds, then on while the JIT compiler is busy, up to " + Harness.MAX_WARMUP_FACTOR + " times as long (default: ${DEFAULT-VALUE}).")
    double warmupSeconds = Harness.Options.DEFAULT_WARMUP_SECONDS;

    @Option(names = "--smoke", description = "Tiny sizes and one repetition: checks that every workload runs, not how fast.")
    boolean smoke;

    @Option(names = "--list", description = "List the workload names and exit.")
    boolean list;

    @Option(names = "--objective", paramLabel = "SPEC", description = "Time a training step of this objective (NAME[:KEY=VALUE,...], or several joined by +) against cross-entropy; repeatable.")
    List<String> objectives = new ArrayList<>();

    @Option(names = "--train-attack", paramLabel = "SPEC", description = "With --objective: the inner attack, as brink train takes it.")
    String trainAttack;

    @Option(names = "--model", paramLabel = "NAME", defaultValue = "madry-mnist", description = "With --objective: zoo model (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "128", description = "With --objective: batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--data", paramLabel = "NAME|PATH", description = "With --objective: take the batch from this data set's training split (default: uniform random images).")
    String data;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (list) {
            Workloads.NAMES.forEach(System.out::println);
            return 0;
        }
        if (threads < 0) throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        Harness.Options o = smoke ? Harness.Options.smokeTest() : new Harness.Options(warmup, warmupSeconds, reps, false);
        if (!objectives.isEmpty()) {
            if (!workloads.isEmpty()) throw new IllegalArgumentException("--objective times objectives; give no WORKLOAD with it");
            if (threads > 0) dev.brink.bench.BenchThreads.configure(threads);
            dev.brink.robust.eval.AttackSpec ta = trainAttack == null ? null : dev.brink.robust.eval.AttackSpec.parse(trainAttack);
            if (ta != null) dev.brink.robust.train.ObjectiveSetup.threat(ta);
            Dataset d = null;
            if (data != null) {
                DataOptions opts = new DataOptions();
                opts.data = data;
                opts.sample = "first";
                opts.limit = batch;
                try {
                    d = opts.load(true);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            new ObjectiveCost(model, batch, d, ta, o).run(objectives, spec.commandLine().getOut());
            return 0;
        }
        return Bench.run(new Bench.Config(workloads, threads, o, null), System.out, System.err);
    }
}

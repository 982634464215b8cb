package dev.brink.app.cli;

import dev.brink.bench.Harness;
import dev.brink.bench.Workload;
import dev.brink.engine.Autograd;
import dev.brink.engine.DType;
import dev.brink.engine.GradOptions;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.nn.data.Batch;
import dev.brink.nn.data.DataLoader;
import dev.brink.nn.data.Dataset;
import dev.brink.nn.optim.Adam;
import dev.brink.nn.optim.Optimizer;
import dev.brink.nn.spec.SpecModel;
import dev.brink.nn.train.Objective;
import dev.brink.nn.train.TrainingContext;
import dev.brink.nn.zoo.Zoo;
import dev.brink.robust.eval.AttackSpec;
import dev.brink.robust.train.ObjectiveSetup;
import dev.brink.robust.train.Objectives;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The cost of one training step of an objective relative to cross-entropy training ({@code brink bench --objective
 * SPEC}), for the cost column of docs/objectives.md. A step is what {@code brink train} does per batch: the
 * objective's loss (its inner attack included), the gradient of the loss with respect to the weights, and an Adam
 * step, on one fixed batch of a zoo model in training mode. Each objective gets a fresh model and optimizer from the
 * same seed; the median over the timed repetitions is reported, after warm-up, as {@link Harness} does.
 */
final class ObjectiveCost {
    /** A timed objective: its spec (several summed ones joined by " + "), seconds per step (median) and the ratio to cross-entropy. */
    record Row(String objective, double secondsPerStep, double ratio) {}

    private final String model;
    private final int batch;
    private final Dataset data;
    private final AttackSpec trainAttack;
    private final Harness.Options options;

    /**
     * @param model       zoo model name (e.g. madry-mnist)
     * @param batch       batch size
     * @param data        the data set whose first batch is used, or null for uniform random images with random labels
     *                    in the model's input shape (MNIST-sized unless the model says otherwise)
     * @param trainAttack the inner attack ({@code --train-attack}), or null
     * @param options     warm-up and repetitions
     */
    ObjectiveCost(String model, int batch, Dataset data, AttackSpec trainAttack, Harness.Options options) {
        if (batch < 1) throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        Zoo.spec(model, Zoo.Options.DEFAULT);  // a misspelt model fails here
        this.model = model;
        this.batch = batch;
        this.data = data;
        this.trainAttack = trainAttack;
        this.options = options;
    }

    /**
     * Times cross-entropy and then each entry of {@code specs} (an entry is one objective spec, or several joined by
     * {@code +} to be summed), printing a line per objective to {@code out} as it finishes.
     */
    List<Row> run(List<String> specs, PrintWriter out) {
        ObjectiveSetup setup = new ObjectiveSetup(trainAttack);
        List<List<String>> parsed = new ArrayList<>();
        for (String s : specs) {
            List<String> parts = new ArrayList<>();
            for (String p : s.split("\\+")) if (!p.isBlank()) parts.add(p.trim());
            Objectives.parseAll(parts, setup);  // every spec is checked before anything is timed
            parsed.add(parts);
        }
        out.printf(Locale.ROOT, "# %s, batch %d, %s%s; median of %d steps after warm-up%n", model, batch,
                data == null ? "random data" : "first batch of " + data.name(), trainAttack == null ? "" : ", training attack " + trainAttack.text(), options.reps());
        out.printf(Locale.ROOT, "%14s %8s  %s%n", "seconds/step", "vs CE", "objective");
        List<Row> rows = new ArrayList<>();
        // the process's first timed workload runs slow (JIT, allocator and thread-pool warm-up beyond the per-workload
        // warm-up), which made every ratio too low: time cross-entropy once untimed before the measured run
        time(List.of("cross-entropy"), setup);
        double ce = time(List.of("cross-entropy"), setup);
        rows.add(print(out, new Row("cross-entropy", ce, 1.0)));
        for (List<String> parts : parsed) {
            double s = time(parts, setup);
            rows.add(print(out, new Row(String.join(" + ", parts), s, s / ce)));
        }
        return rows;
    }

    private static Row print(PrintWriter out, Row r) {
        out.printf(Locale.ROOT, "%14.5f %8.2f  %s%n", r.secondsPerStep(), r.ratio(), r.objective());
        out.flush();
        return r;
    }

    /** Median seconds of one training step with the summed objectives {@code parts}. */
    double time(List<String> parts, ObjectiveSetup setup) {
        Generator gen = new Generator(0);
        Batch b = batch(gen);
        Zoo.Options zo = Zoo.Options.DEFAULT;
        if (data != null) zo = zo.withInput(data.sampleShape()).withClasses(data.numClasses());
        SpecModel m = Zoo.build(model, zo, gen);
        m.train();
        Optimizer opt = new Adam(m.trainableParameters(), 1e-3);
        Objective objective = Objectives.parseAll(parts, setup);
        Tensor[] vars = m.trainableParameters().values().toArray(new Tensor[0]);
        long[] step = {0};
        Workload w = new Workload() {
            @Override
            public String name() {
                return String.join("+", parts);
            }

            @Override
            public Step prepare(boolean smoke) {
                return () -> {
                    TrainingContext c = new TrainingContext(0, 1, step[0]++, 1e-3, 1e-3, gen);
                    Tensor loss = objective.apply(m, b, c).loss();
                    Tensor[] g = Autograd.grad(loss, vars, GradOptions.defaults().allowUnused());
                    opt.step(g);
                    return loss.item();
                };
            }
        };
        return Harness.measure(w, options).medianSeconds();
    }

    private Batch batch(Generator gen) {
        if (data != null) {
            DataLoader loader = DataLoader.builder(data).batchSize(Math.min(batch, data.size())).shuffle(false).build();
            for (Batch b : loader.epoch(0)) return b;
            throw new IllegalArgumentException("the data set " + data.name() + " is empty");
        }
        SpecModel probe = Zoo.build(model, Zoo.Options.DEFAULT, new Generator(0));
        int[] sample = probe.inputShape();
        int[] shape = new int[sample.length + 1];
        shape[0] = batch;
        System.arraycopy(sample, 0, shape, 1, sample.length);
        int classes = probe.outputShape()[probe.outputShape().length - 1];
        Random r = new Random(0);
        int[] y = new int[batch];
        for (int i = 0; i < batch; i++) y[i] = r.nextInt(Math.max(classes, 2));
        int[] idx = new int[batch];
        for (int i = 0; i < batch; i++) idx[i] = i;
        return new Batch(Tensor.rand(gen, DType.FLOAT32, shape), Tensor.ofInts(y, batch), idx);
    }
}

package dev.brink.nn.train;

import dev.brink.engine.Autograd;
import dev.brink.engine.GradOptions;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.engine.TensorScope;
import dev.brink.nn.data.Batch;
import dev.brink.nn.data.DataLoader;
import dev.brink.nn.data.Dataset;
import dev.brink.nn.io.Checkpoint;
import dev.brink.nn.io.ModelFile;
import dev.brink.nn.io.ModelFileException;
import dev.brink.nn.io.ModelInfo;
import dev.brink.nn.io.NonFinite;
import dev.brink.nn.optim.Optimizer;
import dev.brink.nn.optim.Schedule;
import dev.brink.nn.spec.ModelSpec;
import dev.brink.nn.spec.SpecException;
import dev.brink.nn.spec.SpecPlan;
import dev.brink.nn.spec.SpecModel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Mini-batch training with exact resumption. Each epoch: set the learning rate from the schedule, iterate the
 * training set in the seeded order of that epoch, differentiate the objective, step the optimizer, then
 * evaluate and write a checkpoint (atomically) holding the weights, the optimizer state and configuration, the
 * schedule, the epoch, the step count and the random stream's position. {@link #resume} rebuilds all of it, so
 * a run stopped after epoch k and resumed produces the same numbers as one that never stopped.
 */
public final class Trainer {
    /** What a run consists of. {@code seed} drives data order and dropout; {@code evalBatchSize} only affects speed. */
    public record Config(int epochs, int batchSize, long seed, int evalBatchSize) {
        public Config {
            if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
            if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
    }

    /**
     * Per-epoch outcome. {@code testAccuracy} is NaN without a test set; {@code regularizer} is the mean of the
     * objective's regularizer over the epoch's batches, NaN where the objective reports none; {@code validation} the
     * metrics of the run's {@link Validation} (empty without one); {@code best} whether this epoch's model is the
     * best so far by validation score (and was written to the best-model file); {@code seconds} the wall time of
     * training, validation and test evaluation.
     */
    public record EpochResult(int epoch, double trainLoss, double trainAccuracy, double testAccuracy, double seconds, double regularizer,
                              Map<String, Double> validation, boolean best) {
        public EpochResult {
            validation = validation == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(validation));
        }

        public EpochResult(int epoch, double trainLoss, double trainAccuracy, double testAccuracy, double seconds, double regularizer) {
            this(epoch, trainLoss, trainAccuracy, testAccuracy, seconds, regularizer, Map.of(), false);
        }

        public EpochResult(int epoch, double trainLoss, double trainAccuracy, double testAccuracy, double seconds) {
            this(epoch, trainLoss, trainAccuracy, testAccuracy, seconds, Double.NaN);
        }
    }

    /** Checkpoint metadata: the best validation score so far and its epoch (0-based), for --resume. */
    public static final String BEST_SCORE_KEY = "brink.best.score";
    /** See {@link #BEST_SCORE_KEY}; also written into the best-model file. */
    public static final String BEST_EPOCH_KEY = "brink.best.epoch";

    /** Observes a run (the command line draws progress bars with it). */
    public interface Listener {
        default void epochStart(int epoch, int epochs, int batches, int samples) {}

        default void batchEnd(int epoch, int batch, int samplesDone, double meanLoss, double accuracy) {}

        default void evaluationStart(int epoch, int samples) {}

        default void evaluationProgress(int samplesDone) {}

        default void epochEnd(EpochResult result) {}
    }

    private final SpecModel model;
    private ModelInfo info;
    private Validation validation;
    private Path bestFile;
    private double bestScore = Double.NaN;
    private int bestEpoch = -1;
    private final Optimizer optimizer;
    private final Schedule schedule;
    private final Objective objective;
    private final Config config;
    private final Generator generator;
    private int nextEpoch;
    private long step;

    /** A new run starting at epoch 0. */
    public Trainer(SpecModel model, ModelInfo info, Optimizer optimizer, Schedule schedule, Objective objective, Config config) {
        this(model, info, optimizer, schedule, objective, config, new Generator(config.seed()), 0, 0);
    }

    private Trainer(SpecModel model, ModelInfo info, Optimizer optimizer, Schedule schedule, Objective objective, Config config,
                    Generator generator, int nextEpoch, long step) {
        this.model = model;
        this.info = info;
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.objective = objective;
        this.config = config;
        this.generator = generator;
        this.nextEpoch = nextEpoch;
        this.step = step;
        model.setGenerator(generator);
        String bs = info.extra().get(BEST_SCORE_KEY), be = info.extra().get(BEST_EPOCH_KEY);
        if (bs != null && be != null) {
            bestScore = Double.parseDouble(bs);
            bestEpoch = Integer.parseInt(be);
        }
    }

    /**
     * Validates after every epoch with {@code v} and writes the model of the best epoch so far (highest
     * {@link Validation.Result#score()}; the earliest on ties) to {@code best} atomically, its epoch under
     * {@link #BEST_EPOCH_KEY}, when {@code best} is not null. The best score and epoch travel in the checkpoint, so a
     * resumed run selects as an uninterrupted one does.
     *
     * @return this trainer
     */
    public Trainer validation(Validation v, Path best) {
        this.validation = v;
        this.bestFile = best;
        return this;
    }

    /** The 0-based epoch of the best validation score so far, -1 before any. */
    public int bestEpoch() {
        return bestEpoch;
    }

    /** The best validation score so far (NaN before any). */
    public double bestScore() {
        return bestScore;
    }

    /**
     * Continues the run saved in {@code checkpoint}: the model is rebuilt from its spec and weights, the optimizer
     * from its configuration and state, the schedule from its JSON, the random stream from its position.
     * {@code epochs} may extend the run beyond its original length.
     */
    public static Trainer resume(Path checkpoint, Objective objective, int epochs, int batchSize, int evalBatchSize) throws IOException {
        SpecPlan plan;
        try {
            plan = ModelSpec.plan(ModelFile.readInfo(checkpoint).spec());
        } catch (SpecException e) {
            throw new ModelFileException(checkpoint, "the architecture stored in the checkpoint cannot be built: " + e.getMessage(), e);
        }
        // names and shapes of the model and its optimizer state checked on the header, before anything is read
        Map<String, Tensor> expected = plan.standIns();
        Checkpoint.checkHeader(checkpoint, expected);
        try {
            plan.checkFitsHeap();  // the file does hold the weights: can the heap?
        } catch (SpecException e) {
            throw new ModelFileException(checkpoint, e.getMessage(), e);
        }
        Checkpoint c = Checkpoint.load(checkpoint, expected);
        SpecModel model = ModelSpec.build(c.info().spec(), new Generator(c.rngSeed()));
        dev.brink.nn.io.StateDicts.copyInto(model.stateDict(), c.model());
        NonFinite bad = NonFinite.find(model.stateDict());
        if (bad != null)
            throw new ModelFileException(checkpoint, "the checkpoint's model is broken: " + bad.describe() + "; training cannot continue from it");
        Optimizer opt = Optimizer.fromConfig(c.optimizerJson(), model.trainableParameters());
        try {
            opt.loadState(c.optimizer());
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(checkpoint, "optimizer state: " + e.getMessage(), e);
        }
        NonFinite badState = NonFinite.find(c.optimizer());
        if (badState != null)
            throw new ModelFileException(checkpoint, "the checkpoint's optimizer state is broken: " + badState.describe().replace("tensor '", "tensor 'optimizer."));
        Schedule schedule = Schedule.fromJson(c.scheduleJson());
        Config config = new Config(epochs, batchSize, c.rngSeed(), evalBatchSize);
        return new Trainer(model, c.info(), opt, schedule, objective, config, new Generator(c.rngSeed(), c.rngCounter()), c.epoch() + 1, c.step());
    }

    public SpecModel model() {
        return model;
    }

    public ModelInfo info() {
        return info;
    }

    /** The first epoch that {@link #fit} will run (0 for a new run). */
    public int nextEpoch() {
        return nextEpoch;
    }

    /**
     * Trains from {@link #nextEpoch()} to the configured number of epochs, writing {@code checkpoint} after each
     * epoch when it is not null; evaluates on {@code test} after each epoch when it is not null.
     */
    public EpochResult fit(Dataset train, Dataset test, Path checkpoint, Listener listener) throws IOException {
        Listener l = listener == null ? new Listener() {} : listener;
        ClassCheck.check("the model", model.outputShape(), train);  // an empty set, or labels the outputs cannot hold
        if (test != null) ClassCheck.check("the model", model.outputShape(), test);
        DataLoader loader = DataLoader.builder(train).batchSize(config.batchSize()).shuffle(true).seed(config.seed()).build();
        EpochResult last = null;
        for (int epoch = nextEpoch; epoch < config.epochs(); epoch++) {
            long t0 = System.nanoTime();
            optimizer.setLearningRate(schedule.value(epoch));
            model.train();
            l.epochStart(epoch, config.epochs(), loader.batchesPerEpoch(), loader.samplesPerEpoch());
            double lossSum = 0, regSum = 0;
            int regCount = 0;
            long correct = 0;
            int samples = 0, withLogits = 0;  // accuracy counts only the samples whose objective reported logits
            int batchIndex = 0;
            Map<String, Tensor> params = model.trainableParameters();
            Tensor[] vars = params.values().toArray(new Tensor[0]);
            try (DataLoader.BatchIterator it = loader.iterator(epoch)) {
                while (it.hasNext()) {
                    Batch b = it.next();
                    // the step's activations and gradients go back to the backend when it ends, for the next step
                    try (TensorScope stepScope = TensorScope.open()) {
                        TrainingContext context = new TrainingContext(epoch, config.epochs(), step, optimizer.learningRate(), schedule.value(0), generator);
                        Objective.Outcome out = objective.apply(model, b, context);
                        Tensor loss = out.loss();
                        Tensor[] grads = Autograd.grad(loss, vars, GradOptions.defaults().allowUnused());
                        optimizer.step(grads);
                        step++;
                        double lv = loss.item();
                        if (!Double.isFinite(lv))
                            throw new ArithmeticException("training diverged: loss is " + lv + " at epoch " + epoch + ", batch " + batchIndex
                                    + " (lower the learning rate, or run with anomaly detection to find the op)");
                        lossSum += lv * b.size();
                        samples += b.size();
                        if (out.logits() != null) {
                            correct += Objective.correct(out.logits().detach(), b.y());
                            withLogits += b.size();
                        }
                        if (out.regularizer() != null) {
                            regSum += out.regularizer().item();
                            regCount++;
                        }
                    }
                    batchIndex++;
                    l.batchEnd(epoch, batchIndex, samples, lossSum / samples, withLogits == 0 ? Double.NaN : (double) correct / withLogits);
                }
            }
            double testAcc = Double.NaN;
            if (test != null) {
                l.evaluationStart(epoch, test.size());
                testAcc = Evaluation.accuracy(model, test, config.evalBatchSize(), l::evaluationProgress);
            }
            Map<String, Double> valMetrics = Map.of();
            boolean best = false;
            if (validation != null) {
                Validation.Result vr = validation.validate(model, epoch);
                valMetrics = vr.metrics();
                if (!Double.isNaN(vr.score()) && (bestEpoch < 0 || Double.isNaN(bestScore) || vr.score() > bestScore)) {
                    best = true;
                    bestScore = vr.score();
                    bestEpoch = epoch;
                    info = info.withExtra(BEST_SCORE_KEY, Double.toString(bestScore)).withExtra(BEST_EPOCH_KEY, Integer.toString(bestEpoch));
                    if (bestFile != null) ModelFile.save(bestFile, model.stateDict(), info);
                }
            }
            last = new EpochResult(epoch, lossSum / Math.max(samples, 1), withLogits == 0 ? Double.NaN : (double) correct / withLogits, testAcc,
                    (System.nanoTime() - t0) / 1e9, regCount == 0 ? Double.NaN : regSum / regCount, valMetrics, best);
            nextEpoch = epoch + 1;
            l.epochEnd(last);  // before the checkpoint: a log the listener writes then never lacks a checkpointed epoch
            if (checkpoint != null) saveCheckpoint(checkpoint, epoch);
        }
        return last;
    }

    private void saveCheckpoint(Path file, int epoch) throws IOException {
        Checkpoint.save(file, new Checkpoint(model.stateDict(), optimizer.state(), info, epoch, step, config.seed(),
                generator.counter(), optimizer.config(), schedule.toJson()));
    }
}

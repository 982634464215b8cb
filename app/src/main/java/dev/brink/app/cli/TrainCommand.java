package dev.brink.app.cli;

import dev.brink.engine.Generator;
import dev.brink.nn.data.Dataset;
import dev.brink.nn.io.Checkpoint;
import dev.brink.nn.io.ModelFile;
import dev.brink.nn.io.ModelInfo;
import dev.brink.nn.io.OutputPaths;
import dev.brink.nn.optim.Adam;
import dev.brink.nn.optim.Optimizer;
import dev.brink.nn.optim.Schedule;
import dev.brink.nn.optim.Sgd;
import dev.brink.nn.spec.ModelSpec;
import dev.brink.nn.spec.SpecModel;
import dev.brink.nn.train.ClassCheck;
import dev.brink.nn.train.Objective;
import dev.brink.nn.train.Trainer;
import dev.brink.nn.zoo.Zoo;
import dev.brink.robust.progress.ProgressBar;
import dev.brink.robust.train.Objectives;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code brink train}: trains a zoo model or a spec file on a data set, with checkpoints and --resume. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a model (from the zoo or a spec file) on a data set with a training objective (cross-entropy, adversarial training, "
                + "gradient and Jacobian regularizers; listed below).",
                "Writes a checkpoint after every epoch (OUTPUT.ckpt), the training log (OUTPUT.log.csv, one row per epoch), with --validation "
                + "the model of the best validation epoch (OUTPUT.best.safetensors), and the model file at the end; all atomically.",
                "--resume continues an interrupted run from its checkpoint with the same numbers (objectives, attacks, validation, optimizer and data "
                + "selection come from the checkpoint; an option that conflicts with it is refused).",
                "",
                "Objective specs: NAME[:KEY=VALUE,...], e.g. trades:beta=6; several --objective are summed (losses and regularizers add).",
                ""})
public final class TrainCommand implements Callable<Integer> {
    static final class ModelChoice {
        @Option(names = "--model", paramLabel = "NAME", description = "Zoo model: logreg, mlp-4x1024, shaham-mnist, madry-mnist, yu-mnist, galloway-cifar, emr-cnn, yu-cifar, "
                + "vgg-cifar (= vgg16-cifar; also vgg11/13/19-cifar), resnet18, wrn-D-W (e.g. wrn-34-10, wrn-28-10).")
        String zoo;

        @Option(names = "--spec", paramLabel = "FILE", description = "Model spec JSON file (the architecture language in the README).")
        Path spec;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    ModelChoice choice;

    @Mixin
    DataOptions data;

    @Option(names = "--width", defaultValue = "1", description = "Width multiplier for zoo models (default: ${DEFAULT-VALUE}).")
    double width;

    @Option(names = "--epochs", defaultValue = "10", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    /** Metadata key of the run's batch size, so that --resume continues with it. */
    static final String BATCH_SIZE_KEY = "brink.train.batch-size";
    static final int DEFAULT_BATCH_SIZE = 128;

    @Option(names = "--batch-size", description = "Batch size (default: 128; with --resume, the checkpoint's).")
    Integer batchSize;

    @Option(names = "--optimizer", defaultValue = "adam", description = "adam, adamw or sgd (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--lr", description = "Learning rate (default: 1e-3 for adam/adamw, 0.01 for sgd).")
    Double lr;

    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum (default: ${DEFAULT-VALUE}).")
    double momentum;

    @Option(names = "--nesterov", description = "Nesterov momentum for SGD.")
    boolean nesterov;

    @Option(names = "--weight-decay", defaultValue = "0", description = "L2 weight decay (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--schedule", defaultValue = "constant", paramLabel = "SPEC",
            description = "Learning-rate schedule: constant, step:EVERY:GAMMA, multistep:E1,E2,...:GAMMA, cosine[:MIN] (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--objective", paramLabel = "SPEC",
            description = "Training objective NAME[:KEY=VALUE,...] (repeatable: the objectives are summed; default: cross-entropy).")
    List<String> objectives = new ArrayList<>();

    @Option(names = "--train-attack", paramLabel = "SPEC",
            description = "Inner attack of adversarial objectives, an attack spec with its budget, e.g. pgd:eps=0.3,steps=40,step=0.01 (default: each objective's own).")
    String trainAttack;

    @Option(names = "--validation", paramLabel = "N|FRACTION",
            description = "Hold out N training samples (or a fraction, e.g. 0.1), chosen by --seed, to validate on after every epoch (default: 0, none).")
    String validation;

    @Option(names = "--val-attack", paramLabel = "SPEC",
            description = "Attack for the validation robust accuracy, with its eps (default: pgd:steps=10 at --train-attack's norm and eps; without "
                    + "--train-attack, clean accuracy only; 'none': clean only).")
    String valAttack;

    @Option(names = "--label-smoothing", paramLabel = "X", description = "Deprecated: use --objective cross-entropy:label-smoothing=X (which it stands for).")
    Double labelSmoothing;

    @Option(names = "--init", defaultValue = "default", paramLabel = "KIND",
            description = "Initialization: default (the model's seeded initializer), expert (Galloway et al.'s class-mean difference for a "
                    + "logistic regression on a two-class data set such as mnist-3v7, bias 0), expert-midpoint (the same with the bias halfway "
                    + "between the class means). Default: ${DEFAULT-VALUE}.")
    String init;

    @Option(names = "--seed", defaultValue = "0", description = "Seed for initialization, data order and dropout (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Model file to write (default: models/NAME.safetensors).")
    Path output;

    @Option(names = "--resume", description = "Continue from OUTPUT.ckpt.")
    boolean resume;

    @Option(names = "--list-objectives", help = true, description = "Print the registered objective names, one a line, and exit (for scripts).")
    boolean listObjectives;

    @Option(names = "--eval-batch-size", defaultValue = "500", description = "Batch size for evaluation (default: ${DEFAULT-VALUE}).")
    int evalBatchSize;

    CommandSpec spec;

    @Spec
    void spec(CommandSpec s) {
        this.spec = s;
        s.usageMessage().footer(footer());
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (listObjectives) {
            for (String n : Objectives.names()) out.println(n);
            out.flush();
            return 0;
        }
        String name = choice == null ? null : choice.zoo != null ? choice.zoo : choice.spec.getFileName().toString().replaceFirst("\\.json$", "");
        if (output == null) {
            if (name == null) throw new IllegalArgumentException("give --model or --spec (or --output with --resume)");
            output = Path.of("models", name + ".safetensors");
        }
        Path checkpoint = output.resolveSibling(output.getFileName() + ".ckpt");
        String stem = output.getFileName().toString().replaceFirst("\\.safetensors$", "");
        Path bestFile = output.resolveSibling(stem + ".best.safetensors");
        Path logFile = output.resolveSibling(stem + ".log.csv");
        checkOutputs(output, checkpoint, logFile, bestFile);

        // everything that can be misspelt fails before the data loads
        if (!(width > 0) || Double.isInfinite(width)) throw new IllegalArgumentException("--width must be a positive number, got " + width);
        if (resume && !Files.exists(checkpoint)) throw new IllegalArgumentException("--resume: no checkpoint at " + checkpoint);
        Checkpoint.Summary saved = resume ? Checkpoint.summary(checkpoint) : null;  // its header alone
        TrainSettings given = TrainSettings.fromOptions(objectives, labelSmoothing, trainAttack, validation, valAttack);
        TrainSettings settings = resume ? TrainSettings.forResume(checkpoint, saved.info(), given) : given.withDefaults();
        if (labelSmoothing != null) {
            spec.commandLine().getErr().println("note: --label-smoothing is deprecated; it stands for --objective cross-entropy:label-smoothing=" + labelSmoothing);
            spec.commandLine().getErr().flush();
        }
        Objective objective = settings.objective();
        int batch = batchSize(resume ? saved.info() : null);
        if (resume) checkResume(checkpoint, saved);
        if (!java.util.Set.of("default", "expert", "expert-midpoint").contains(init.toLowerCase(Locale.ROOT)))
            throw new IllegalArgumentException("--init must be default, expert or expert-midpoint, got '" + init + "'");
        if (!resume && choice != null) {
            if (choice.zoo != null) Zoo.spec(choice.zoo, Zoo.Options.DEFAULT);
            else if (!Files.isRegularFile(choice.spec)) throw new IllegalArgumentException("--spec " + choice.spec + ": no such file");
        }
        out.printf("loading %s ...%n", data.data);
        out.flush();
        Dataset train = data.load(true);
        Dataset test = data.load(false);
        out.printf("train %d, test %d samples of shape %s, %d classes%n", train.size(), test.size(), Arrays.toString(train.sampleShape()), train.numClasses());

        Trainer trainer;
        if (resume) {
            trainer = Trainer.resume(checkpoint, objective, epochs, batch, evalBatchSize);
            ClassCheck.check("the checkpoint's model (" + checkpoint + ")", trainer.model().outputShape(), train);
            ClassCheck.check("the checkpoint's model (" + checkpoint + ")", trainer.model().outputShape(), test);
            String note = ResumeCheck.missingOptimizerState(checkpoint, saved);
            if (note != null) {
                spec.commandLine().getErr().println(note);
                spec.commandLine().getErr().flush();
            }
            if (trainer.nextEpoch() < epochs) out.printf("resuming %s at epoch %d of %d%n", checkpoint, trainer.nextEpoch() + 1, epochs);
        } else {
            if (choice == null) throw new IllegalArgumentException("give --model NAME or --spec FILE");
            SpecModel model = buildModel(train);
            String modelName = choice.zoo != null ? "--model " + choice.zoo : "the model of --spec " + choice.spec;
            ClassCheck.check(modelName, model.outputShape(), train);
            ClassCheck.check(modelName, model.outputShape(), test);
            initialize(model, train);
            Optimizer opt = optimizer(model);
            Schedule sched = schedule(opt.learningRate());
            ModelInfo info = settings.into(new ModelInfo(model.specJson(), choice.zoo != null ? choice.zoo : "")
                    .withExtra("brink.data", data.data).withExtra("brink.seed", Long.toString(seed))
                    .withExtra(BATCH_SIZE_KEY, Integer.toString(batch)));
            info = ResumeCheck.record(info, runOptions(opt.learningRate()));
            trainer = new Trainer(model, info, opt, sched, objective, new Trainer.Config(epochs, batch, seed, evalBatchSize));
        }
        long runSeed = Long.parseLong(trainer.info().extra().getOrDefault("brink.seed", Long.toString(seed)));
        int valCount = settings.validationCount(train.size());
        RobustValidation val = null;
        if (valCount > 0) {
            Dataset.Split split = train.split(valCount, runSeed);
            train = split.train();
            val = new RobustValidation(split.validation(), settings.valAttackSpec(), evalBatchSize, runSeed, System.err);
            trainer.validation(val, bestFile);
        }
        out.printf("model %s: %,d parameters; optimizer %s%n", trainer.info().model().isEmpty() ? name : trainer.info().model(),
                trainer.model().parameterCount(), resume ? "(from checkpoint)" : optimizer);
        out.printf("objective %s%s%n", String.join(" + ", settings.objectives()),
                settings.trainAttack() == null ? "" : "; training attack " + settings.trainAttack());
        if (val != null)
            out.printf("validation: %d samples held out of the training set (seed %d), %s; best model by %s -> %s%n", valCount, runSeed,
                    val.attack() == null ? "clean accuracy" : "clean and robust accuracy under " + val.attack().text(),
                    val.attack() == null ? "clean accuracy" : "robust accuracy", bestFile);
        out.flush();
        TrainingLog log = resume ? TrainingLog.resume(logFile, trainer.nextEpoch()) : TrainingLog.create(logFile);
        if (trainer.nextEpoch() >= epochs) {
            out.printf("the checkpoint %s finished all %d epochs: writing its model%n", checkpoint, trainer.nextEpoch());
        } else {
            trainer.fit(train, test, checkpoint, new BarListener(out, log));
        }
        ModelFile.save(output, trainer.model().stateDict(), trainer.info().withExtra("brink.epochs", Integer.toString(Math.max(epochs, trainer.nextEpoch()))));
        if (trainer.bestEpoch() >= 0)
            out.printf(Locale.ROOT, "best validation epoch %d (score %.4f): %s%n", trainer.bestEpoch() + 1, trainer.bestScore(), bestFile);
        out.printf("wrote %s (checkpoint %s, log %s)%n", output, checkpoint, logFile);
        return 0;
    }

    /**
     * Refuses a resume that cannot do what it says: options that conflict with the checkpoint ({@link ResumeCheck}),
     * and an {@code --epochs} the checkpoint has already reached (equal is allowed only to write the model file of a
     * run stopped after its last checkpoint).
     */
    private void checkResume(Path checkpoint, Checkpoint.Summary saved) throws java.io.IOException {
        picocli.CommandLine.ParseResult pr = spec.commandLine().getParseResult();
        java.util.Map<String, String> givenOptions = new java.util.LinkedHashMap<>();
        Object[][] options = {{"--model", choice == null ? null : choice.zoo}, {"--optimizer", optimizer}, {"--lr", lr}, {"--momentum", momentum},
                {"--nesterov", nesterov}, {"--weight-decay", weightDecay}, {"--schedule", schedule}, {"--width", width}, {"--init", init},
                {"--seed", seed}, {"--limit", data.limit}};
        for (Object[] o : options)
            if (pr.hasMatchedOption((String) o[0]) && o[1] != null) givenOptions.put((String) o[0], String.valueOf(o[1]));
        java.util.List<String> conflicts = ResumeCheck.conflicts(saved,
                new ResumeCheck.Given(givenOptions, dataOptions(), choice == null ? null : choice.spec));
        if (!conflicts.isEmpty()) throw ResumeCheck.error(checkpoint, conflicts);
        int done = saved.epoch() + 1;
        if (epochs < done || epochs == done && Files.exists(output))
            throw new IllegalArgumentException("--resume: the checkpoint " + checkpoint + " has finished " + done + " epoch" + (done == 1 ? "" : "s")
                    + (epochs < done ? ", more than --epochs " + epochs : " and its model is written to " + output + ": there is nothing to resume")
                    + "; give --epochs above " + done + " to train further");
    }

    /** The data selection in effect: --data, --limit, --sample, --sample-seed (null for those left out or without effect). */
    private java.util.Map<String, String> dataOptions() {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("--data", data.data);
        m.put("--limit", data.limit == null ? null : Integer.toString(data.limit));
        m.put("--sample", data.limit == null ? null : data.sample.toLowerCase(Locale.ROOT));
        m.put("--sample-seed", data.limit == null ? null : Long.toString(data.sampleSeed));
        return m;
    }

    /** What a new run records for a later --resume to compare ({@link ResumeCheck}). */
    private java.util.Map<String, String> runOptions(double baseLr) {
        java.util.Map<String, String> m = dataOptions();
        m.put("--lr", Double.toString(baseLr));
        m.put("--schedule", schedule.trim());
        m.put("--width", choice.zoo != null ? Double.toString(width) : null);
        m.put("--init", init.toLowerCase(Locale.ROOT));
        return m;
    }

    /**
     * Issue 13, case 5: every file the run writes is checked before any work (-o's directory is created, as the
     * default models/ is): a new or regular file, in a directory where files can be created. The best-model file is
     * checked too; it is written only with validation.
     */
    static void checkOutputs(Path output, Path checkpoint, Path logFile, Path bestFile) throws java.io.IOException {
        OutputPaths.checkFile("-o", output, true);
        OutputPaths.checkFile("-o (its checkpoint)", checkpoint, false);
        OutputPaths.checkFile("-o (its training log)", logFile, false);
        OutputPaths.checkFile("-o (its best-model file)", bestFile, false);
    }

    /**
     * The batch size: --batch-size (default 128) for a new run; on --resume the checkpoint's (a different
     * --batch-size is refused; checkpoints written before the batch size was recorded take --batch-size).
     */
    int batchSize(ModelInfo checkpointInfo) {
        String saved = checkpointInfo == null ? null : checkpointInfo.extra().get(BATCH_SIZE_KEY);
        if (saved == null) return batchSize == null ? DEFAULT_BATCH_SIZE : batchSize;
        int b = Integer.parseInt(saved);
        if (batchSize != null && batchSize != b)
            throw new IllegalArgumentException("--batch-size " + batchSize + " differs from the checkpoint's --batch-size " + b);
        return b;
    }

    /** The registered objectives and their options, for --help (wrapped to 79 columns like the attacks' list). */
    static String footer() {
        StringBuilder b = new StringBuilder("%nObjectives (NAME: what it is) and their options (KEY=DEFAULT  meaning):%n");
        for (String n : Objectives.names()) {
            var e = Objectives.entry(n);
            AttackCommand.AttackOptions.wrap(b, n + ": " + e.summary(), "", "    ");
            for (dev.brink.robust.attack.Attacks.Option o : e.options())
                AttackCommand.AttackOptions.wrap(b, o.name() + "=" + o.defaultValue() + "  " + o.description(), "    ", "        ");
        }
        b.append("%nAttacks for --train-attack and --val-attack: see brink attack --help.%n");
        return b.toString().replace("%", "%%").replace("%%n", "%n");
    }

    /** Applies --init to a freshly built model (a resumed run keeps its weights). */
    private void initialize(SpecModel model, Dataset train) {
        switch (init.toLowerCase(Locale.ROOT)) {
            case "default" -> { }
            case "expert" -> dev.brink.robust.train.ExpertInitialization.apply(model, train);
            case "expert-midpoint" -> dev.brink.robust.train.ExpertInitialization.apply(model, train, true);
            default -> throw new IllegalArgumentException("--init must be default, expert or expert-midpoint, got '" + init + "'");
        }
    }

    private SpecModel buildModel(Dataset train) {
        Generator gen = new Generator(seed);
        if (choice.spec != null) {
            try {
                return ModelSpec.build(Files.readString(choice.spec), gen);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("--spec " + choice.spec + ": " + e.getMessage());
            }
        }
        int classes = choice.zoo.equals("logreg") ? 1 : train.numClasses();
        Zoo.Options opt = Zoo.Options.DEFAULT.withWidth(width).withInput(train.sampleShape()).withClasses(classes);
        return Zoo.build(choice.zoo, opt, gen);
    }

    private Optimizer optimizer(SpecModel model) {
        var params = model.trainableParameters();
        return switch (optimizer.toLowerCase(Locale.ROOT)) {
            case "adam" -> new Adam(params, lr == null ? 1e-3 : lr, 0.9, 0.999, 1e-8, weightDecay, false);
            case "adamw" -> new Adam(params, lr == null ? 1e-3 : lr, 0.9, 0.999, 1e-8, weightDecay, true);
            case "sgd" -> new Sgd(params, lr == null ? 0.01 : lr, momentum, 0, nesterov, weightDecay);
            default -> throw new IllegalArgumentException("--optimizer must be adam, adamw or sgd, got " + optimizer);
        };
    }

    /** Parses --schedule. */
    Schedule schedule(double base) {
        String[] p = schedule.split(":");
        try {
            return switch (p[0]) {
                case "constant" -> Schedule.constant(base);
                case "step" -> Schedule.stepDecay(base, Integer.parseInt(p[1]), Double.parseDouble(p[2]));
                case "multistep" -> Schedule.multiStep(base, Arrays.stream(p[1].split(",")).mapToInt(Integer::parseInt).toArray(), Double.parseDouble(p[2]));
                case "cosine" -> Schedule.cosine(base, epochs, p.length > 1 ? Double.parseDouble(p[1]) : 0);
                default -> throw new IllegalArgumentException("unknown kind '" + p[0] + "'");
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--schedule " + schedule + ": " + e.getMessage()
                    + " (expected constant, step:EVERY:GAMMA, multistep:E1,E2:GAMMA or cosine[:MIN])");
        }
    }

    /** Progress bars per epoch on stderr, one summary line per epoch on stdout. */
    static final class BarListener implements Trainer.Listener {
        private final PrintWriter out;
        private final TrainingLog log;
        private ProgressBar bar;
        private ProgressBar evalBar;
        private int epochs;

        BarListener(PrintWriter out, TrainingLog log) {
            this.out = out;
            this.log = log;
        }

        @Override
        public void epochStart(int epoch, int epochs, int batches, int samples) {
            this.epochs = epochs;
            bar = new ProgressBar(System.err, String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, epochs), batches);
        }

        @Override
        public void batchEnd(int epoch, int batch, int samplesDone, double meanLoss, double accuracy) {
            bar.update(batch, samplesDone, Double.isNaN(accuracy) ? String.format(Locale.ROOT, "loss %.4f", meanLoss)
                    : String.format(Locale.ROOT, "loss %.4f acc %.4f", meanLoss, accuracy));
        }

        @Override
        public void evaluationStart(int epoch, int samples) {
            evalBar = new ProgressBar(System.err, "  evaluating", samples);
        }

        @Override
        public void evaluationProgress(int samplesDone) {
            evalBar.update(samplesDone, samplesDone, "");
        }

        @Override
        public void epochEnd(Trainer.EpochResult r) {
            out.println(line(r, epochs));
            out.flush();
            if (log != null) {
                try {
                    log.append(r);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException("writing the training log: " + e.getMessage(), e);
                }
            }
        }

        /** The summary line of an epoch. */
        static String line(Trainer.EpochResult r, int epochs) {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "epoch %d/%d  train loss %.4f", r.epoch() + 1, epochs, r.trainLoss()));
            if (!Double.isNaN(r.regularizer())) b.append(String.format(Locale.ROOT, "  regularizer %.4g", r.regularizer()));
            if (!Double.isNaN(r.trainAccuracy())) b.append(String.format(Locale.ROOT, "  train acc %.4f", r.trainAccuracy()));
            Double vc = r.validation().get(RobustValidation.CLEAN), vr = r.validation().get(RobustValidation.ROBUST);
            if (vc != null) b.append(String.format(Locale.ROOT, "  val clean %.4f", vc));
            if (vr != null) b.append(String.format(Locale.ROOT, "  val robust %.4f", vr));
            if (r.best()) b.append(" (best)");
            b.append(String.format(Locale.ROOT, "  test acc %.4f  (%.1f s)", r.testAccuracy(), r.seconds()));
            return b.toString();
        }
    }
}

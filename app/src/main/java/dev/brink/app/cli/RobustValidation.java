package dev.brink.app.cli;

import dev.brink.engine.GradMode;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.nn.Module;
import dev.brink.nn.data.Batch;
import dev.brink.nn.data.DataLoader;
import dev.brink.nn.data.Dataset;
import dev.brink.nn.train.Objective;
import dev.brink.nn.train.Validation;
import dev.brink.robust.analysis.MarginDistribution;
import dev.brink.robust.attack.Attack;
import dev.brink.robust.attack.Classifier;
import dev.brink.robust.attack.Goal;
import dev.brink.robust.attack.ThreatModel;
import dev.brink.robust.eval.AttackSpec;
import dev.brink.robust.progress.ProgressBar;
import dev.brink.robust.train.ObjectiveSetup;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The validation of {@code brink train}: clean accuracy ({@code val_clean}) and, with an attack, robust accuracy
 * ({@code val_robust}: the fraction of validation samples classified correctly both clean and under the untargeted
 * attack) on the held-out split, in evaluation mode. The score that selects the best model is the robust accuracy,
 * or the clean accuracy without an attack. The attack's random starts come from a generator seeded by the run's
 * seed and the epoch, never from the training stream, so validating changes no training number. It also logs Liu and
 * Chan's effective margins ({@code val_margin_mean}, {@code val_margin_std}: L2, over the correctly classified points
 * among the first {@value #MARGIN_POINTS} of the split), so their growth can be followed per epoch.
 */
final class RobustValidation implements Validation {
    /** Metric names, as in the training log. */
    static final String CLEAN = "val_clean", ROBUST = "val_robust", MARGIN_MEAN = "val_margin_mean", MARGIN_STD = "val_margin_std";

    /** Validation points whose effective margins are measured each epoch (the first ones of the split). */
    static final int MARGIN_POINTS = 1000;

    private final Dataset data;
    private final AttackSpec attackSpec;
    private final Attack attack;
    private final ThreatModel threat;
    private final int batchSize;
    private final long seed;
    private final PrintStream progress;

    /**
     * @param data       the validation split (pixels in [0, 1])
     * @param attackSpec the attack (with its {@code eps}), or null for clean accuracy only
     * @param batchSize  samples per batch
     * @param seed       the run's seed
     * @param progress   where progress bars go (null: none)
     */
    RobustValidation(Dataset data, AttackSpec attackSpec, int batchSize, long seed, PrintStream progress) {
        this.data = data;
        this.attackSpec = attackSpec;
        this.attack = attackSpec == null ? null : ObjectiveSetup.attack(attackSpec);
        this.threat = attackSpec == null ? null : ObjectiveSetup.threat(attackSpec);
        this.batchSize = batchSize;
        this.seed = seed;
        this.progress = progress;
    }

    /** The attack, or null. */
    AttackSpec attack() {
        return attackSpec;
    }

    @Override
    public Result validate(Module model, int epoch) {
        boolean wasTraining = model.isTraining();
        model.eval();
        Generator gen = new Generator(seed ^ 0x76616C6964L, (long) epoch << 40);
        ProgressBar bar = progress == null ? null : new ProgressBar(progress, attack == null ? "  validating" : "  validating (" + attackSpec.label() + ")", data.size());
        long clean = 0, robust = 0;
        int done = 0;
        MarginDistribution.Moments margins;
        try {
            DataLoader loader = DataLoader.builder(data).batchSize(batchSize).shuffle(false).build();
            for (Batch b : loader.epoch(0)) {
                boolean[] ok;
                try (GradMode.Scope s = GradMode.noGrad()) {
                    ok = hits(model.forward(b.x()), b.y());
                }
                for (boolean h : ok) if (h) clean++;
                if (attack != null) {
                    Tensor adv = attack.run(Classifier.of(model), b.x(), b.y(), threat, Goal.UNTARGETED, gen).adversarial();
                    boolean[] still;
                    try (GradMode.Scope s = GradMode.noGrad()) {
                        still = hits(model.forward(adv), b.y());
                    }
                    for (int i = 0; i < ok.length; i++) if (ok[i] && still[i]) robust++;
                }
                done += b.size();
                if (bar != null) bar.update(done, done, attack == null
                        ? String.format(Locale.ROOT, "clean %.4f", (double) clean / done)
                        : String.format(Locale.ROOT, "clean %.4f robust %.4f", (double) clean / done, (double) robust / done));
            }
            margins = MarginDistribution.Moments.of(margins(model));
        } finally {
            if (wasTraining) model.train();
            else model.eval();
        }
        Map<String, Double> m = new LinkedHashMap<>();
        double n = data.size();
        m.put(CLEAN, n == 0 ? Double.NaN : clean / n);
        if (attack != null) m.put(ROBUST, n == 0 ? Double.NaN : robust / n);
        m.put(MARGIN_MEAN, margins.mean());
        m.put(MARGIN_STD, margins.std());
        return new Result(m, attack != null ? m.get(ROBUST) : m.get(CLEAN));
    }

    /** Effective margins of the correctly classified points among the first {@link #MARGIN_POINTS} (model in eval mode). */
    private double[] margins(Module model) {
        int k = Math.min(MARGIN_POINTS, data.size());
        if (k == 0) return new double[0];
        Dataset first = data.subset(java.util.stream.IntStream.range(0, k).toArray());
        return MarginDistribution.compute(model, first, Math.min(batchSize, 100), null).correct();
    }

    private static boolean[] hits(Tensor logits, Tensor labels) {
        int[] p = Objective.predictions(logits);
        int[] y = labels.toIntArray();
        boolean[] h = new boolean[p.length];
        for (int i = 0; i < p.length; i++) h[i] = p[i] == y[i];
        return h;
    }
}

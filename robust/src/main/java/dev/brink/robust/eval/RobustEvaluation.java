package dev.brink.robust.eval;

import dev.brink.engine.Generator;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.engine.TensorScope;
import dev.brink.nn.data.Batch;
import dev.brink.nn.data.Dataset;
import dev.brink.nn.train.NonFiniteLogitsException;
import dev.brink.robust.attack.Attack;
import dev.brink.robust.attack.AttackResult;
import dev.brink.robust.attack.AttackResult.Perturbations;
import dev.brink.robust.attack.Classifier;
import dev.brink.robust.attack.Norm;
import dev.brink.robust.attack.ThreatModel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Robust accuracy of a classifier under a list of attacks, worst case per sample: a sample counts as robust only
 * if it is classified correctly and still classified correctly after every attack (for an untargeted attack: the
 * attack failed on it). Attacks run batch by batch on the correctly classified samples only (an attack on an
 * already wrong sample proves nothing); per attack it records the success rate over the attacked samples, the
 * accuracy left under that attack alone, the mean L0/L1/L2/L-inf norms of the successful perturbations, the model
 * calls and the time spent.
 *
 * <p>With a targeted goal, success means reaching the target, and robustness means keeping the true class; a
 * sample whose label is the fixed target class is not attacked (it counts as robust when classified correctly).
 * {@link Config#attackMisclassified()} attacks the misclassified samples too (targeted goals only), for success
 * rates over every (source, target) pair as Galloway et al. report JSMA's.
 */
public final class RobustEvaluation {
    private RobustEvaluation() {}

    /** One attack of the list, under its threat model. */
    public record Entry(String label, Attack attack, ThreatModel threat) {
        public Entry {
            if (!attack.supportedNorms().contains(threat.norm()))
                throw new IllegalArgumentException(label + ": norm " + threat.norm().label() + " is not supported by " + attack.name()
                        + " (supported: " + attack.supportedNorms() + ")");
        }
    }

    /**
     * @param batchSize     samples per batch
     * @param seed          seeds the attacks' random streams: each attack of the list has its own stream, seeded with
     *                      this seed alone, so its result is the same whichever attacks run beside it
     * @param target        untargeted, least-likely or a fixed class
     * @param keepExamples  how many attacked samples per attack to keep for image grids (0: none)
     * @param keepAdversarial keep every attacked sample's adversarial input (for transfer sets)
     * @param attackMisclassified also attack the samples the model misclassifies (targeted goals only, since success
     *                      means reaching the target: a sample already predicted as the target succeeds unchanged;
     *                      the protocol of Galloway et al.'s JSMA table). Accuracies do not change: a misclassified
     *                      sample stays wrong whatever the attack does to it. The kept examples and adversarial
     *                      inputs then include the misclassified samples
     */
    public record Config(int batchSize, long seed, TargetSpec target, int keepExamples, boolean keepAdversarial, boolean attackMisclassified) {
        public Config {
            if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
            if (keepExamples < 0) throw new IllegalArgumentException("keepExamples must be >= 0");
            if (target == null) target = TargetSpec.UNTARGETED;
            if (attackMisclassified && !target.targeted())
                throw new IllegalArgumentException("attacking misclassified samples needs a targeted goal: an untargeted attack "
                        + "succeeds on a misclassified sample without changing it");
        }

        /** Attacks the correctly classified samples only. */
        public Config(int batchSize, long seed, TargetSpec target, int keepExamples, boolean keepAdversarial) {
            this(batchSize, seed, target, keepExamples, keepAdversarial, false);
        }

        public static Config of(int batchSize, long seed) {
            return new Config(batchSize, seed, TargetSpec.UNTARGETED, 0, false);
        }

        public Config withTarget(TargetSpec t) {
            return new Config(batchSize, seed, t, keepExamples, keepAdversarial, attackMisclassified);
        }

        public Config withExamples(int k) {
            return new Config(batchSize, seed, target, k, keepAdversarial, attackMisclassified);
        }

        public Config withAdversarial(boolean keep) {
            return new Config(batchSize, seed, target, keepExamples, keep, attackMisclassified);
        }

        /** The same, also attacking misclassified samples (see the record's doc; needs a targeted goal). */
        public Config withMisclassified(boolean attack) {
            return new Config(batchSize, seed, target, keepExamples, keepAdversarial, attack);
        }
    }

    /** Progress: {@code done} of {@code total} work units (samples times attacks), with a status text. */
    public interface Progress {
        void update(long done, long total, String status);

        Progress NONE = (d, t, s) -> {};

        /** A progress bar on {@code out}, created at the first update (when the total is known). */
        static Progress bar(java.io.PrintStream out, String label) {
            dev.brink.robust.progress.ProgressBar[] bar = new dev.brink.robust.progress.ProgressBar[1];
            return (d, t, s) -> {
                if (bar[0] == null) bar[0] = new dev.brink.robust.progress.ProgressBar(out, label, t);
                bar[0].update(d, d, s);
            };
        }
    }

    /** Per-attack totals. */
    public static final class AttackStats {
        private final String label;
        private final ThreatModel threat;
        int samples, cleanCorrect, attacked, successes, correctAfter;
        final double[] normSums = new double[Norm.values().length], attackedNormSums = new double[Norm.values().length];
        long modelCalls, iterations;
        double seconds;

        AttackStats(String label, ThreatModel threat) {
            this.label = label;
            this.threat = threat;
        }

        public String label() { return label; }
        public ThreatModel threat() { return threat; }
        public int samples() { return samples; }
        public int attacked() { return attacked; }
        public int successes() { return successes; }
        /** Samples still classified correctly after this attack (misclassified clean samples count as wrong). */
        public int correctAfter() { return correctAfter; }
        public long modelCalls() { return modelCalls; }
        public double seconds() { return seconds; }

        /** Accuracy under this attack alone, over all samples. */
        public double accuracy() {
            return samples == 0 ? Double.NaN : (double) correctAfter / samples;
        }

        /**
         * Fraction of the attacked samples on which the attack met its goal (the correctly classified ones, or all
         * samples but those whose label is the target with {@link Config#attackMisclassified()}).
         */
        public double successRate() {
            return attacked == 0 ? Double.NaN : (double) successes / attacked;
        }

        /** Mean perturbation norm over the successful samples; NaN when none succeeded. */
        public double meanNorm(Norm n) {
            return successes == 0 ? Double.NaN : normSums[n.ordinal()] / successes;
        }

        /**
         * Mean perturbation norm over all attacked samples, successful or not (Galloway et al.'s "perturbation rate"
         * for L0); NaN when none was attacked.
         */
        public double meanNormAttacked(Norm n) {
            return attacked == 0 ? Double.NaN : attackedNormSums[n.ordinal()] / attacked;
        }

        /** Mean iterations per attacked sample. */
        public double meanIterations() {
            return attacked == 0 ? Double.NaN : (double) iterations / attacked;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s (%s): accuracy %.4f, success %.4f of %d, mean l2 %.4f, linf %.4f, %d calls",
                    label, threat, accuracy(), successRate(), attacked, meanNorm(Norm.L2), meanNorm(Norm.LINF), modelCalls);
        }
    }

    /**
     * Attacked samples of one attack, in data-set order: clean and adversarial inputs {@code [M, ...]} (float32),
     * labels, data-set indices, per-sample success and the adversarial prediction.
     */
    public record Adversarial(String label, ThreatModel threat, Tensor x, Tensor adversarial, int[] labels, int[] indices,
                              boolean[] success, int[] predicted) {
        public int size() {
            return labels.length;
        }
    }

    /** The outcome of {@link #evaluate}. */
    public record Result(int samples, int cleanCorrect, boolean[] cleanMask, boolean[] robustMask, List<AttackStats> attacks,
                         List<Adversarial> examples, List<Adversarial> adversarial, double seconds) {
        public double cleanAccuracy() {
            return samples == 0 ? Double.NaN : (double) cleanCorrect / samples;
        }

        /** Worst case over all attacks. */
        public int robust() {
            int r = 0;
            for (boolean b : robustMask) if (b) r++;
            return r;
        }

        public double robustAccuracy() {
            return samples == 0 ? Double.NaN : (double) robust() / samples;
        }

        public AttackStats stats(String label) {
            for (AttackStats s : attacks) if (s.label().equals(label)) return s;
            throw new IllegalArgumentException("no attack '" + label + "'");
        }
    }

    /**
     * The worst case per sample: robust where the clean prediction is correct and every attack left the
     * prediction correct.
     */
    public static boolean[] worstCase(boolean[] cleanCorrect, List<boolean[]> correctAfterEach) {
        boolean[] r = cleanCorrect.clone();
        for (boolean[] a : correctAfterEach) {
            if (a.length != r.length) throw new IllegalArgumentException("masks of different lengths: " + a.length + " vs " + r.length);
            for (int i = 0; i < r.length; i++) r[i] &= a[i];
        }
        return r;
    }

    /** Evaluates on a data set (all of it; slice it with {@link Dataset#subset} first). */
    public static Result evaluate(Classifier model, Dataset data, List<Entry> attacks, Config cfg, Progress progress) {
        if (cfg.target().kind() == TargetSpec.Kind.CLASS && cfg.target().cls() >= data.numClasses())
            throw new IllegalArgumentException("target class " + cfg.target().cls() + " is outside [0, " + data.numClasses() + ")");
        return run(model, data.size(), (from, to) -> {
            Batch b = data.batch(from, to);
            return new Tensor[] {b.x(), b.y()};
        }, attacks, cfg, progress);
    }

    /** Evaluates on tensors: inputs {@code [N, ...]} in the box, int32 labels {@code [N]}. */
    public static Result evaluate(Classifier model, Tensor x, Tensor y, List<Entry> attacks, Config cfg, Progress progress) {
        if (y.dim() != 1 || y.size(0) != x.size(0))
            throw new IllegalArgumentException("labels " + dev.brink.engine.Shape.str(y.shape()) + " do not match inputs " + dev.brink.engine.Shape.str(x.shape()));
        return run(model, x.size(0), (from, to) -> new Tensor[] {x.slice(0, from, to).contiguous(), y.slice(0, from, to).contiguous()},
                attacks, cfg, progress);
    }

    private interface Source {
        Tensor[] get(int from, int to);
    }

    private static Result run(Classifier model, int n, Source source, List<Entry> attacks, Config cfg, Progress progress) {
        if (progress == null) progress = Progress.NONE;
        long t0 = System.nanoTime();
        int k = attacks.size();
        List<AttackStats> stats = new ArrayList<>();
        List<Generator> gens = new ArrayList<>();
        List<Collector> examples = new ArrayList<>(), full = new ArrayList<>();
        for (int a = 0; a < k; a++) {
            Entry e = attacks.get(a);
            stats.add(new AttackStats(e.label(), e.threat()));
            // Every attack gets its own stream seeded with the seed alone, not with its position in the list: an
            // attack's numbers must not depend on which attacks run beside it (a report's table of several attacks
            // and a command line with one of them give the same result).
            gens.add(new Generator(cfg.seed()));
            examples.add(new Collector(cfg.keepExamples()));
            full.add(new Collector(Integer.MAX_VALUE));
        }
        boolean[] clean = new boolean[n];
        List<boolean[]> after = new ArrayList<>();
        for (int a = 0; a < k; a++) after.add(new boolean[n]);
        long total = (long) n * Math.max(k, 1);
        long done = 0;
        int cleanCount = 0;
        for (int from = 0; from < n; from += cfg.batchSize()) {
            int to = Math.min(n, from + cfg.batchSize());
            Tensor[] xy = source.get(from, to);
            Tensor x = xy[0], y = xy[1];
            int[] labels = y.toIntArray();
            Tensor cleanLogits;
            try (GradMode.Scope s = GradMode.noGrad()) {
                cleanLogits = model.logits(x.detach());
            }
            NonFiniteLogitsException.check(cleanLogits, model.name(), from, "clean samples");
            checkLabels(model, cleanLogits.size(1), labels, from);
            int[] pred = dev.brink.nn.train.Objective.predictions(cleanLogits);
            int[] idx = new int[to - from];
            int m = 0;
            for (int i = 0; i < labels.length; i++) {
                clean[from + i] = pred[i] == labels[i];
                if (clean[from + i]) cleanCount++;
                if ((clean[from + i] || cfg.attackMisclassified()) && cfg.target().attackable(labels[i])) idx[m++] = i;
                // not attackable but correct (label == fixed target): counts as correct after every attack
                for (int a = 0; a < k; a++) after.get(a)[from + i] = clean[from + i];
            }
            for (int a = 0; a < k; a++) {
                AttackStats st = stats.get(a);
                st.samples += labels.length;
                for (int i = 0; i < labels.length; i++) if (clean[from + i]) st.cleanCorrect++;
            }
            if (m > 0) {
                int[] sel = Arrays.copyOf(idx, m);
                Tensor selT = Tensor.ofInts(sel, m);
                Tensor xs = m == labels.length ? x : x.indexSelect(0, selT).contiguous();
                Tensor ys = m == labels.length ? y : y.indexSelect(0, selT).contiguous();
                int[] ysArr = ys.toIntArray();
                for (int a = 0; a < k; a++) {
                    // the attack's tensors go back to the backend before the next attack or batch (results are copied out)
                    try (TensorScope attackScope = TensorScope.open()) {
                        Entry e = attacks.get(a);
                        AttackStats st = stats.get(a);
                        long s0 = System.nanoTime();
                        AttackResult r = e.attack().run(model, xs, ys, e.threat(), cfg.target().goal(m), gens.get(a));
                        st.seconds += (System.nanoTime() - s0) / 1e9;
                        checkAdversarial(model, e, r.adversarial(), from + sel[0]);
                        st.attacked += m;
                        st.modelCalls += r.modelCalls();
                        if (r.iterations() != null) for (int it : r.iterations()) st.iterations += it;
                        boolean[] ok = r.success();
                        Collector ex = examples.get(a);
                        boolean needPred = cfg.target().targeted() || cfg.keepAdversarial() || ex.wants();
                        int[] advPred = needPred ? predict(model, r.adversarial(), from + sel[0], e.label() + "'s adversarial inputs") : null;
                        for (int j = 0; j < m; j++) {
                            int i = sel[j];
                            boolean stillCorrect = cfg.target().targeted() ? advPred[j] == ysArr[j] : !ok[j];
                            after.get(a)[from + i] = clean[from + i] && stillCorrect;
                            addNorms(st.attackedNormSums, r.norms(), j);
                            if (ok[j]) {
                                st.successes++;
                                addNorms(st.normSums, r.norms(), j);
                            }
                        }
                        int[] absIdx = new int[m];
                        for (int j = 0; j < m; j++) absIdx[j] = from + sel[j];
                        if (ex.wants()) ex.add(xs, r.adversarial(), ysArr, absIdx, ok, advPred);
                        if (cfg.keepAdversarial()) full.get(a).add(xs, r.adversarial(), ysArr, absIdx, ok, advPred);
                        done += labels.length;
                        progress.update(done, total, String.format(Locale.ROOT, "%s acc %.3f", e.label(), correctSoFar(after.get(a), to) / (double) to));
                    }
                }
            }
            if (m == 0 || k == 0) {
                done += (long) labels.length * Math.max(k, 1);
                progress.update(done, total, "");
            }
        }
        for (int a = 0; a < k; a++) {
            AttackStats st = stats.get(a);
            st.correctAfter = correctSoFar(after.get(a), n);
        }
        boolean[] robust = worstCase(clean, after);
        List<Adversarial> ex = new ArrayList<>(), adv = new ArrayList<>();
        for (int a = 0; a < k; a++) {
            Entry e = attacks.get(a);
            if (cfg.keepExamples() > 0) ex.add(examples.get(a).build(e));
            if (cfg.keepAdversarial()) adv.add(full.get(a).build(e));
        }
        return new Result(n, cleanCount, clean, robust, List.copyOf(stats), ex, adv, (System.nanoTime() - t0) / 1e9);
    }

    /** Adds sample j's perturbation norms to sums, indexed by {@link Norm#ordinal()}. */
    private static void addNorms(double[] sums, Perturbations norms, int j) {
        for (Norm n : Norm.values()) sums[n.ordinal()] += norms.of(n)[j];
    }

    private static int correctSoFar(boolean[] mask, int upTo) {
        int c = 0;
        for (int i = 0; i < upTo; i++) if (mask[i]) c++;
        return c;
    }

    /** Predicted classes of a batch, without recording a graph (a one-logit model predicts 1 where its logit is positive). */
    public static int[] predict(Classifier model, Tensor x) {
        return predict(model, x, 0, "inputs");
    }

    /**
     * {@link #predict(Classifier, Tensor)}, refusing NaN or infinite logits ({@link NonFiniteLogitsException} naming the
     * model, the inputs and the first bad sample, {@code firstIndex} being the index of row 0).
     */
    public static int[] predict(Classifier model, Tensor x, int firstIndex, String inputs) {
        try (GradMode.Scope s = GradMode.noGrad()) {
            Tensor z = model.logits(x.detach());
            NonFiniteLogitsException.check(z, model.name(), firstIndex, inputs);
            return dev.brink.nn.train.Objective.predictions(z);
        }
    }

    /**
     * Refuses an attack's NaN or infinite adversarial inputs (a broken gradient, typically): they are not inputs of
     * the box, a success on them proves nothing, and they must never reach a transfer set.
     */
    static void checkAdversarial(Classifier model, Entry e, Tensor adversarial, int firstIndex) {
        double sum;
        try (GradMode.Scope s = GradMode.noGrad()) {
            sum = adversarial.detach().sum().item();  // inputs lie in the box: the sum cannot overflow
        }
        if (!Double.isFinite(sum))
            throw new NonFiniteLogitsException(String.format(Locale.ROOT, "%s (%s) returned NaN or infinite adversarial inputs on %s"
                    + " (in the batch from sample %d): its gradients are broken, so no success rate or robust accuracy can be reported",
                    e.label(), e.attack().name(), model.name(), firstIndex));
    }

    /** Refuses labels the model's logits cannot express: labels beyond its outputs (a one-logit model has classes 0 and 1). */
    private static void checkLabels(Classifier model, int classes, int[] labels, int firstIndex) {
        for (int i = 0; i < labels.length; i++)
            if (labels[i] < 0 || labels[i] >= classes)
                throw new IllegalArgumentException(String.format(Locale.ROOT, "label %d of sample %d is outside the %d classes of %s's outputs",
                        labels[i], firstIndex + i, classes, model.name()));
    }

    /** Gathers attacked samples, up to a limit. */
    private static final class Collector {
        private final int limit;
        private final List<float[]> xs = new ArrayList<>(), advs = new ArrayList<>();
        private final List<Integer> labels = new ArrayList<>(), indices = new ArrayList<>(), preds = new ArrayList<>();
        private final List<Boolean> success = new ArrayList<>();
        private int[] sampleShape;

        Collector(int limit) {
            this.limit = limit;
        }

        boolean wants() {
            return labels.size() < limit;
        }

        void add(Tensor x, Tensor adv, int[] y, int[] idx, boolean[] ok, int[] pred) {
            int take = (int) Math.min(limit - (long) labels.size(), y.length);
            if (take <= 0) return;
            int[] shape = x.shape();
            sampleShape = Arrays.copyOfRange(shape, 1, shape.length);
            float[] xf = x.to(dev.brink.engine.DType.FLOAT32).toFloatArray();
            float[] af = adv.to(dev.brink.engine.DType.FLOAT32).toFloatArray();
            int d = xf.length / y.length;
            for (int j = 0; j < take; j++) {
                xs.add(Arrays.copyOfRange(xf, j * d, (j + 1) * d));
                advs.add(Arrays.copyOfRange(af, j * d, (j + 1) * d));
                labels.add(y[j]);
                indices.add(idx[j]);
                success.add(ok[j]);
                preds.add(pred == null ? -1 : pred[j]);
            }
        }

        Adversarial build(Entry e) {
            int m = labels.size();
            int[] shape = new int[1 + (sampleShape == null ? 0 : sampleShape.length)];
            shape[0] = m;
            if (sampleShape != null) System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
            int d = m == 0 ? 0 : xs.get(0).length;
            float[] x = new float[m * d], a = new float[m * d];
            for (int j = 0; j < m; j++) {
                System.arraycopy(xs.get(j), 0, x, j * d, d);
                System.arraycopy(advs.get(j), 0, a, j * d, d);
            }
            boolean[] ok = new boolean[m];
            for (int j = 0; j < m; j++) ok[j] = success.get(j);
            Tensor xt = m == 0 ? Tensor.zeros(0) : Tensor.of(x, shape);
            Tensor at = m == 0 ? Tensor.zeros(0) : Tensor.of(a, shape);
            return new Adversarial(e.label(), e.threat(), xt, at, labels.stream().mapToInt(Integer::intValue).toArray(),
                    indices.stream().mapToInt(Integer::intValue).toArray(), ok, preds.stream().mapToInt(Integer::intValue).toArray());
        }
    }
}

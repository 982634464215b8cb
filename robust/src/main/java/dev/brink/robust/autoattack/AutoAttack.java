package dev.brink.robust.autoattack;

import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.GradMode;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;
import dev.brink.robust.attack.Attack;
import dev.brink.robust.attack.AttackResult;
import dev.brink.robust.attack.Classifier;
import dev.brink.robust.attack.Goal;
import dev.brink.robust.attack.Norm;
import dev.brink.robust.attack.Projections;
import dev.brink.robust.attack.ThreatModel;
import dev.brink.nn.train.NonFiniteLogitsException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * AutoAttack (Croce and Hein 2020): an ensemble of parameter-free attacks run one after the other, each only on the
 * points that all earlier attacks left correctly classified, so robust accuracy is the worst case per point over
 * the ensemble. The reference protocol is {@link AutoAttackVersion#STANDARD}; every attack is a registry attack
 * ({@link Component}), run untargeted at the run's threat model (norm, eps, box [0, 1]).
 *
 * <p>Points are processed attack by attack, in batches of the points still robust (in index order); after each
 * batch the listener gets a checkpoint of the whole {@link AutoAttackState}, and a run given that state continues
 * where it stopped with the same numbers: the random stream of a batch depends only on the seed, the attack's
 * position and the batch's first point. A point counts as broken when the model misclassifies the adversarial point
 * the attack returned (checked with one forward pass here, as the reference does).
 *
 * <p>A broken model is refused rather than reported: NaN or infinite logits (on clean or adversarial points) and
 * non-finite adversarial points end the run with a {@link NonFiniteLogitsException} naming the model, and labels
 * outside the model's classes with an {@link IllegalArgumentException}.
 *
 * <pre>{@code
 * AutoAttack.Config cfg = AutoAttack.Config.standard(Norm.LINF, 0.3, 0, 100);
 * AutoAttack.Result r = AutoAttack.run(Classifier.of(model), x, y, cfg, null, AutoAttack.Listener.NONE);
 * System.out.println(r.robustAccuracy());
 * }</pre>
 */
public final class AutoAttack {
    private AutoAttack() {}

    /**
     * What to run: the norm and radius (pixel units, box [0, 1]), the seed, the batch size (points per attack call),
     * the version and its components.
     */
    public record Config(Norm norm, double eps, long seed, int batchSize, AutoAttackVersion version, List<Component> components) {
        public Config {
            if (norm != Norm.LINF && norm != Norm.L2 && norm != Norm.L1)
                throw new IllegalArgumentException("autoattack: norm must be linf, l2 or l1, got " + (norm == null ? "none" : norm.label()));
            if (!(eps > 0) || Double.isInfinite(eps)) throw new IllegalArgumentException("autoattack: eps must be finite and > 0, got " + eps);
            if (batchSize < 1) throw new IllegalArgumentException("autoattack: batch size must be >= 1, got " + batchSize);
            if (components == null || components.isEmpty()) throw new IllegalArgumentException("autoattack: no attacks to run");
            components = List.copyOf(components);
        }

        /** The standard version (the reference protocol) at this norm and radius. */
        public static Config standard(Norm norm, double eps, long seed, int batchSize) {
            return of(AutoAttackVersion.STANDARD, norm, eps, seed, batchSize);
        }

        /** A version's components at this norm (not {@code custom}: use the canonical constructor). */
        public static Config of(AutoAttackVersion v, Norm norm, double eps, long seed, int batchSize) {
            return new Config(norm, eps, seed, batchSize, v, v.components(norm));
        }

        public ThreatModel threat() {
            return ThreatModel.of(norm, eps);
        }

        public List<String> names() {
            return components.stream().map(Component::name).toList();
        }
    }

    /** One attack's totals: points attacked and broken, robust accuracy after it, time, model calls. */
    public record AttackStats(String name, String spec, int attacked, int broken, double robustAccuracyAfter, double seconds, long modelCalls) {}

    /** The outcome of a run: accuracies, per-attack totals, per-point state, the adversarial batch, warnings. */
    public record Result(Config config, AutoAttackState state, double cleanAccuracy, double robustAccuracy, List<AttackStats> attacks,
                         List<String> warnings, Tensor adversarial) {}

    /** Progress, checkpoints and log lines of a run. */
    public interface Listener {
        /** {@code done} of {@code total} work units (points times attacks); status names the current attack. */
        default void progress(long done, long total, String status) {}

        /** The state after a batch: write it to resume from (the state is live; copy what you keep). */
        default void checkpoint(AutoAttackState state) throws IOException {}

        /** A line for the user (an attack starting or ending, a warning). */
        default void log(String line) {}

        Listener NONE = new Listener() {};
    }

    /**
     * Runs (or, given a previous state, continues) an AutoAttack evaluation.
     *
     * @param model   the classifier
     * @param x       clean points {@code [N, ...]} in [0, 1]
     * @param y       labels, int32 {@code [N]}
     * @param index   data set index of each point, for the per-sample file (null: 0..N-1)
     * @param resume  the state of an interrupted run with the same model, points and config (null: a new run)
     * @throws IOException when a checkpoint cannot be written
     */
    public static Result run(Classifier model, Tensor x, Tensor y, int[] index, Config cfg, AutoAttackState resume, Listener listener) throws IOException {
        if (listener == null) listener = Listener.NONE;
        int n = x.size(0);
        if (y.dtype() != DType.INT32 || y.dim() != 1 || y.size(0) != n)
            throw new IllegalArgumentException("autoattack: labels must be int32 [" + n + "], got " + y.dtype().label() + " " + Shape.str(y.shape()));
        if (n == 0) throw new IllegalArgumentException("autoattack: no points to attack");
        int features = x.numel() / n;
        int[] idx = index != null ? index : dev.brink.robust.autoattack.AutoAttack.range(n);
        int k = cfg.components().size();
        Tensor xf = x.detach().to(DType.FLOAT32).contiguous();
        AutoAttackState st = resume != null ? resume : new AutoAttackState(idx, y.toIntArray(), features, xf.toFloatArray(), k);
        if (resume != null) checkResumable(resume, idx, y.toIntArray(), features, k);

        List<String> warnings = new ArrayList<>();
        int[] clean = predictAll(model, xf, cfg.batchSize());
        if (resume != null && !Arrays.equals(clean, st.cleanPrediction))
            throw new IllegalArgumentException("autoattack: the clean predictions differ from the resumed run's: another model or other data was used");
        System.arraycopy(clean, 0, st.cleanPrediction, 0, n);

        // The reference's checks, on the first batch
        Tensor x0 = xf.slice(0, 0, Math.min(n, cfg.batchSize())).contiguous();
        Tensor z0;
        try (GradMode.Scope s = GradMode.noGrad()) {
            z0 = model.logits(x0);
        }
        int classes = z0.size(1);
        for (int i = 0; i < n; i++)
            if (st.label[i] < 0 || st.label[i] >= classes)
                throw new IllegalArgumentException("autoattack: label " + st.label[i] + " of point " + idx[i] + " is outside the " + classes
                        + " classes of " + model.name() + "'s outputs");
        if (cfg.version() != AutoAttackVersion.RAND) warnings.addAll(SanityChecks.randomized(model, x0));
        warnings.addAll(SanityChecks.probabilityOutputs(z0));
        int[] firstCorrect = rows(st, 0, x0.size(0), true);
        if (firstCorrect.length > 0)
            warnings.addAll(SanityChecks.gradients(model, select(xf, firstCorrect), Tensor.ofInts(pick(st.label, firstCorrect), firstCorrect.length)));
        for (String w : warnings) listener.log("warning: " + w);

        ThreatModel threat = cfg.threat();
        int correct = st.cleanCorrectCount();
        long total = (long) correct * k, doneUnits = 0;
        List<String> notes = new ArrayList<>();
        List<Component> runnable = new ArrayList<>();
        for (Component c : cfg.components()) runnable.add(c.forClasses(classes, notes));
        for (String w : notes) listener.log("note: " + w);
        warnings.addAll(notes);
        for (int a = 0; a < k; a++) {
            Component c = runnable.get(a);
            if (c == null) {
                for (int i = 0; i < n; i++) if (st.robust(i) && st.done[i] == a) st.done[i] = a + 1;
                doneUnits += st.robustCount();
                continue;
            }
            Attack attack = c.attack();
            if (!attack.supportedNorms().contains(cfg.norm()))
                throw new IllegalArgumentException("autoattack: " + c.name() + " (" + c.spec() + ") does not run in " + cfg.norm().label());
            List<Integer> todo = new ArrayList<>();
            for (int i = 0; i < n; i++) if (st.robust(i) && st.done[i] == a) todo.add(i);
            int skipped = correct - todo.size();
            doneUnits += skipped;
            listener.progress(doneUnits, total, c.name());
            if (!todo.isEmpty()) listener.log(String.format(Locale.ROOT, "%s: %d points to attack", c.name(), todo.size()));
            for (int from = 0; from < todo.size(); from += cfg.batchSize()) {
                int[] b = todo.subList(from, Math.min(todo.size(), from + cfg.batchSize())).stream().mapToInt(Integer::intValue).toArray();
                Tensor xb = select(xf, b);
                Tensor yb = Tensor.ofInts(pick(st.label, b), b.length);
                long calls0 = model.calls();
                long t0 = System.nanoTime();
                Generator gen = new Generator(Generator.bits(cfg.seed(), a * 1_000_003L + b[0]));
                AttackResult r = attack.run(model, xb, yb, threat, Goal.UNTARGETED, gen);
                Tensor adv = r.adversarial().to(DType.FLOAT32);
                double advSum;
                try (GradMode.Scope s = GradMode.noGrad()) {
                    advSum = adv.sum().item();  // points of the box: the sum cannot overflow
                }
                if (!Double.isFinite(advSum))
                    throw new NonFiniteLogitsException("autoattack: " + c.name() + " (" + c.spec() + ") returned NaN or infinite adversarial points on "
                            + model.name() + " (in the batch from point " + idx[b[0]] + "): its gradients are broken, so no robust accuracy can be reported");
                int[] pred = predict(model, adv, -1, c.name() + "'s adversarial points (in the batch from point " + idx[b[0]] + ")");
                st.seconds[a] += (System.nanoTime() - t0) / 1e9;
                st.modelCalls[a] += model.calls() - calls0;
                st.attacked[a] += b.length;
                Tensor d = adv.sub(xb);
                double[] nInf, n2, n1;
                try (GradMode.Scope s = GradMode.noGrad()) {
                    nInf = Projections.norm(d, Norm.LINF).toDoubleArray();
                    n2 = Projections.norm(d, Norm.L2).toDoubleArray();
                    n1 = Projections.norm(d, Norm.L1).toDoubleArray();
                }
                float[] advHost = adv.contiguous().toFloatArray();
                for (int j = 0; j < b.length; j++) {
                    int i = b[j];
                    st.done[i] = a + 1;
                    if (pred[j] != st.label[i]) {
                        st.brokenBy[i] = a;
                        st.adversarialPrediction[i] = pred[j];
                        st.linf[i] = nInf[j];
                        st.l2[i] = n2[j];
                        st.l1[i] = n1[j];
                        System.arraycopy(advHost, j * features, st.adversarial, i * features, features);
                    }
                }
                doneUnits += b.length;
                listener.progress(doneUnits, total, String.format(Locale.ROOT, "%s robust %.4f", c.name(), st.robustCount() / (double) n));
                listener.checkpoint(st);
            }
            if (!todo.isEmpty())
                listener.log(String.format(Locale.ROOT, "robust accuracy after %s: %.4f (%.1f s, %,d model calls)", c.name(), st.robustAfter(a) / (double) n,
                        st.seconds[a], st.modelCalls[a]));
        }
        for (int i = 0; i < n; i++) if (st.robust(i)) st.adversarialPrediction[i] = st.cleanPrediction[i];
        for (int i = 0; i < n; i++) if (!st.cleanCorrect(i)) st.adversarialPrediction[i] = st.cleanPrediction[i];

        List<AttackStats> stats = new ArrayList<>();
        double[] after = new double[k];
        for (int a = 0; a < k; a++) {
            after[a] = st.robustAfter(a) / (double) n;
            Component c = cfg.components().get(a);
            stats.add(new AttackStats(c.name(), c.spec(), st.attacked[a], st.brokenByCount(a), after[a], st.seconds[a], st.modelCalls[a]));
        }
        List<String> late = new ArrayList<>(SanityChecks.squareBeatsWhiteBox(cfg.names(), after));
        late.addAll(checkOutputs(st, xf, cfg));
        for (String w : late) listener.log("warning: " + w);
        warnings.addAll(late);
        int[] shape = x.shape().clone();
        Tensor advAll = Tensor.of(st.adversarial.clone(), shape);
        return new Result(cfg, st, st.cleanCorrectCount() / (double) n, st.robustCount() / (double) n, List.copyOf(stats), List.copyOf(warnings), advAll);
    }

    /** The reference's final check: every adversarial point finite, in the box and within eps (1e-5 slack). */
    private static List<String> checkOutputs(AutoAttackState st, Tensor xf, Config cfg) {
        float[] clean = xf.toFloatArray();
        int outside = 0, nonFinite = 0;
        for (int i = 0; i < st.n; i++) {
            double inf = 0, s2 = 0, s1 = 0;
            boolean bad = false;
            for (int f = 0; f < st.features; f++) {
                float v = st.adversarial[i * st.features + f];
                if (!Float.isFinite(v)) bad = true;
                else if (v < 0 || v > 1) bad = true;
                double dv = Math.abs(v - clean[i * st.features + f]);
                inf = Math.max(inf, dv);
                s2 += dv * dv;
                s1 += dv;
            }
            if (bad) nonFinite++;
            double norm = switch (cfg.norm()) {
                case LINF -> inf;
                case L2 -> Math.sqrt(s2);
                default -> s1;
            };
            if (norm > cfg.eps() * (1 + 1e-5) + 1e-6) outside++;
        }
        List<String> w = new ArrayList<>();
        if (nonFinite > 0) w.add(nonFinite + " adversarial points are outside [0, 1] or not finite");
        if (outside > 0) w.add(outside + " adversarial points are farther than eps from their clean point in " + cfg.norm().label());
        return w;
    }

    static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }

    private static void checkResumable(AutoAttackState s, int[] index, int[] labels, int features, int k) {
        if (s.n != labels.length || s.features != features || s.seconds.length != k)
            throw new IllegalArgumentException("autoattack: the resumed run has " + s.n + " points of " + s.features + " features and " + s.seconds.length
                    + " attacks, this one " + labels.length + " of " + features + " and " + k);
        if (!Arrays.equals(s.index, index) || !Arrays.equals(s.label, labels))
            throw new IllegalArgumentException("autoattack: the resumed run attacked other points (indices or labels differ)");
    }

    private static int[] rows(AutoAttackState st, int from, int to, boolean correctOnly) {
        List<Integer> r = new ArrayList<>();
        for (int i = from; i < to; i++) if (!correctOnly || st.cleanCorrect(i)) r.add(i);
        return r.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int[] pick(int[] a, int[] idx) {
        int[] out = new int[idx.length];
        for (int j = 0; j < idx.length; j++) out[j] = a[idx[j]];
        return out;
    }

    private static Tensor select(Tensor x, int[] idx) {
        return x.indexSelect(0, Tensor.ofInts(idx, idx.length)).contiguous();
    }

    /** Predictions, refusing NaN or infinite logits (naming the model and the first bad point). */
    private static int[] predict(Classifier model, Tensor x, int firstIndex, String inputs) {
        try (GradMode.Scope s = GradMode.noGrad()) {
            Tensor z = model.logits(x.detach());
            NonFiniteLogitsException.check(z, model.name(), firstIndex, inputs);
            return dev.brink.nn.train.Objective.predictions(z);
        }
    }

    private static int[] predictAll(Classifier model, Tensor x, int batch) {
        int n = x.size(0);
        int[] out = new int[n];
        for (int from = 0; from < n; from += batch) {
            int to = Math.min(n, from + batch);
            int[] p = predict(model, x.slice(0, from, to).contiguous(), from, "clean points");
            System.arraycopy(p, 0, out, from, p.length);
        }
        return out;
    }
}

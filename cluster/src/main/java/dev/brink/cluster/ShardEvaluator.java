package dev.brink.cluster;

import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.robust.attack.Classifier;
import dev.brink.robust.attack.Norm;
import dev.brink.robust.attack.Projections;
import dev.brink.robust.attack.ThreatModel;
import dev.brink.robust.autoattack.AutoAttack;
import dev.brink.robust.autoattack.AutoAttackState;
import dev.brink.robust.eval.AttackSpec;
import dev.brink.robust.eval.RobustEvaluation;
import dev.brink.robust.eval.TargetSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs one {@link EvalTask} on one machine and returns its per-sample rows, through the library's own evaluations:
 * {@link RobustEvaluation#evaluate} for a registry attack (the code behind {@code brink eval} and {@code brink sweep},
 * in batches of the task's batch size, with the shard's seed), {@link AutoAttack#run} for {@code autoattack} (each
 * component runs only on the shard's points every earlier one left standing). No Spark here: the executors of
 * {@link SparkEvaluation} and the single-machine {@link LocalEvaluation} call the same method.
 */
public final class ShardEvaluator {
    private ShardEvaluator() {}

    /**
     * @param model  the classifier (a fresh {@link Classifier} per task, so its call counter counts this task's calls)
     * @param points the evaluated points (the task's shard is {@code [task.from(), task.to())})
     * @param task   what to run
     */
    public static List<SampleResult> evaluate(Classifier model, Points points, EvalTask task) {
        AttackSpec spec = AttackSpec.parse(task.attack());
        String label = spec.label();
        Norm norm = Norm.parse(task.norm());
        Tensor x = points.x(task.from(), task.to()), y = points.y(task.from(), task.to());
        int n = task.size();
        int[] labels = Arrays.copyOfRange(points.labels(), task.from(), task.to());
        int[] index = Arrays.copyOfRange(points.indices(), task.from(), task.to());
        int[] clean = new int[n];
        for (int from = 0; from < n; from += task.batchSize()) {
            int to = Math.min(n, from + task.batchSize());
            System.arraycopy(RobustEvaluation.predict(model, x.slice(0, from, to).contiguous(), index[from], "clean samples"), 0, clean, from, to - from);
        }
        Outcome o = new Outcome(n, clean);
        if (task.eps() > 0) {
            if (spec.name().equals(AttackChoice.AUTOATTACK)) autoAttack(model, x, y, index, task, norm, spec, o);
            else registryAttack(model, x, y, task, norm, spec, label, o);
        }
        List<SampleResult> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
            rows.add(new SampleResult(task.model(), label, task.norm(), task.eps(), index[i], labels[i], clean[i], o.prediction[i], o.attacked[i], o.success[i],
                    o.norms[3][i], o.norms[2][i], o.norms[1][i], o.norms[0][i], o.seconds / n, task.shard(), o.calls, o.seconds));
        return rows;
    }

    /** Per-sample outcome of a shard; norms indexed by {@link Norm#ordinal()} (L0, L1, L2, L-inf), NaN where not attacked. */
    private static final class Outcome {
        final int[] prediction;
        final boolean[] attacked, success;
        final double[][] norms;
        long calls;
        double seconds;

        Outcome(int n, int[] clean) {
            prediction = clean.clone();
            attacked = new boolean[n];
            success = new boolean[n];
            norms = new double[4][n];
            for (double[] a : norms) Arrays.fill(a, Double.NaN);
        }
    }

    private static void registryAttack(Classifier model, Tensor x, Tensor y, EvalTask task, Norm norm, AttackSpec spec, String label, Outcome o) {
        RobustEvaluation.Entry e = new RobustEvaluation.Entry(label, dev.brink.robust.eval.AttackFactory.create(spec), ThreatModel.of(norm, task.eps()));
        RobustEvaluation.Config cfg = new RobustEvaluation.Config(task.batchSize(), task.seed(), TargetSpec.UNTARGETED, 0, true);
        RobustEvaluation.Result r = RobustEvaluation.evaluate(model, x, y, List.of(e), cfg, RobustEvaluation.Progress.NONE);
        RobustEvaluation.Adversarial adv = r.adversarial().get(0);
        o.calls = r.attacks().get(0).modelCalls(); // the attack's calls, as brink sweep counts them
        o.seconds = r.attacks().get(0).seconds();
        if (adv.size() == 0) return;
        double[][] norms = norms(adv.adversarial().sub(adv.x()));
        for (int j = 0; j < adv.size(); j++) {
            int i = adv.indices()[j];
            o.attacked[i] = true;
            o.success[i] = adv.success()[j];
            o.prediction[i] = adv.predicted()[j];
            for (int k = 0; k < 4; k++) o.norms[k][i] = norms[k][j];
        }
    }

    private static void autoAttack(Classifier model, Tensor x, Tensor y, int[] index, EvalTask task, Norm norm, AttackSpec spec, Outcome o) {
        AttackChoice choice = new AttackChoice(spec.text(), spec.label(), norm);
        AutoAttack.Config cfg = AutoAttack.Config.of(choice.version(), norm, task.eps(), task.seed(), task.batchSize());
        AutoAttack.Result r;
        try {
            r = AutoAttack.run(model, x, y, index, cfg, null, AutoAttack.Listener.NONE);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex); // no checkpoints are written here
        }
        AutoAttackState st = r.state();
        for (long c : st.modelCalls) o.calls += c;
        for (double s : st.seconds) o.seconds += s;
        Tensor d = r.adversarial().sub(x);
        double[][] norms = norms(d);
        for (int i = 0; i < st.n; i++) {
            o.attacked[i] = st.cleanCorrect(i);
            o.success[i] = st.cleanCorrect(i) && st.brokenBy[i] >= 0;
            o.prediction[i] = st.adversarialPrediction[i];
            if (o.attacked[i]) for (int k = 0; k < 4; k++) o.norms[k][i] = norms[k][i];
        }
    }

    /** Per-sample L0, L1, L2 and L-inf norms of perturbations {@code [M, ...]}. */
    private static double[][] norms(Tensor d) {
        double[][] out = new double[4][];
        try (GradMode.Scope s = GradMode.noGrad()) {
            for (Norm n : Norm.values()) out[n.ordinal()] = Projections.norm(d.detach(), n).toDoubleArray();
        }
        return out;
    }
}

package dev.brink.robust.eval;

import dev.brink.engine.Tensor;
import dev.brink.nn.data.Dataset;
import dev.brink.robust.attack.Attack;
import dev.brink.robust.attack.Classifier;
import dev.brink.robust.attack.Norm;
import dev.brink.robust.attack.ThreatModel;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Accuracy versus epsilon: every attack of a list at every epsilon of a range, on the same samples. Each point is a
 * {@link RobustEvaluation} of all the attacks, so besides one row per attack it gives the worst case over the
 * attacks (when they share a norm).
 *
 * <p>Seed 000 (Galloway et al.) sweeps "through the full dynamic range, or until accuracy is reduced to less than
 * chance", usually to zero (Athalye et al. proposed attacking until models reach zero accuracy to rule out gradient
 * masking). With {@link Config#untilZero()} the sweep goes on past the range, one {@code step} at a time, until
 * every attack has brought accuracy down to {@link Config#stopAccuracy()} (0 by default) or epsilon reaches
 * {@link Config#maxEps()} (by default the largest perturbation the box allows in the norm: 1 for L-inf, sqrt(D)
 * for L2, D for L1 and L0, with D features per sample). An attack that has reached the stop accuracy is not run at
 * later extension points; inside the range every attack runs at every point.
 */
public final class Sweep {
    private Sweep() {}

    /** The label of the worst-case rows. */
    public static final String WORST_CASE = "worst-case";

    /** An attack of the sweep with the norm its epsilons are measured in. */
    public record SweepAttack(String label, Attack attack, Norm norm) {
        public SweepAttack {
            if (!attack.supportedNorms().contains(norm))
                throw new IllegalArgumentException(label + ": norm " + norm.label() + " is not supported by " + attack.name());
        }
    }

    /**
     * @param eps          the epsilons, in order
     * @param untilZero    extend past the last epsilon until accuracy reaches {@code stopAccuracy}
     * @param step         the extension step (default: the range's own step)
     * @param maxEps       where the extension stops at the latest; NaN for the box's limit in the norm
     * @param stopAccuracy the accuracy at which an attack counts as done (0: "until zero")
     */
    public record Config(double[] eps, boolean untilZero, double step, double maxEps, double stopAccuracy,
                         int batchSize, long seed, TargetSpec target) {
        public Config {
            if (eps == null || eps.length == 0) throw new IllegalArgumentException("sweep: no epsilons");
            for (double e : eps) if (!(e >= 0) || Double.isInfinite(e)) throw new IllegalArgumentException("sweep: eps must be finite and >= 0, got " + e);
            if (untilZero && !(step > 0)) throw new IllegalArgumentException("sweep: --until-zero needs a step > 0, got " + step);
            if (target == null) target = TargetSpec.UNTARGETED;
        }

        public static Config of(EpsRange r, boolean untilZero, int batchSize, long seed) {
            return new Config(r.values(), untilZero, r.step(), Double.NaN, 0, batchSize, seed, TargetSpec.UNTARGETED);
        }

        public Config withMaxEps(double m) {
            return new Config(eps, untilZero, step, m, stopAccuracy, batchSize, seed, target);
        }

        public Config withTarget(TargetSpec t) {
            return new Config(eps, untilZero, step, maxEps, stopAccuracy, batchSize, seed, t);
        }

        public Config withStopAccuracy(double a) {
            return new Config(eps, untilZero, step, maxEps, a, batchSize, seed, target);
        }
    }

    /** One point of one attack's curve (the CSV row). Means are over successful samples; NaN when none. */
    public record Row(String attack, Norm norm, double eps, int samples, double cleanAccuracy, double accuracy, double successRate,
                      double meanL0, double meanL1, double meanL2, double meanLinf, long modelCalls, double seconds) {}

    /** Observes a sweep. */
    public interface Listener {
        /** A point is about to run; {@code extension} is true past the given range. */
        default RobustEvaluation.Progress pointStart(double eps, int index, int count, boolean extension) {
            return RobustEvaluation.Progress.NONE;
        }

        /** A point finished with these rows (one per attack, then the worst case). */
        default void pointEnd(double eps, List<Row> rows) {}
    }

    /** Sweeps on a data set. */
    public static List<Row> run(Classifier model, Dataset data, List<SweepAttack> attacks, Config cfg, Listener listener) {
        Tensor[] xy = {data.x(0, data.size()), data.y(0, data.size())};
        return run(model, xy[0], xy[1], attacks, cfg, listener);
    }

    /** Sweeps on tensors: inputs {@code [N, ...]} in [0, 1], int32 labels {@code [N]}. */
    public static List<Row> run(Classifier model, Tensor x, Tensor y, List<SweepAttack> attacks, Config cfg, Listener listener) {
        if (attacks.isEmpty()) throw new IllegalArgumentException("sweep: no attacks");
        Listener l = listener == null ? new Listener() {} : listener;
        Set<Norm> norms = new LinkedHashSet<>();
        for (SweepAttack a : attacks) norms.add(a.norm());
        int features = x.numel() / Math.max(1, x.size(0));
        double cap = cfg.maxEps();
        if (Double.isNaN(cap)) {
            cap = 0;
            for (Norm n : norms) cap = Math.max(cap, boxLimit(n, features));
        }
        List<Row> rows = new ArrayList<>();
        List<SweepAttack> active = new ArrayList<>(attacks);
        double[] eps = cfg.eps();
        for (int i = 0; i < eps.length; i++) {
            rows.addAll(point(model, x, y, attacks, eps[i], cfg, l, i, eps.length, false, features));
        }
        if (cfg.untilZero()) {
            double last = eps[eps.length - 1];
            int k = 1;
            while (true) {
                active.removeIf(a -> reached(rows, a.label(), cfg.stopAccuracy()));
                if (active.isEmpty()) break;
                double e = EpsRange.round(last + k * cfg.step());
                if (e > cap + 1e-9) break;
                if (k > 10_000) break;
                rows.addAll(point(model, x, y, List.copyOf(active), e, cfg, l, -1, -1, true, features));
                k++;
            }
        }
        return rows;
    }

    /** Whether the attack's latest row is at or below the stop accuracy. */
    private static boolean reached(List<Row> rows, String label, double stop) {
        for (int i = rows.size() - 1; i >= 0; i--) {
            Row r = rows.get(i);
            if (r.attack().equals(label)) return r.accuracy() <= stop + 1e-12;
        }
        return false;
    }

    /** The largest perturbation the [0, 1] box allows in a norm, for {@code d} features. */
    public static double boxLimit(Norm n, int d) {
        return switch (n) {
            case LINF -> 1.0;
            case L2 -> Math.sqrt(d);
            case L1, L0 -> d;
        };
    }

    private static List<Row> point(Classifier model, Tensor x, Tensor y, List<SweepAttack> attacks, double eps, Config cfg, Listener l,
                                   int index, int count, boolean extension, int features) {
        RobustEvaluation.Progress p = l.pointStart(eps, index, count, extension);
        List<Row> rows = new ArrayList<>();
        int n = x.size(0);
        if (eps == 0) {
            // nothing can change: the clean accuracy, no model calls spent on attacks
            RobustEvaluation.Result r = RobustEvaluation.evaluate(model, x, y, List.of(), RobustEvaluation.Config.of(cfg.batchSize(), cfg.seed()), p);
            for (SweepAttack a : attacks)
                rows.add(new Row(a.label(), a.norm(), 0, n, r.cleanAccuracy(), r.cleanAccuracy(), 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, 0));
            if (attacks.size() > 1 && sameNorm(attacks))
                rows.add(new Row(WORST_CASE, attacks.get(0).norm(), 0, n, r.cleanAccuracy(), r.cleanAccuracy(), 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, 0));
            l.pointEnd(eps, rows);
            return rows;
        }
        List<RobustEvaluation.Entry> entries = new ArrayList<>();
        for (SweepAttack a : attacks) entries.add(new RobustEvaluation.Entry(a.label(), a.attack(), ThreatModel.of(a.norm(), eps)));
        RobustEvaluation.Config rc = new RobustEvaluation.Config(cfg.batchSize(), cfg.seed(), cfg.target(), 0, false);
        RobustEvaluation.Result r = RobustEvaluation.evaluate(model, x, y, entries, rc, p);
        long calls = 0;
        double secs = 0;
        for (RobustEvaluation.AttackStats s : r.attacks()) {
            rows.add(new Row(s.label(), s.threat().norm(), eps, n, r.cleanAccuracy(), s.accuracy(), s.successRate(), s.meanNorm(Norm.L0),
                    s.meanNorm(Norm.L1), s.meanNorm(Norm.L2), s.meanNorm(Norm.LINF), s.modelCalls(), s.seconds()));
            calls += s.modelCalls();
            secs += s.seconds();
        }
        if (attacks.size() > 1 && sameNorm(attacks)) {
            double success = r.cleanCorrect() == 0 ? Double.NaN : 1.0 - (double) r.robust() / r.cleanCorrect();
            rows.add(new Row(WORST_CASE, attacks.get(0).norm(), eps, n, r.cleanAccuracy(), r.robustAccuracy(), success,
                    Double.NaN, Double.NaN, Double.NaN, Double.NaN, calls, secs));
        }
        l.pointEnd(eps, rows);
        return rows;
    }

    private static boolean sameNorm(List<SweepAttack> attacks) {
        for (SweepAttack a : attacks) if (a.norm() != attacks.get(0).norm()) return false;
        return true;
    }

    /** A short summary of a row for logs. */
    public static String describe(Row r) {
        return String.format(Locale.ROOT, "%-24s %-4s eps %-7s accuracy %.4f  success %s  mean l2 %s  linf %s  calls %d",
                r.attack(), r.norm().label(), EpsRange.format(r.eps()), r.accuracy(), fmt(r.successRate()), fmt(r.meanL2()), fmt(r.meanLinf()), r.modelCalls());
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }
}

package dev.brink.robust.analysis;

import dev.brink.engine.Generator;
import dev.brink.nn.data.Batch;
import dev.brink.robust.attack.AttackResult;
import dev.brink.robust.attack.Attacks;
import dev.brink.robust.attack.Classifier;
import dev.brink.robust.attack.DeepFool;
import dev.brink.robust.attack.Goal;
import dev.brink.robust.attack.Norm;
import dev.brink.robust.attack.ThreatModel;
import dev.brink.robust.train.EffectiveMargins;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Which points are provably robust, next to how far the boundary empirically is. Per evaluation point (the first
 * {@code points}): the logit margin {@code m = z_y - max_{j != y} z_j}; the certified L2 radius
 * {@code m / (sqrt(2) L)} with L the network's Lipschitz bound from layer spectral norms ({@link LipschitzBound}),
 * since each {@code z_y - z_j} is {@code sqrt(2) L}-Lipschitz (Tsuzuku et al. 2018); the CLEVER estimate
 * ({@link Clever}); Liu and Chan's effective margin; and the L2 distance DeepFool needs (unbounded, infinity where
 * it fails). A point is provably robust at eps when it is classified correctly and its certified radius is at
 * least eps. The certified radius never exceeds the true distance to the boundary, so it never exceeds DeepFool's.
 */
public final class CertifiedMargins implements Analysis {
    public static final List<Attacks.Option> OPTIONS = List.of(
            new Attacks.Option("points", "100", "evaluation points (the first N)"),
            new Attacks.Option("eps", "0.1/0.5/1", "L2 radii at which certified points are counted (/-separated)"),
            new Attacks.Option("power-iterations", "200", "power-iteration cap per layer"),
            new Attacks.Option("clever-radius", "2", "L2 radius of CLEVER's sampling ball"),
            new Attacks.Option("clever-batches", "10", "CLEVER batches (0: skip CLEVER)"),
            new Attacks.Option("clever-samples", "32", "CLEVER samples per batch"));

    private final int points, iterations, batches, samples;
    private final double[] eps;
    private final double cleverRadius;

    public CertifiedMargins(int points, double[] eps, int iterations, double cleverRadius, int batches, int samples) {
        if (points < 1) throw new IllegalArgumentException("certify: points must be >= 1, got " + points);
        if (iterations < 1) throw new IllegalArgumentException("certify: power-iterations must be >= 1, got " + iterations);
        if (!(cleverRadius > 0)) throw new IllegalArgumentException("certify: clever-radius must be positive, got " + cleverRadius);
        if (batches < 0 || samples < 1) throw new IllegalArgumentException("certify: clever-batches >= 0 and clever-samples >= 1, got " + batches + ", " + samples);
        this.points = points;
        this.eps = eps.clone();
        this.iterations = iterations;
        this.cleverRadius = cleverRadius;
        this.batches = batches;
        this.samples = samples;
    }

    static Analysis fromOptions(Attacks.Options o) {
        return new CertifiedMargins(o.integer("points"), InputDerivatives.reals(o, "eps"), o.integer("power-iterations"),
                o.real("clever-radius"), o.integer("clever-batches"), o.integer("clever-samples"));
    }

    /** Per-point results. */
    public record Point(int label, int prediction, double logitMargin, double certified, double clever, double effective, double deepfool) {}

    /** The network's bound and each point's numbers for a batch. */
    public record Result(LipschitzBound.Result lipschitz, List<Point> points) {}

    public static Result compute(dev.brink.nn.Module model, Batch b, int iterations, double cleverRadius, int batches, int samples, long seed,
                                 dev.brink.robust.progress.ProgressBar bar) {
        int n = b.size();
        LipschitzBound.Result lip = LipschitzBound.of(model, b.x().slice(0, 0, 1), iterations, 1e-3, seed);
        double[][] z = InputFunctions.logits(model, b.x());
        int[] y = b.y().toIntArray();
        double[] eff = EffectiveMargins.of(model, b.x(), b.y());
        AttackResult df = new DeepFool(50, 0.02).run(new Classifier(model::forward), b.x(), b.y(), ThreatModel.of(Norm.L2, 1e6), Goal.UNTARGETED, new Generator(seed));
        List<Point> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double m = InputFunctions.decision(z[i], y[i]);
            int pred = m > 0 ? y[i] : InputFunctions.runnerUp(z[i], y[i]);
            double cert = m > 0 ? m / (Math.sqrt(2) * lip.bound()) : 0;
            double clever = Double.NaN;
            if (batches > 0 && m > 0)
                clever = Clever.of(model, b.x().slice(0, i, i + 1).detach(), y[i], cleverRadius, batches, samples, seed + i).score();
            double dfl2 = m <= 0 ? 0 : df.success()[i] ? df.norms().l2()[i] : Double.POSITIVE_INFINITY;
            out.add(new Point(y[i], pred, m, cert, clever, eff[i], dfl2));
            if (bar != null) bar.update(i + 1, i + 1, "");
        }
        return new Result(lip, out);
    }

    @Override
    public void run(AnalysisInput in, AnalysisOutput out) throws IOException {
        Batch b = InputFunctions.first(in.data(), points);
        Result r = compute(in.model(), b, iterations, cleverRadius, batches, samples, in.seed(), in.progress("certify", b.size()));
        List<String> header = new ArrayList<>(List.of("index", "label", "prediction", "logit_margin", "certified_l2", "clever_l2", "effective_margin", "deepfool_l2"));
        for (double e : eps) header.add("provably_robust_" + e);
        List<List<?>> rows = new ArrayList<>();
        int[] certified = new int[eps.length];
        int correct = 0;
        double sumCert = 0, sumDf = 0, worstRatio = 0;
        for (int i = 0; i < r.points().size(); i++) {
            Point p = r.points().get(i);
            List<Object> row = new ArrayList<>(List.of(i, p.label(), p.prediction(), p.logitMargin(), p.certified(), p.clever(), p.effective(), p.deepfool()));
            for (int k = 0; k < eps.length; k++) {
                boolean ok = p.logitMargin() > 0 && p.certified() >= eps[k];
                if (ok) certified[k]++;
                row.add(ok);
            }
            if (p.logitMargin() > 0) {
                correct++;
                sumCert += p.certified();
                if (Double.isFinite(p.deepfool())) {
                    sumDf += p.deepfool();
                    worstRatio = Math.max(worstRatio, p.certified() / p.deepfool());
                }
            }
            rows.add(row);
        }
        out.csv("certified.csv", "per point: logit margin, certified L2 radius (margin / (sqrt 2 L)), CLEVER estimate, effective margin, DeepFool L2 distance, provably robust at each eps",
                header, rows);
        List<List<?>> layers = new ArrayList<>();
        for (LipschitzBound.Layer l : r.lipschitz().layers()) layers.add(List.of(l.path(), l.kind(), l.lipschitz()));
        out.csv("lipschitz-layers.csv", "per-layer Lipschitz constants whose product bounds the network's", List.of("layer", "kind", "lipschitz"), layers);
        out.summary("lipschitz_bound", r.lipschitz().bound());
        out.summary("points", r.points().size());
        out.summary("correct", correct);
        out.summary("mean_certified_l2", correct == 0 ? Double.NaN : sumCert / correct);
        out.summary("mean_deepfool_l2", correct == 0 ? Double.NaN : sumDf / correct);
        out.summary("max_certified_over_deepfool", worstRatio);
        for (int k = 0; k < eps.length; k++) out.summary("provably_robust_fraction_" + eps[k], (double) certified[k] / r.points().size());
        Figures.certified(out, r.points());
    }
}

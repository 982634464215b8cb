package dev.brink.robust.analysis;

import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.robust.attack.Attacks;
import dev.brink.robust.attack.AttackResult;
import dev.brink.robust.attack.Classifier;
import dev.brink.robust.attack.GradientDescent;
import dev.brink.robust.attack.Goal;
import dev.brink.robust.attack.Norm;
import dev.brink.robust.attack.ThreatModel;
import dev.brink.robust.report.chart.LineChart;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The gradient-norm trace of the S-O attack beside PGD's (Li et al., Fig. 1): the mean L2 norm of the loss
 * gradient over a batch at each iteration of the attack (the {@code trace=true} record of
 * {@link GradientDescent#lastGradientNormTrace}), without early stop so every sample stays in the mean. A gradient
 * that vanishes as PGD proceeds while S-O keeps finding one is Li et al.'s sign of gradient masking. Runs on the
 * first {@code n} samples in batches of {@code batch} (S-O evaluates {@code samples} noisy copies of every input at
 * once, so 1000 MNIST images in one batch needed more than a 6 GB heap); each iteration's mean is the mean over all n
 * samples (the batches' means weighted by their sizes), the same quantity as one batch. Writes
 * {@code gradient-trace.csv} and {@code gradient-trace.png} (log scale).
 */
public final class GradientTrace implements Analysis {
    public static final List<Attacks.Option> OPTIONS = List.of(
            new Attacks.Option("n", "100", "samples"),
            new Attacks.Option("batch", "100", "samples per attack batch"),
            new Attacks.Option("norm", "l2", "threat norm: l2 or linf"),
            new Attacks.Option("eps", "2", "threat radius (Li et al.: l2 4.0, linf 0.3 on MNIST)"),
            new Attacks.Option("steps", "40", "attack iterations"),
            new Attacks.Option("samples", "8", "S-O: Gaussian samples per iteration"),
            new Attacks.Option("sigma", "0.05", "S-O: smoothing standard deviation"));

    private final int n, batch, steps, samples;
    private final Norm norm;
    private final double eps, sigma;

    public GradientTrace(int n, int batch, Norm norm, double eps, int steps, int samples, double sigma) {
        if (n < 1 || batch < 1 || steps < 1 || samples < 1) throw new IllegalArgumentException("so-trace: n, batch, steps and samples must be at least 1");
        if (norm != Norm.L2 && norm != Norm.LINF) throw new IllegalArgumentException("so-trace: norm must be l2 or linf, got " + norm.label());
        if (!(eps > 0) || Double.isInfinite(eps)) throw new IllegalArgumentException("so-trace: eps must be finite and > 0, got " + eps);
        this.n = n;
        this.batch = batch;
        this.norm = norm;
        this.eps = eps;
        this.steps = steps;
        this.samples = samples;
        this.sigma = sigma;
    }

    static Analysis fromOptions(Attacks.Options o) {
        return new GradientTrace(o.integer("n"), o.integer("batch"), o.norm("norm"), o.real("eps"), o.integer("steps"), o.integer("samples"), o.real("sigma"));
    }

    @Override
    public void run(AnalysisInput in, AnalysisOutput out) throws IOException {
        Classifier c = Classifier.of(in.model(), in.modelName());
        Tensor[] xy = Pictures.first(in.data(), n);
        ThreatModel threat = ThreatModel.of(norm, eps);
        Map<String, String> shared = Map.of("steps", Integer.toString(steps), "early-stop", "false");
        GradientDescent pgd = (GradientDescent) Attacks.create("pgd", shared);
        Map<String, String> so = new java.util.HashMap<>(shared);
        so.put("trace", "true");
        so.put("samples", Integer.toString(samples));
        so.put("sigma", Double.toString(sigma));
        GradientDescent second = (GradientDescent) Attacks.create("second-order", so);
        LineChart chart = new LineChart(in.modelName() + ": mean gradient L2 norm during the attack (" + threat + ")", "iteration", "mean ||grad_x loss||_2").logY();
        List<List<?>> rows = new ArrayList<>();
        int total = xy[1].size(0);
        for (GradientDescent a : List.of(pgd, second)) {
            Generator gen = new Generator(in.seed());
            double[] t = new double[0];
            int succeeded = 0;
            for (int from = 0; from < total; from += batch) {
                int to = Math.min(total, from + batch);
                AttackResult r = a.run(c, xy[0].slice(0, from, to), xy[1].slice(0, from, to), threat, Goal.UNTARGETED, gen);
                for (boolean ok : r.success()) if (ok) succeeded++;
                double[] bt = a.lastGradientNormTrace(); // means over this batch: weighted by its size
                if (t.length == 0) t = new double[bt.length];
                for (int i = 0; i < Math.min(t.length, bt.length); i++) t[i] += bt[i] * (to - from) / total;
            }
            for (int i = 0; i < t.length; i++) rows.add(List.of(a.name(), i, t[i]));
            chart.add(a.name(), t);
            out.summary(a.name() + "_success_rate", (double) succeeded / total);
            if (t.length > 0) {
                out.summary(a.name() + "_grad_first", t[0]);
                out.summary(a.name() + "_grad_last", t[t.length - 1]);
            }
        }
        out.csv("gradient-trace.csv", "mean L2 norm of the loss gradient per attack iteration", List.of("attack", "iteration", "mean_grad_l2"), rows);
        out.png("gradient-trace.png", "gradient norm per iteration, PGD and S-O (Li et al., Fig. 1)", chart.render(760, 480));
        out.summary("samples", total);
    }
}

package dev.brink.robust.analysis;

import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.robust.attack.Attack;
import dev.brink.robust.attack.AttackResult;
import dev.brink.robust.attack.Attacks;
import dev.brink.robust.attack.Classifier;
import dev.brink.robust.attack.Goal;
import dev.brink.robust.attack.Norm;
import dev.brink.robust.attack.ThreatModel;
import dev.brink.robust.eval.EpsRange;
import dev.brink.robust.progress.ProgressBar;
import dev.brink.robust.report.chart.LineChart;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Accuracy against the number of input features changed (L0 curves; Galloway et al., Fig. 7: a linear model under
 * the extreme-weight-pixel attack; Fig. 11: random pixel swaps), for the L0 attacks {@code extreme-weight},
 * {@code pixel-swap} and {@code jsma} at budgets k = the {@code pixels} range, on the first {@code n} samples.
 * Accuracy is the fraction classified correctly after the attack (clean errors count as errors). Writes
 * {@code l0-curves.csv} and {@code l0-curves.png}.
 */
public final class L0Curves implements Analysis {
    public static final List<Attacks.Option> OPTIONS = List.of(
            new Attacks.Option("attacks", "extreme-weight+pixel-swap+jsma", "L0 attacks joined by +"),
            new Attacks.Option("pixels", "0:40:5", "budgets: features changed, START:STOP:STEP or a list joined by ;"),
            new Attacks.Option("n", "100", "samples (the first n)"));

    private final List<String> attacks;
    private final double[] pixels;
    private final int n;

    public L0Curves(List<String> attacks, double[] pixels, int n) {
        if (attacks.isEmpty()) throw new IllegalArgumentException("l0-curves: no attacks");
        for (String a : attacks)
            if (!Attacks.entry(a).factory().apply(Attacks.entry(a).parse(java.util.Map.of())).supportedNorms().contains(Norm.L0))
                throw new IllegalArgumentException("l0-curves: attack " + a + " is not an L0 attack");
        for (double p : pixels) if (!(p >= 0) || p != Math.floor(p)) throw new IllegalArgumentException("l0-curves: pixel budgets must be whole numbers >= 0, got " + p);
        if (n < 1) throw new IllegalArgumentException("l0-curves: n must be at least 1, got " + n);
        this.attacks = List.copyOf(attacks);
        this.pixels = pixels.clone();
        this.n = n;
    }

    static Analysis fromOptions(Attacks.Options o) {
        List<String> a = new ArrayList<>();
        for (String s : o.string("attacks").split("\\+")) if (!s.isBlank()) a.add(s.trim());
        return new L0Curves(a, EpsRange.parse(o.string("pixels").replace(';', ',')).values(), o.integer("n"));
    }

    @Override
    public void run(AnalysisInput in, AnalysisOutput out) throws IOException {
        Classifier c = Classifier.of(in.model(), in.modelName());
        Tensor[] xy = Pictures.first(in.data(), n);
        int m = xy[1].size(0);
        int features = in.data().sampleSize();
        LineChart chart = new LineChart(in.modelName() + ": accuracy against features changed (L0)", "features changed", "accuracy").yRange(0, 1);
        List<List<?>> rows = new ArrayList<>();
        ProgressBar bar = in.progress("l0-curves", (long) attacks.size() * pixels.length);
        long done = 0;
        for (String name : attacks) {
            Attack a = Attacks.create(name);
            double[] acc = new double[pixels.length];
            for (int i = 0; i < pixels.length; i++) {
                // JSMA changes features in pairs: a budget of one feature is its budget of none (Jsma refuses it as a
                // run that could change nothing; on a curve it is the point where nothing changes)
                double k = a instanceof dev.brink.robust.attack.Jsma && pixels[i] < 2 ? 0 : pixels[i];
                AttackResult r = a.run(c, xy[0], xy[1], ThreatModel.of(Norm.L0, k), Goal.UNTARGETED, new Generator(in.seed()));
                acc[i] = 1 - r.successRate();
                double meanL0 = 0;
                for (double v : r.norms().l0()) meanL0 += v;
                rows.add(List.of(name, pixels[i], pixels[i] / features, acc[i], meanL0 / m));
                bar.update(++done, done, name + " k=" + (long) pixels[i]);
            }
            chart.add(name, pixels, acc);
            out.summary(name + "_accuracy_at_" + (long) pixels[pixels.length - 1], acc[pixels.length - 1]);
        }
        out.csv("l0-curves.csv", "accuracy after each L0 attack per budget (features changed; ratio of all features)",
                List.of("attack", "pixels", "ratio", "accuracy", "mean_l0"), rows);
        out.png("l0-curves.png", "accuracy against the number of features changed (Galloway et al., Figs. 7 and 11)", chart.render(760, 480));
        out.summary("samples", m);
    }
}

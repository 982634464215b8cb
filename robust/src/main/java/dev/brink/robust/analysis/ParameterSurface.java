package dev.brink.robust.analysis;

import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.nn.Module;
import dev.brink.nn.data.Batch;
import dev.brink.robust.attack.Attacks;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The loss surface in parameter space (Yu et al., Fig. 2, after Li et al. 2018's "visualizing the loss landscape"):
 * the mean cross-entropy and accuracy on the first {@code points} evaluation points at weights
 * {@code theta + alpha d1} (1-D, {@code steps} values of alpha in [-range, range]) and {@code theta + alpha d1 + beta d2}
 * (2-D, {@code grid x grid}), with d1, d2 seeded Gaussian directions filter-normalized: each filter (slice along the
 * first axis) of a weight with two or more axes is scaled to the norm of the same filter of the weight, and
 * one-axis parameters (biases, batch-norm scales) get no direction, as in Li et al. The weights are restored after
 * the run, also when it fails.
 */
public final class ParameterSurface implements Analysis {
    public static final List<Attacks.Option> OPTIONS = List.of(
            new Attacks.Option("points", "256", "evaluation points in the loss (the first N)"),
            new Attacks.Option("range", "1", "half-width of alpha and beta (units of the filter-normalized directions)"),
            new Attacks.Option("steps", "41", "points of the 1-D curve"),
            new Attacks.Option("grid", "21", "grid points per axis of the 2-D surface (0: none)"));

    private final int points, steps, grid;
    private final double range;

    public ParameterSurface(int points, double range, int steps, int grid) {
        if (points < 1) throw new IllegalArgumentException("param-surface: points must be >= 1, got " + points);
        if (!(range > 0) || Double.isInfinite(range)) throw new IllegalArgumentException("param-surface: range must be positive, got " + range);
        if (steps < 2) throw new IllegalArgumentException("param-surface: steps must be >= 2, got " + steps);
        if (grid != 0 && grid < 2) throw new IllegalArgumentException("param-surface: grid must be 0 or >= 2, got " + grid);
        this.points = points;
        this.range = range;
        this.steps = steps;
        this.grid = grid;
    }

    static Analysis fromOptions(Attacks.Options o) {
        return new ParameterSurface(o.integer("points"), o.real("range"), o.integer("steps"), o.integer("grid"));
    }

    /** A filter-normalized random direction: one tensor per parameter, by name (zero for one-axis parameters). */
    public static Map<String, Tensor> filterNormalizedDirection(Module model, Generator gen) {
        Map<String, Tensor> dir = new LinkedHashMap<>();
        try (GradMode.Scope s = GradMode.noGrad()) {
            for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
                Tensor w = e.getValue();
                if (w.dim() < 2) {
                    dir.put(e.getKey(), w.detach().zerosLike());
                    continue;
                }
                double[] wv = w.toDoubleArray();
                double[] r = Tensor.randn(gen, DType.FLOAT64, w.numel()).toDoubleArray();
                int filters = w.size(0), per = w.numel() / filters;
                for (int f = 0; f < filters; f++) {
                    double nw = 0, nr = 0;
                    for (int i = f * per; i < (f + 1) * per; i++) { nw += wv[i] * wv[i]; nr += r[i] * r[i]; }
                    double sc = nr > 0 ? Math.sqrt(nw / nr) : 0;
                    for (int i = f * per; i < (f + 1) * per; i++) r[i] *= sc;
                }
                dir.put(e.getKey(), w.newTensor(r, w.shape()));
            }
        }
        return dir;
    }

    /** Mean cross-entropy and accuracy of the model on a batch, as it is now. */
    static double[] lossAndAccuracy(Module model, Batch b) {
        double[][] z = InputFunctions.logits(model, b.x());
        int[] y = b.y().toIntArray();
        double l = 0, acc = 0;
        for (int i = 0; i < z.length; i++) {
            l += InputFunctions.crossEntropy(z[i], y[i]);
            if (InputFunctions.runnerUp(z[i], y[i]) >= 0 && InputFunctions.decision(z[i], y[i]) > 0) acc++;
        }
        return new double[] {l / z.length, acc / z.length};
    }

    /**
     * The loss and accuracy at {@code theta + a[k] d1 + b[k] d2} for each k ({@code d2} may be null), restoring
     * the weights afterwards.
     */
    public static double[][] evaluate(Module model, Batch batch, Map<String, Tensor> d1, Map<String, Tensor> d2, double[] a, double[] b) {
        Map<String, Tensor> params = model.namedParameters();
        Map<String, Tensor> saved = new LinkedHashMap<>();
        try (GradMode.Scope s = GradMode.noGrad()) {
            for (Map.Entry<String, Tensor> e : params.entrySet()) saved.put(e.getKey(), e.getValue().detach().mul(1.0));
        }
        double[][] out = new double[a.length][];
        try {
            for (int k = 0; k < a.length; k++) {
                try (GradMode.Scope s = GradMode.noGrad()) {
                    for (Map.Entry<String, Tensor> e : params.entrySet()) {
                        Tensor w = saved.get(e.getKey()).add(d1.get(e.getKey()).mul(a[k]));
                        if (d2 != null) w = w.add(d2.get(e.getKey()).mul(b[k]));
                        e.getValue().assign(w);
                    }
                }
                out[k] = lossAndAccuracy(model, batch);
            }
        } finally {
            try (GradMode.Scope s = GradMode.noGrad()) {
                for (Map.Entry<String, Tensor> e : params.entrySet()) e.getValue().assign(saved.get(e.getKey()));
            }
        }
        return out;
    }

    @Override
    public void run(AnalysisInput in, AnalysisOutput out) throws IOException {
        Batch b = InputFunctions.first(in.data(), points);
        Generator gen = new Generator(in.seed());
        Map<String, Tensor> d1 = filterNormalizedDirection(in.model(), gen), d2 = filterNormalizedDirection(in.model(), gen);
        double[] axis1 = linspace(range, steps);
        var bar = in.progress("param-surface", steps + (long) grid * grid);
        double[][] curve = evaluate(in.model(), b, d1, null, axis1, new double[steps]);
        bar.update(steps, steps, "1-D");
        List<List<?>> rows = new ArrayList<>();
        for (int k = 0; k < steps; k++) rows.add(List.of(axis1[k], curve[k][0], curve[k][1]));
        out.csv("param-curve.csv", "mean cross-entropy and accuracy at theta + alpha d1 (filter-normalized random d1)", List.of("alpha", "loss", "accuracy"), rows);
        double[][] surface = null;
        double[] axis2 = null;
        if (grid > 0) {
            axis2 = linspace(range, grid);
            double[] a = new double[grid * grid], bb = new double[grid * grid];
            for (int k = 0; k < a.length; k++) { a[k] = axis2[k % grid]; bb[k] = axis2[k / grid]; }
            double[][] v = evaluate(in.model(), b, d1, d2, a, bb);
            surface = new double[grid][grid];
            List<List<?>> r2 = new ArrayList<>();
            for (int k = 0; k < a.length; k++) {
                surface[k / grid][k % grid] = v[k][0];
                r2.add(List.of(a[k], bb[k], v[k][0], v[k][1]));
            }
            bar.update(steps + a.length, steps + a.length, "2-D");
            out.csv("param-surface.csv", "mean cross-entropy and accuracy at theta + alpha d1 + beta d2", List.of("alpha", "beta", "loss", "accuracy"), r2);
        }
        double[] at0 = lossAndAccuracy(in.model(), b);
        out.summary("points", b.size());
        out.summary("loss_at_theta", at0[0]);
        out.summary("accuracy_at_theta", at0[1]);
        out.summary("loss_at_alpha_minus_range", curve[0][0]);
        out.summary("loss_at_alpha_plus_range", curve[steps - 1][0]);
        Figures.parameterSurface(out, axis1, curve, axis2, surface);
    }

    static double[] linspace(double range, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = -range + 2 * range * i / (n - 1);
        return a;
    }
}

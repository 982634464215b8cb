package dev.brink.robust.analysis;

import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.robust.attack.Attacks;
import dev.brink.robust.attack.Classifier;
import dev.brink.robust.attack.FoolingImages;
import dev.brink.robust.report.chart.LineChart;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Fooling-image success rate and margin against the step size (Galloway et al., Fig. 9, after Goodfellow et al.):
 * {@code samples} uniform-noise inputs, one targeted FGSM step of size eps toward every class
 * ({@link FoolingImages#sweep}), for eps = 0, step, 2 step, ... 255 (in 1/255 units). The success rate is the fraction
 * of (input, target) pairs classified as the target, the margin the mean top-1 minus top-2 softmax probability.
 * Writes {@code fooling-sweep.csv} (with the success rate of every target class) and {@code fooling-sweep.png}.
 */
public final class FoolingSweep implements Analysis {
    public static final List<Attacks.Option> OPTIONS = List.of(
            new Attacks.Option("samples", "50", "noise inputs (each attacked toward every class)"),
            new Attacks.Option("step", "5", "eps step in 1/255 units (eps = 0, step, ... up to 255)"));

    private final int samples, step;

    public FoolingSweep(int samples, int step) {
        if (samples < 1) throw new IllegalArgumentException("fooling-sweep: samples must be at least 1, got " + samples);
        if (step < 1 || step > 255) throw new IllegalArgumentException("fooling-sweep: step must be in 1..255, got " + step);
        this.samples = samples;
        this.step = step;
    }

    static Analysis fromOptions(Attacks.Options o) {
        return new FoolingSweep(o.integer("samples"), o.integer("step"));
    }

    @Override
    public void run(AnalysisInput in, AnalysisOutput out) throws IOException {
        Classifier c = Classifier.of(in.model(), in.modelName());
        int k = Math.max(2, in.data().numClasses());
        int levels = 255 / step + 1;
        double[] eps = new double[levels];
        for (int i = 0; i < levels; i++) eps[i] = i * step / 255.0;
        FoolingImages.Sweep s = FoolingImages.sweep(c, in.data().sampleShape(), k, samples, eps, in.batchSize(), DType.FLOAT32, new Generator(in.seed()));
        List<String> header = new ArrayList<>(List.of("eps", "eps_255", "success_rate", "margin"));
        for (int q = 0; q < k; q++) header.add("success_class_" + q);
        List<List<?>> rows = new ArrayList<>();
        double[] e255 = new double[levels];
        int best = 0;
        for (int i = 0; i < levels; i++) {
            e255[i] = i * step;
            List<Object> r = new ArrayList<>(List.of(eps[i], e255[i], s.successRate()[i], s.margin()[i]));
            for (int q = 0; q < k; q++) r.add(s.successByClass()[i][q]);
            rows.add(r);
            if (s.successRate()[i] > s.successRate()[best]) best = i;
        }
        out.csv("fooling-sweep.csv", "single-step targeted fooling images from noise: success rate and margin per eps", header, rows);
        LineChart chart = new LineChart(in.modelName() + ": fooling images from noise (one targeted FGSM step)", "eps (x 1/255)", "rate / margin")
                .yRange(0, 1).add("success rate", e255, s.successRate()).add("margin (top-1 - top-2 probability)", e255, s.margin());
        out.png("fooling-sweep.png", "fooling-image success rate and margin against eps (Galloway et al., Fig. 9)", chart.render(760, 480));
        out.summary("samples", samples);
        out.summary("best_success_rate", s.successRate()[best]);
        out.summary("best_eps_255", e255[best]);
        out.summary("success_rate_at_255", s.successRate()[levels - 1]);
    }
}

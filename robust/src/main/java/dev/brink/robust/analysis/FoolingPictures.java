package dev.brink.robust.analysis;

import dev.brink.engine.Generator;
import dev.brink.robust.attack.Attacks;
import dev.brink.robust.attack.Classifier;
import dev.brink.robust.attack.FoolingImages;
import dev.brink.robust.report.TileGrid;
import dev.brink.robust.report.TileGrid.Tile;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Fooling images per class (Galloway et al., Sec. 6.1, after Nguyen et al.): from noise {@code 0.5 + U(0, 0.1)},
 * {@code steps} signed steps of size {@code step-size} down the target's cross-entropy ({@link FoolingImages#iterative}),
 * {@code trials} images per class. A robust model's fooling images start to look like the class; a natural model is
 * fooled by noise. Writes {@code fooling-images.png} (one row per class, captioned with the target's probability,
 * red where the target was not reached) and {@code fooling-images.csv}.
 */
public final class FoolingPictures implements Analysis {
    public static final List<Attacks.Option> OPTIONS = List.of(
            new Attacks.Option("trials", "4", "images per class"),
            new Attacks.Option("steps", "50", "signed gradient steps"),
            new Attacks.Option("step-size", "0.005", "step size (pixel units)"));

    private final int trials, steps;
    private final double stepSize;

    public FoolingPictures(int trials, int steps, double stepSize) {
        if (trials < 1 || steps < 0) throw new IllegalArgumentException("fooling-images: trials must be >= 1 and steps >= 0, got " + trials + ", " + steps);
        if (!(stepSize >= 0) || Double.isInfinite(stepSize)) throw new IllegalArgumentException("fooling-images: step-size must be finite and >= 0, got " + stepSize);
        this.trials = trials;
        this.steps = steps;
        this.stepSize = stepSize;
    }

    static Analysis fromOptions(Attacks.Options o) {
        return new FoolingPictures(o.integer("trials"), o.integer("steps"), o.real("step-size"));
    }

    @Override
    public void run(AnalysisInput in, AnalysisOutput out) throws IOException {
        Classifier c = Classifier.of(in.model(), in.modelName());
        int k = Math.max(2, in.data().numClasses());
        int[] shape = in.data().sampleShape();
        FoolingImages.Images f = FoolingImages.iterative(c, shape, k, trials, steps, stepSize, true, dev.brink.engine.DType.FLOAT32, new Generator(in.seed()));
        int[] chw = Pictures.chw(shape);
        int d = chw[0] * chw[1] * chw[2];
        float[] all = Pictures.floats(f.images());
        List<String> names = in.data().classes();
        TileGrid g = new TileGrid(String.format(Locale.ROOT, "%s: fooling images, %d steps of %.3g from noise (caption: target probability; red: missed)", in.modelName(), steps, stepSize));
        List<List<?>> rows = new ArrayList<>();
        for (int q = 0; q < k; q++) {
            List<Tile> tiles = new ArrayList<>();
            for (int t = 0; t < trials; t++) {
                int i = q * trials + t;
                Tile tile = Tile.image(Pictures.row(all, i, d), chw[0], chw[1], chw[2], String.format(Locale.ROOT, "p=%.3f", f.targetProbability()[i]));
                tiles.add(f.success()[i] ? tile : tile.highlighted());
                rows.add(List.of(q, t, f.targetProbability()[i], f.success()[i], f.margin()[i]));
            }
            g.row("target " + Pictures.className(names, q), tiles);
        }
        out.csv("fooling-images.csv", "iterative fooling images: target probability, success and margin", List.of("target", "trial", "target_probability", "success", "margin"), rows);
        out.png("fooling-images.png", "fooling images per class (Galloway et al., Sec. 6.1)", g.render());
        out.summary("success_rate", f.successRate());
        double p = 0;
        for (double v : f.targetProbability()) p += v;
        out.summary("mean_target_probability", p / f.targetProbability().length);
    }
}

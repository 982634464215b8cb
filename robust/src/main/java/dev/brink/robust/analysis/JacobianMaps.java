package dev.brink.robust.analysis;

import dev.brink.engine.Derivatives;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.robust.attack.Attacks;
import dev.brink.robust.attack.Classifier;
import dev.brink.robust.report.TileGrid;
import dev.brink.robust.report.TileGrid.Tile;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Jacobian maps (Yu et al., Figs. 8 and 10): for each of the first {@code n} samples, the input and its per-class
 * Jacobian rows {@code d z_j / d x} (exact, one backward pass per class through {@link Derivatives#jacobianRows}),
 * drawn signed on one scale per sample (blue negative, white 0, red positive; colour inputs by their channel mean),
 * the true class framed. A robust model's maps look like the digit; a natural model's are noisy. Writes
 * {@code jacobian-maps.png} and {@code jacobian-norms.csv} (L1, L2 norms and sparsity of every row).
 */
public final class JacobianMaps implements Analysis {
    public static final List<Attacks.Option> OPTIONS = List.of(
            new Attacks.Option("n", "6", "samples shown (the first n)"),
            new Attacks.Option("threshold", "0.01", "sparsity: fraction of |d z_j/d x_i| below threshold times the row's largest"));

    private final int n;
    private final double threshold;

    public JacobianMaps(int n, double threshold) {
        if (n < 1) throw new IllegalArgumentException("jacobian-maps: n must be at least 1, got " + n);
        if (!(threshold >= 0 && threshold < 1)) throw new IllegalArgumentException("jacobian-maps: threshold must be in [0, 1), got " + threshold);
        this.n = n;
        this.threshold = threshold;
    }

    static Analysis fromOptions(Attacks.Options o) {
        return new JacobianMaps(o.integer("n"), o.real("threshold"));
    }

    @Override
    public void run(AnalysisInput in, AnalysisOutput out) throws IOException {
        Classifier c = Classifier.of(in.model(), in.modelName());
        Tensor[] xy = Pictures.first(in.data(), n);
        Tensor x = xy[0];
        int[] labels = xy[1].toIntArray();
        int m = labels.length;
        int[] chw = Pictures.chw(in.data().sampleShape());
        int d = chw[0] * chw[1] * chw[2];
        Tensor j = Derivatives.jacobianRows(c::logits, x, false); // [K, N, ...]
        int k = j.size(0);
        int[] pred;
        try (GradMode.Scope s = GradMode.noGrad()) {
            pred = c.logits(x).argmax(1).toIntArray();
        }
        float[] jf = Pictures.floats(j), xs = Pictures.floats(x);
        List<String> names = in.data().classes();
        TileGrid g = new TileGrid(in.modelName() + ": Jacobian rows dz_j/dx (blue negative, red positive; frame: true class)");
        List<List<?>> rows = new ArrayList<>();
        double l2Sum = 0;
        for (int i = 0; i < m; i++) {
            double maxAbs = 0;
            for (int q = 0; q < k; q++) for (int f = 0; f < d; f++) maxAbs = Math.max(maxAbs, Math.abs(jf[(q * m + i) * d + f]));
            List<Tile> tiles = new ArrayList<>();
            tiles.add(Tile.image(Pictures.row(xs, i, d), chw[0], chw[1], chw[2], "pred " + Pictures.className(names, pred[i])));
            for (int q = 0; q < k; q++) {
                float[] r = new float[d];
                System.arraycopy(jf, (q * m + i) * d, r, 0, d);
                double l1 = 0, l2 = 0, rowMax = 0;
                for (float v : r) { l1 += Math.abs(v); l2 += v * (double) v; rowMax = Math.max(rowMax, Math.abs(v)); }
                int small = 0;
                for (float v : r) if (Math.abs(v) <= threshold * rowMax) small++;
                rows.add(List.of(i, labels[i], q, l1, Math.sqrt(l2), (double) small / d));
                if (q == labels[i]) l2Sum += Math.sqrt(l2);
                Tile t = Tile.signed(r, chw[0], chw[1], chw[2], maxAbs, "z_" + Pictures.className(names, q));
                tiles.add(q == labels[i] ? t.highlighted() : t);
            }
            g.row(String.format(Locale.ROOT, "#%d y=%s", i, Pictures.className(names, labels[i])), tiles);
        }
        out.csv("jacobian-norms.csv", "per sample and class: L1 and L2 norms of d z_j / d x and the fraction of near-zero entries",
                List.of("sample", "label", "class", "l1", "l2", "sparsity"), rows);
        out.png("jacobian-maps.png", "inputs and their per-class Jacobian rows (Yu et al., Figs. 8 and 10)", g.render());
        out.summary("true_class_jacobian_l2_mean", l2Sum / m);
        out.summary("samples", m);
    }
}

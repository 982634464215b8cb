package dev.brink.robust.analysis;

import dev.brink.engine.Derivatives;
import dev.brink.engine.F;
import dev.brink.engine.Generator;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.engine.op.Loss;
import dev.brink.robust.attack.Attacks;
import dev.brink.robust.attack.Classifier;
import dev.brink.robust.report.TileGrid;
import dev.brink.robust.report.TileGrid.Tile;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A linear model's weights and its FGSM perturbations as pictures (Galloway et al., Figs. 1, 2 and 6): the weights
 * are read off the model as its per-class Jacobian rows, which a linear model has the same at every input (a model
 * whose rows differ between inputs is refused: use {@code jacobian-maps}). A one-logit logistic regression (seen
 * as logits {@code [0, z]}) shows its weight vector w; K classes show each row W_k. For the first {@code n} samples
 * the FGSM step {@code eps * sign(grad_x CE)} (for a linear model {@code eps * sign(W_j - W_y)} weighted by the
 * softmax, exactly {@code eps * sign(w_j - w_y)} for two classes) is shown next to the input and the clipped
 * adversarial input. Writes {@code weights.csv}, {@code fgsm.csv}, {@code weights.png}, {@code fgsm.png}.
 */
public final class LinearPictures implements Analysis {
    public static final List<Attacks.Option> OPTIONS = List.of(
            new Attacks.Option("n", "6", "samples whose FGSM perturbation is shown"),
            new Attacks.Option("eps", "0.1", "FGSM step (L-inf, pixel units)"));

    private final int n;
    private final double eps;

    public LinearPictures(int n, double eps) {
        if (n < 1) throw new IllegalArgumentException("linear-weights: n must be at least 1, got " + n);
        if (!(eps >= 0) || Double.isInfinite(eps)) throw new IllegalArgumentException("linear-weights: eps must be finite and >= 0, got " + eps);
        this.n = n;
        this.eps = eps;
    }

    static Analysis fromOptions(Attacks.Options o) {
        return new LinearPictures(o.integer("n"), o.real("eps"));
    }

    /** Relative difference of Jacobian rows between inputs above which a model is not linear. */
    static final double LINEAR_TOLERANCE = 1e-4;

    /**
     * The weight rows {@code [K, D]} of a linear classifier over the flattened input, read off at the inputs {@code x}
     * plus one random input; refused when the rows differ between them.
     */
    static float[][] weights(Classifier c, Tensor x, long seed) {
        Tensor probe = Tensor.concat(0, x, Tensor.rand(new Generator(seed), x.dtype(), x.shape()).slice(0, 0, 1));
        Tensor j = Derivatives.jacobianRows(c::logits, probe, false); // [K, N+1, ...]
        int k = j.size(0), m = j.size(1), d = (int) (j.numel() / ((long) k * m));
        float[] all = Pictures.floats(j);
        float[][] w = new float[k][d];
        double worst = 0, scale = 0;
        for (int c0 = 0; c0 < k; c0++) {
            System.arraycopy(all, c0 * m * d, w[c0], 0, d);
            for (int i = 0; i < d; i++) scale = Math.max(scale, Math.abs(w[c0][i]));
            for (int s = 1; s < m; s++)
                for (int i = 0; i < d; i++) worst = Math.max(worst, Math.abs(all[(c0 * m + s) * d + i] - w[c0][i]));
        }
        if (worst > LINEAR_TOLERANCE * Math.max(scale, 1e-12))
            throw new NotApplicableException(String.format(Locale.ROOT,
                    "linear-weights: the model is not linear (its Jacobian rows differ between inputs by %.3g, %.3g of the largest weight); jacobian-maps shows a non-linear model's input gradients",
                    worst, worst / Math.max(scale, 1e-30)));
        return w;
    }

    @Override
    public void run(AnalysisInput in, AnalysisOutput out) throws IOException {
        Classifier c = Classifier.of(in.model(), in.modelName());
        Tensor[] xy = Pictures.first(in.data(), n);
        Tensor x = xy[0];
        int[] labels = xy[1].toIntArray();
        int[] chw = Pictures.chw(in.data().sampleShape());
        int d = chw[0] * chw[1] * chw[2];
        float[][] w = weights(c, x, in.seed());
        int k = w.length;
        List<String> names = in.data().classes();
        boolean binary = k == 2;

        // the weight picture(s): w = W_1 - W_0 for two classes (a one-logit model has W_0 = 0), else every row
        List<List<?>> wrows = new ArrayList<>();
        List<Tile> tiles = new ArrayList<>();
        double maxAbs = 0;
        float[][] shown = binary ? new float[][] {diff(w[1], w[0])} : w;
        for (float[] r : shown) for (float v : r) maxAbs = Math.max(maxAbs, Math.abs(v));
        for (int r = 0; r < shown.length; r++) {
            String label = binary ? "w = W_" + Pictures.className(names, 1) + " - W_" + Pictures.className(names, 0) : "W_" + Pictures.className(names, r);
            tiles.add(Tile.signed(shown[r], chw[0], chw[1], chw[2], maxAbs, label));
            for (int i = 0; i < d; i++) wrows.add(List.of(binary ? "w" : Pictures.className(names, r), i, (double) shown[r][i]));
        }
        out.csv("weights.csv", "the linear model's weights by feature (w = W_1 - W_0 for two classes)", List.of("row", "feature", "weight"), wrows);
        TileGrid wg = new TileGrid(String.format(Locale.ROOT, "%s: weights (blue negative, red positive, +-%.3g)", in.modelName(), maxAbs)).tilePixels(140);
        for (int i = 0; i < tiles.size(); i += 10) wg.row(i == 0 ? "weights" : "", tiles.subList(i, Math.min(tiles.size(), i + 10)));
        out.png("weights.png", "the linear model's weights as a picture (Galloway et al., Figs. 1 and 6)", wg.render());

        // FGSM: eps * sign of the cross-entropy gradient, the clipped adversarial input and its prediction
        Tensor grad = Derivatives.grad(z -> F.crossEntropy(c.logits(z), xy[1], 0.0, Loss.Reduction.SUM), x, false);
        Tensor delta, adv;
        int[] pred, advPred;
        try (GradMode.Scope s = GradMode.noGrad()) {
            delta = grad.sign().mul(eps);
            adv = x.add(delta).clamp(0, 1);
            pred = c.logits(x).argmax(1).toIntArray();
            advPred = c.logits(adv).argmax(1).toIntArray();
        }
        float[] xs = Pictures.floats(x), ds = Pictures.floats(delta), as = Pictures.floats(adv);
        List<Tile> inputs = new ArrayList<>(), perts = new ArrayList<>(), advs = new ArrayList<>();
        List<List<?>> frows = new ArrayList<>();
        int fooled = 0;
        for (int i = 0; i < labels.length; i++) {
            inputs.add(Tile.image(Pictures.row(xs, i, d), chw[0], chw[1], chw[2], "y=" + Pictures.className(names, labels[i]) + " pred " + Pictures.className(names, pred[i])));
            perts.add(Tile.signed(Pictures.row(ds, i, d), chw[0], chw[1], chw[2], eps > 0 ? eps : 1, String.format(Locale.ROOT, "+-%.3g", eps)));
            Tile a = Tile.image(Pictures.row(as, i, d), chw[0], chw[1], chw[2], "pred " + Pictures.className(names, advPred[i]));
            advs.add(advPred[i] != labels[i] ? a.highlighted() : a);
            if (advPred[i] != labels[i]) fooled++;
            for (int f = 0; f < d; f++) frows.add(List.of(i, labels[i], f, (double) ds[i * d + f]));
        }
        out.csv("fgsm.csv", "FGSM perturbation eps * sign(grad) per sample and feature, before clipping to the box", List.of("sample", "label", "feature", "perturbation"), frows);
        TileGrid fg = new TileGrid(String.format(Locale.ROOT, "%s: FGSM, eps %.3g (red captions: misclassified)", in.modelName(), eps))
                .row("input", inputs).row("eps*sign(grad)", perts).row("adversarial", advs);
        out.png("fgsm.png", "inputs, their FGSM perturbations and the adversarial inputs (Galloway et al., Fig. 2)", fg.render());
        double l1 = 0, l2 = 0;
        for (float v : shown[0]) { l1 += Math.abs(v); l2 += v * (double) v; }
        out.summary("weight_l1", l1);
        out.summary("weight_l2", Math.sqrt(l2));
        out.summary("weight_max_abs", maxAbs);
        out.summary("fgsm_eps", eps);
        out.summary("fgsm_error_rate", (double) fooled / labels.length);
    }

    private static float[] diff(float[] a, float[] b) {
        float[] r = new float[a.length];
        for (int i = 0; i < a.length; i++) r[i] = a[i] - b[i];
        return r;
    }
}

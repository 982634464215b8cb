package dev.brink.robust.autoattack;

import dev.brink.engine.Autograd;
import dev.brink.engine.F;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.engine.op.Loss;
import dev.brink.robust.attack.Classifier;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The warnings Croce and Hein's reference prints with an AutoAttack result, for evaluations that would be
 * unreliable: a randomized forward pass, outputs that look like probabilities instead of logits, points whose input
 * gradient is zero or NaN (obfuscated gradients), too few classes for the targeted attacks, and Square (black box)
 * breaking points that the white-box attacks left standing. Each check returns the warnings it found (empty:
 * passed). Non-finite logits are no warning in a run: {@link AutoAttack#run} refuses them
 * ({@link dev.brink.nn.train.NonFiniteLogitsException}); {@link #nonFiniteLogits} remains for callers of their own.
 */
public final class SanityChecks {
    private SanityChecks() {}

    /**
     * Five forward passes of the same batch: warns when the predictions or the L2-normalized logits differ (by more
     * than 1e-4), i.e. the model is randomized and the {@code rand} version (EOT) should be used.
     */
    public static List<String> randomized(Classifier model, Tensor x) {
        List<String> w = new ArrayList<>();
        double maxDiff = 0;
        boolean predictionsDiffer = false;
        try (GradMode.Scope s = GradMode.noGrad()) {
            Tensor first = null;
            int[] firstPred = null;
            for (int r = 0; r < 5; r++) {
                Tensor z = model.logits(x);
                Tensor u = z.div(F.l2Norm(z).reshape(z.size(0), 1).add(1e-10));
                int[] p = z.argmax(1).toIntArray();
                if (first == null) {
                    first = u;
                    firstPred = p;
                } else {
                    maxDiff = Math.max(maxDiff, finiteMax(F.l2Norm(u.sub(first))));
                    if (!java.util.Arrays.equals(p, firstPred)) predictionsDiffer = true;
                }
            }
        }
        if (predictionsDiffer || maxDiff > 1e-4)
            w.add(String.format(Locale.ROOT, "the model seems randomized (the same batch gave different %s over 5 forward passes, max normalized difference %.2e): "
                    + "use --version rand (gradients averaged over 20 draws)", predictionsDiffer ? "predictions" : "logits", maxDiff));
        return w;
    }

    /** Warns when the outputs lie in [0, 1] and sum to 1 per row (probabilities: attacks need the logits). */
    public static List<String> probabilityOutputs(Tensor logits) {
        double max = logits.amax().item(), min = logits.amin().item();
        double rowErr = logits.sum(new int[] {1}, false).sub(1.0).abs().amax().item();
        if (max < 1 + 1e-5 && min > -1e-5 && rowErr < 1e-5)
            return List.of("the outputs look like a probability distribution (in [0, 1], rows sum to 1): attacks need the logits; drop the final softmax");
        return List.of();
    }

    /** Warns about NaN or infinite logits on clean points (a broken model would look robust or fall to anything). */
    public static List<String> nonFiniteLogits(Tensor logits) {
        int n = logits.size(0), k = logits.size(1);
        double[] z = logits.toDoubleArray();
        int bad = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                if (!Double.isFinite(z[i * k + j])) {
                    bad++;
                    break;
                }
            }
        }
        return bad == 0 ? List.of() : List.of(bad + " of " + n + " points have NaN or infinite logits: the model is broken and any robustness number is meaningless");
    }

    /**
     * The cross-entropy input gradient at the given (correctly classified) points: warns about points whose gradient
     * is exactly zero or not finite (gradient masking: gradient-based attacks cannot work there).
     */
    public static List<String> gradients(Classifier model, Tensor x, Tensor y) {
        if (x.size(0) == 0) return List.of();
        Tensor g;
        Tensor xv = x.detach().requiresGrad(true);
        try (GradMode.Scope s = GradMode.enableGrad()) {
            Tensor loss = F.crossEntropy(model.logits(xv), y, 0.0, Loss.Reduction.SUM);
            g = Autograd.grad(loss, xv)[0];
        }
        int n = x.size(0);
        double[] abs = g.abs().reshape(n, -1).sum(new int[] {1}, false).toDoubleArray();
        int zero = 0, nan = 0;
        for (double v : abs) {
            if (!Double.isFinite(v)) nan++;
            else if (v == 0) zero++;
        }
        List<String> w = new ArrayList<>();
        if (zero > 0)
            w.add(zero + " of " + n + " points have a zero input gradient: gradient-based attacks cannot move them, so the evaluation may be unreliable "
                    + "(gradient masking); trust Square's result on them");
        if (nan > 0) w.add(nan + " of " + n + " points have a NaN or infinite input gradient: gradient-based attacks are broken on them");
        return w;
    }

    /** Warns when Square's robust accuracy is more than 0.2 points below the best the white-box attacks reached. */
    public static List<String> squareBeatsWhiteBox(List<String> names, double[] robustAfter) {
        int sq = names.indexOf("square");
        if (sq <= 0) return List.of();
        double before = robustAfter[sq - 1], after = robustAfter[sq];
        if (after < before - 0.002)
            return List.of(String.format(Locale.ROOT, "Square (black box) lowered robust accuracy by %.2f%% after the white-box attacks: their gradients are "
                    + "probably masked and the evaluation may be unreliable; consider more Square queries and restarts, or an adaptive attack", 100 * (before - after)));
        return List.of();
    }

    private static double finiteMax(Tensor t) {
        double m = 0;
        for (double v : t.toDoubleArray()) m = Double.isFinite(v) ? Math.max(m, v) : Double.POSITIVE_INFINITY;
        return m;
    }
}

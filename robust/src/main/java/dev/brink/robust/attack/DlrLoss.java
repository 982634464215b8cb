package dev.brink.robust.attack;

import dev.brink.engine.Tensor;

/**
 * Croce and Hein's (2020) difference-of-logits-ratio losses, per sample {@code [N]} from logits {@code [N, K]}, both
 * to be increased by an attack and both invariant to shifting and to positive rescaling of the logits (so a model
 * cannot hide behind a saturated softmax). With the logits sorted {@code z_pi1 >= z_pi2 >= ...}:
 * <ul>
 *   <li>{@link #untargeted}: {@code -(z_y - max_{j != y} z_j) / (z_pi1 - z_pi3 + 1e-12)}, positive once the
 *       label y no longer wins; needs K >= 3;</li>
 *   <li>{@link #targeted}: {@code -(z_y - z_t) / (z_pi1 - (z_pi3 + z_pi4) / 2 + 1e-12)} toward the target t,
 *       positive once t beats y; needs K >= 4.</li>
 * </ul>
 * Both are differentiable in the logits (the sorted values are gathered at their sort indices). Labels and targets
 * are int32 {@code [N]}.
 */
public final class DlrLoss {
    /** The constant of Croce and Hein's denominators that keeps them away from 0. */
    public static final double DENOMINATOR_EPS = 1e-12;

    private DlrLoss() {}

    /** The untargeted DLR loss {@code [N]} of logits {@code [N, K]} (K >= 3) for the true classes. */
    public static Tensor untargeted(Tensor logits, Tensor labels) {
        requireClasses("dlr", logits.size(1), false);
        int n = logits.size(0);
        Tensor top = logits.topk(3, 1);
        Tensor first = top.slice(1, 0, 1).reshape(n), second = top.slice(1, 1, 2).reshape(n), third = top.slice(1, 2, 3).reshape(n);
        Tensor zy = pick(logits, labels);
        // the largest logit other than y's: the second one where y's is the largest, the first one otherwise
        Tensor yWins = logits.argmax(1).eq(labels).to(logits.dtype());
        Tensor other = Tensor.where(yWins, second, first);
        return zy.sub(other).neg().div(first.sub(third).add(DENOMINATOR_EPS));
    }

    /** The targeted DLR loss {@code [N]} of logits {@code [N, K]} (K >= 4) from the true classes toward the targets. */
    public static Tensor targeted(Tensor logits, Tensor labels, Tensor targets) {
        requireClasses("targeted dlr", logits.size(1), true);
        int n = logits.size(0);
        Tensor top = logits.topk(4, 1);
        Tensor first = top.slice(1, 0, 1).reshape(n);
        Tensor thirdFourth = top.slice(1, 2, 3).reshape(n).add(top.slice(1, 3, 4).reshape(n)).mul(0.5);
        return pick(logits, labels).sub(pick(logits, targets)).neg().div(first.sub(thirdFourth).add(DENOMINATOR_EPS));
    }

    /**
     * Throws a clear error when K classes are too few: the DLR loss needs 3 (its scale is {@code z_pi1 - z_pi3}),
     * the targeted one 4 ({@code z_pi1 - (z_pi3 + z_pi4) / 2}).
     */
    public static void requireClasses(String who, int k, boolean targeted) {
        int need = targeted ? 4 : 3;
        if (k < need)
            throw new IllegalArgumentException(who + ": the " + (targeted ? "targeted DLR loss needs at least 4 classes (it divides by z_pi1 - (z_pi3 + z_pi4) / 2)"
                    : "DLR loss needs at least 3 classes (it divides by z_pi1 - z_pi3)") + ", but the model has " + k + "; use loss=ce");
    }

    /** {@code z[i, c[i]]}: {@code [N]}. */
    private static Tensor pick(Tensor logits, Tensor classes) {
        int n = logits.size(0);
        return logits.gather(1, classes.reshape(n, 1)).reshape(n);
    }
}

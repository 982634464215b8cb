package dev.brink.robust.attack;

import dev.brink.engine.F;
import dev.brink.engine.Tensor;
import dev.brink.engine.op.Loss;

/**
 * Per-sample objectives an attack ascends (Yu et al. compare them), each {@code [N]} from logits {@code [N, K]}:
 * for untargeted goals the labels are the true classes; for targeted goals the labels are the targets and the
 * attack ascends the negated target loss (these functions already return the quantity to increase).
 */
public enum AttackLoss {
    /** Cross-entropy of the true class (untargeted) or minus cross-entropy of the target (targeted). */
    CROSS_ENTROPY,
    /**
     * Carlini and Wagner's margin: {@code max_{j != y} z_j - z_y} (untargeted) or {@code z_t - max_{j != t} z_j}
     * (targeted), unclipped.
     */
    CW_MARGIN;

    /** The per-sample value to maximize. */
    public Tensor value(Tensor logits, Tensor classes, boolean targeted) {
        return switch (this) {
            case CROSS_ENTROPY -> {
                Tensor ce = F.crossEntropy(logits, classes, 0.0, Loss.Reduction.NONE);
                yield targeted ? ce.neg() : ce;
            }
            case CW_MARGIN -> {
                Tensor m = margin(logits, classes);
                yield targeted ? m : m.neg();
            }
        };
    }

    /** {@code z_c - max_{j != c} z_j} per sample: positive when class c wins. */
    public static Tensor margin(Tensor logits, Tensor classes) {
        int k = logits.size(1);
        Tensor onehot = F.oneHot(classes, k, logits.dtype());
        Tensor zc = logits.mul(onehot).sum(new int[] {1}, false);
        Tensor others = logits.sub(onehot.mul(1e9)).amax(new int[] {1}, false);
        return zc.sub(others);
    }

    /** Parses "ce", "cross-entropy", "cw", "cw-margin". */
    public static AttackLoss parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "ce", "cross-entropy", "xent" -> CROSS_ENTROPY;
            case "cw", "cw-margin", "margin" -> CW_MARGIN;
            default -> throw new IllegalArgumentException("unknown attack loss '" + s + "'; expected ce or cw");
        };
    }

}

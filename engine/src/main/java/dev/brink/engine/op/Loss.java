package dev.brink.engine.op;

import dev.brink.engine.DType;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;

/** Loss functions, composed from primitives, each with a {@link Reduction} over the per-element losses. */
public final class Loss {
    public static final OpDef CROSS_ENTROPY = OpDef.composite("cross_entropy", "softmax cross-entropy with class indices and label smoothing");
    public static final OpDef KL_DIV = OpDef.composite("kl_div", "KL(target || exp(input)) with input as log-probabilities");
    public static final OpDef SOFT_MARGIN = OpDef.composite("soft_margin_loss", "logistic loss log(1 + exp(-y z)), y in {-1, +1}");
    public static final OpDef BCE_WITH_LOGITS = OpDef.composite("binary_cross_entropy_with_logits", "binary cross-entropy on logits, targets in [0, 1]");
    public static final OpDef MSE = OpDef.composite("mse_loss", "mean squared error");

    /** How per-element losses are combined. */
    public enum Reduction {
        /** Per-element losses, unreduced. */
        NONE,
        /** Mean over all elements (over the batch for cross-entropy). */
        MEAN,
        /** Sum over all elements. */
        SUM,
        /** Sum divided by the batch size (dimension 0); KL divergence's mathematically correct mean. */
        BATCHMEAN;

        /** Parses "none", "mean", "sum" or "batchmean". */
        public static Reduction parse(String s) {
            try {
                return valueOf(s.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown reduction '" + s + "'; expected none, mean, sum or batchmean");
            }
        }
    }

    private Loss() {}

    static Tensor reduce(String op, Tensor perElement, Reduction r) {
        return switch (r) {
            case NONE -> perElement;
            case MEAN -> perElement.mean();
            case SUM -> perElement.sum();
            case BATCHMEAN -> {
                if (perElement.dim() == 0) throw new IllegalArgumentException(op + ": batchmean needs a batch dimension");
                yield perElement.sum().div((double) perElement.size(0));
            }
        };
    }

    /**
     * Cross-entropy of logits {@code [N, K]} against int32 class indices {@code [N]}; with label smoothing
     * {@code eps} the target is {@code (1 - eps) * onehot + eps / K}. Per-sample losses {@code [N]} for NONE.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor target, double labelSmoothing, Reduction reduction) {
        String op = CROSS_ENTROPY.name();
        Checks.rank(op, "logits", logits, 2);
        Checks.integer(op, "target", target);
        Checks.rank(op, "target", target, 1);
        int n = logits.size(0), k = logits.size(1);
        if (target.size(0) != n)
            throw new IllegalArgumentException(op + ": target has shape " + Shape.str(target.shape()) + " but logits have batch size " + n + " (" + Shape.str(logits.shape()) + ")");
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
            throw new IllegalArgumentException(op + ": label smoothing must be in [0, 1], got " + labelSmoothing);
        Tensor logp = logits.logSoftmax(1);
        Tensor nll = Indexing.gatherAt(op, "target", logp, 1, target.reshape(n, 1)).reshape(n).neg();
        Tensor per = labelSmoothing == 0 ? nll
                : nll.mul(1 - labelSmoothing).add(logp.mean(new int[] {1}, false).neg().mul(labelSmoothing));
        return reduce(op, per, reduction == Reduction.BATCHMEAN ? Reduction.MEAN : reduction);
    }

    /**
     * PyTorch's kl_div: {@code target * (log(target) - input)} elementwise, 0 where target is 0, with {@code input}
     * log-probabilities and {@code target} probabilities of the same shape.
     */
    public static Tensor klDiv(Tensor input, Tensor target, Reduction reduction) {
        String op = KL_DIV.name();
        if (!java.util.Arrays.equals(input.shape(), target.shape()))
            throw new IllegalArgumentException(op + ": input " + Shape.str(input.shape()) + " and target " + Shape.str(target.shape()) + " differ in shape");
        Tensor positive = target.gt(target.scalarLike(0.0));
        Tensor safe = Where.where(positive, target, target.scalarLike(1.0));
        Tensor per = target.mul(safe.log()).sub(target.mul(input));
        return reduce(op, per, reduction);
    }

    /** Logistic loss {@code log(1 + exp(-y z))} for labels y in {-1, +1} (PyTorch's soft_margin_loss). */
    public static Tensor softMarginLoss(Tensor z, Tensor y, Reduction reduction) {
        String op = SOFT_MARGIN.name();
        sameShape(op, z, y);
        return reduce(op, z.mul(y).neg().softplus(), reduction);
    }

    /** {@code softplus(z) - y z}: binary cross-entropy of sigmoid(z) against targets y in [0, 1]. */
    public static Tensor bceWithLogits(Tensor z, Tensor y, Reduction reduction) {
        String op = BCE_WITH_LOGITS.name();
        sameShape(op, z, y);
        return reduce(op, z.softplus().sub(y.mul(z)), reduction);
    }

    /** {@code (a - b)^2} elementwise, reduced. */
    public static Tensor mse(Tensor a, Tensor b, Reduction reduction) {
        String op = MSE.name();
        sameShape(op, a, b);
        return reduce(op, a.sub(b).square(), reduction);
    }

    private static void sameShape(String op, Tensor a, Tensor b) {
        if (!java.util.Arrays.equals(a.shape(), b.shape()))
            throw new IllegalArgumentException(op + ": shapes " + Shape.str(a.shape()) + " and " + Shape.str(b.shape()) + " differ");
        if (a.dtype() != b.dtype() && b.dtype() == DType.INT32)
            throw new IllegalArgumentException(op + ": targets must be floating (got int32); convert with to(" + a.dtype().label() + ")");
    }
}

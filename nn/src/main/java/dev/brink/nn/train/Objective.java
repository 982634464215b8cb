package dev.brink.nn.train;

import dev.brink.engine.F;
import dev.brink.engine.Tensor;
import dev.brink.engine.op.Loss;
import dev.brink.nn.Module;
import dev.brink.nn.data.Batch;

/**
 * A training objective: the scalar loss of a model on a batch. Training methods (adversarial training,
 * gradient and Jacobian penalties) are objectives; the trainer only differentiates and steps.
 */
@FunctionalInterface
public interface Objective {
    /**
     * The loss to minimize for this batch at this epoch (0-based), with the logits it was computed from (for the
     * running training accuracy; null when the objective has none that fit, e.g. on perturbed inputs).
     */
    Outcome apply(Module model, Batch batch, int epoch);

    /** A scalar loss and the logits {@code [N, K]} behind it (or null). */
    record Outcome(Tensor loss, Tensor logits) {}

    /**
     * Mean cross-entropy with optional label smoothing; a one-logit model (binary logistic regression) gets the
     * binary cross-entropy on its logit against labels 0/1 instead.
     */
    static Objective crossEntropy(double labelSmoothing) {
        return (model, batch, epoch) -> {
            Tensor logits = model.forward(batch.x());
            return new Outcome(classificationLoss(logits, batch.y(), labelSmoothing), logits);
        };
    }

    /** The standard classification loss of logits {@code [N, K]} against int32 labels, as {@link #crossEntropy}. */
    static Tensor classificationLoss(Tensor logits, Tensor labels, double labelSmoothing) {
        if (logits.size(1) == 1) {
            Tensor z = logits.reshape(logits.size(0));
            return F.bceWithLogits(z, labels.to(z.dtype()), Loss.Reduction.MEAN);
        }
        return F.crossEntropy(logits, labels, labelSmoothing, Loss.Reduction.MEAN);
    }

    /** Predicted classes of logits {@code [N, K]} (a one-logit model predicts 1 where the logit is positive). */
    static int[] predictions(Tensor logits) {
        if (logits.size(1) == 1) {
            double[] z = logits.toDoubleArray();
            int[] p = new int[z.length];
            for (int i = 0; i < z.length; i++) p[i] = z[i] > 0 ? 1 : 0;
            return p;
        }
        return logits.argmax(1).toIntArray();
    }

    /** Number of correct predictions. */
    static int correct(Tensor logits, Tensor labels) {
        int[] p = predictions(logits);
        int[] y = labels.toIntArray();
        int hit = 0;
        for (int i = 0; i < p.length; i++) if (p[i] == y[i]) hit++;
        return hit;
    }

}

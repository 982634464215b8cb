package dev.brink.nn.train;

import dev.brink.engine.F;
import dev.brink.engine.Tensor;
import dev.brink.engine.op.Loss;
import dev.brink.nn.Module;
import dev.brink.nn.data.Batch;

/**
 * A training objective: the scalar loss of a model on a batch. Training methods (adversarial training,
 * gradient and Jacobian penalties) are objectives; the trainer only differentiates and steps. The objectives of
 * the papers are in {@code dev.brink.robust.train} (brink-robust), by name in its {@code Objectives} registry.
 */
@FunctionalInterface
public interface Objective {
    /**
     * The loss to minimize for this batch (its parameters' gradients are what the trainer steps on), with the
     * logits of the clean batch where the objective computed them (for the running training accuracy; null where
     * it has none that fit), and the value of its regularizer where it has one.
     *
     * @param model the model, in training mode; an objective that switches it (e.g. to eval mode for an inner
     *              attack) must switch it back before returning
     * @param batch inputs {@code [N, ...]} and int32 labels {@code [N]}
     * @param context the epoch, step, learning rate and the run's random stream
     */
    Outcome apply(Module model, Batch batch, TrainingContext context);

    /**
     * A scalar loss, the clean logits {@code [N, K]} behind it (or null), and the regularizer's value as a scalar
     * tensor (or null where the objective has none); the trainer reports the regularizer's mean per epoch.
     */
    record Outcome(Tensor loss, Tensor logits, Tensor regularizer) {
        public Outcome(Tensor loss, Tensor logits) {
            this(loss, logits, null);
        }
    }

    /**
     * Mean cross-entropy with optional label smoothing; a one-logit model (binary logistic regression) gets the
     * binary cross-entropy on its logit against labels 0/1 instead.
     */
    static Objective crossEntropy(double labelSmoothing) {
        return (model, batch, context) -> {
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

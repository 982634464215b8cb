package dev.brink.robust.train;

import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.nn.Module;
import dev.brink.nn.data.Batch;
import dev.brink.nn.train.Objective;
import dev.brink.nn.train.TrainingContext;
import dev.brink.robust.attack.Attacks;

import java.util.List;

/**
 * FGSM adversarial training (Goodfellow et al. 2015, Eq. 3; as Galloway et al. use it on the 3-vs-7 logistic
 * regression): {@code alpha * CE(f(x), y) + (1 - alpha) * CE(f(x_adv), y)} with {@code x_adv} the inner attack's
 * example (default FGSM, {@code x + eps sign(grad_x CE)}, eps 0.25), crafted against the true labels or against the
 * model's own predictions ({@code labels=predicted}, Galloway et al. Sec. 5). A one-logit model (logistic
 * regression) gets the binary cross-entropy, and its adversarial example moves every pixel by eps against its
 * label's side: {@code x - eps (2y - 1) sign(w)} before the box. Any registry attack may replace FGSM through
 * {@code --train-attack} (e.g. {@code fgm-l2:eps=1}, Galloway et al.'s Fast grad L2 training).
 *
 * <p>Options: {@code alpha} 0.5 (weight of the clean loss; 0 trains on adversarial examples only),
 * {@code labels} true|predicted, {@code label-smoothing} 0, {@code eval-mode} true (attack the model in eval mode).
 */
public final class FgsmAdversarialTraining implements Objective {
    /** The inner attack when {@code --train-attack} is absent. */
    public static final String DEFAULT_ATTACK = "fgsm:eps=0.25";

    static final List<Attacks.Option> OPTIONS = List.of(
            new Attacks.Option("alpha", "0.5", "weight of the clean loss, in [0, 1] (Goodfellow et al.'s 0.5)"),
            new Attacks.Option("labels", "true", "labels the attack uses: true or predicted (the model's own, Galloway et al.)"),
            new Attacks.Option("label-smoothing", "0", "label smoothing of both losses, in [0, 1)"),
            new Attacks.Option("eval-mode", "true", "run the inner attack with the model in eval mode"));

    private final InnerAttack inner;
    private final double alpha;
    private final boolean predictedLabels;
    private final double labelSmoothing;

    /**
     * @param inner           the inner attack (default {@value #DEFAULT_ATTACK})
     * @param alpha           weight of the clean loss in [0, 1]
     * @param predictedLabels craft against the model's predictions instead of the true labels
     * @param labelSmoothing  label smoothing in [0, 1)
     */
    public FgsmAdversarialTraining(InnerAttack inner, double alpha, boolean predictedLabels, double labelSmoothing) {
        if (!(alpha >= 0 && alpha <= 1)) throw new IllegalArgumentException("fgsm-at: alpha must be in [0, 1], got " + alpha);
        if (!(labelSmoothing >= 0 && labelSmoothing < 1)) throw new IllegalArgumentException("fgsm-at: label-smoothing must be in [0, 1), got " + labelSmoothing);
        this.inner = inner;
        this.alpha = alpha;
        this.predictedLabels = predictedLabels;
        this.labelSmoothing = labelSmoothing;
    }

    static FgsmAdversarialTraining fromOptions(Attacks.Options o, ObjectiveSetup setup) {
        return new FgsmAdversarialTraining(InnerAttack.of(setup, DEFAULT_ATTACK, o.bool("eval-mode")), o.real("alpha"),
                o.choice("labels", "true", "predicted").equals("predicted"), o.real("label-smoothing"));
    }

    /** The inner attack. */
    public InnerAttack inner() {
        return inner;
    }

    @Override
    public Outcome apply(Module model, Batch batch, TrainingContext context) {
        Tensor craftLabels = batch.y();
        if (predictedLabels) {
            boolean wasTraining = model.isTraining();
            if (inner.evalMode()) model.eval();
            try (GradMode.Scope s = GradMode.noGrad()) {
                int[] p = Objective.predictions(model.forward(batch.x()));
                craftLabels = Tensor.ofInts(p, p.length);
            } finally {
                if (wasTraining) model.train();
            }
        }
        Tensor adv = inner.craft(model, batch.x(), craftLabels, context.generator());
        Tensor advLoss = Objective.classificationLoss(model.forward(adv), batch.y(), labelSmoothing);
        if (alpha == 0) return new Outcome(advLoss, null);
        Tensor logits = model.forward(batch.x());
        Tensor clean = Objective.classificationLoss(logits, batch.y(), labelSmoothing);
        return new Outcome(clean.mul(alpha).add(advLoss.mul(1 - alpha)), logits);
    }

    @Override
    public String toString() {
        return "fgsm-at(alpha=" + alpha + ", labels=" + (predictedLabels ? "predicted" : "true") + ", attack " + inner + ")";
    }
}

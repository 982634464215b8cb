package dev.brink.robust.train;

import dev.brink.engine.Tensor;
import dev.brink.nn.Module;
import dev.brink.nn.data.Batch;
import dev.brink.nn.train.Objective;
import dev.brink.nn.train.TrainingContext;
import dev.brink.robust.attack.Attacks;

import java.util.List;

/**
 * PGD adversarial training (Madry et al. 2018): the loss is the cross-entropy of the adversarial batch only,
 * {@code CE(f(x_adv), y)}, with {@code x_adv} from the inner attack (default Madry et al.'s MNIST adversary: L-inf
 * PGD, eps 0.3, 40 steps of 0.01, random start, every sample iterated to the end). Galloway et al.'s delayed start
 * ("7-2-8" CIFAR training): during the first {@code clean-epochs} epochs ({@link TrainingContext#epoch()}) the loss is
 * the plain cross-entropy of the clean batch, without any attack.
 *
 * <p>The clean logits are not computed after the delayed start, so the outcome's logits are then null.
 * Options: {@code clean-epochs} 0, {@code label-smoothing} 0, {@code eval-mode} true.
 */
public final class PgdAdversarialTraining implements Objective {
    /** The inner attack when {@code --train-attack} is absent (Madry et al., MNIST). */
    public static final String DEFAULT_ATTACK = "pgd:norm=linf,eps=0.3,steps=40,step=0.01,early-stop=false";

    static final List<Attacks.Option> OPTIONS = List.of(
            new Attacks.Option("clean-epochs", "0", "epochs trained on clean data before adversarial training starts (Galloway et al.)"),
            new Attacks.Option("label-smoothing", "0", "label smoothing, in [0, 1)"),
            new Attacks.Option("eval-mode", "true", "run the inner attack with the model in eval mode"));

    private final InnerAttack inner;
    private final int cleanEpochs;
    private final double labelSmoothing;

    /**
     * @param inner          the inner attack (default {@value #DEFAULT_ATTACK})
     * @param cleanEpochs    epochs of clean training first (>= 0)
     * @param labelSmoothing label smoothing in [0, 1)
     */
    public PgdAdversarialTraining(InnerAttack inner, int cleanEpochs, double labelSmoothing) {
        if (cleanEpochs < 0) throw new IllegalArgumentException("pgd-at: clean-epochs must be >= 0, got " + cleanEpochs);
        if (!(labelSmoothing >= 0 && labelSmoothing < 1)) throw new IllegalArgumentException("pgd-at: label-smoothing must be in [0, 1), got " + labelSmoothing);
        this.inner = inner;
        this.cleanEpochs = cleanEpochs;
        this.labelSmoothing = labelSmoothing;
    }

    static PgdAdversarialTraining fromOptions(Attacks.Options o, ObjectiveSetup setup) {
        return new PgdAdversarialTraining(InnerAttack.of(setup, DEFAULT_ATTACK, o.bool("eval-mode")), o.integer("clean-epochs"), o.real("label-smoothing"));
    }

    /** The inner attack. */
    public InnerAttack inner() {
        return inner;
    }

    @Override
    public Outcome apply(Module model, Batch batch, TrainingContext context) {
        if (context.epoch() < cleanEpochs) {
            Tensor logits = model.forward(batch.x());
            return new Outcome(Objective.classificationLoss(logits, batch.y(), labelSmoothing), logits);
        }
        Tensor adv = inner.craft(model, batch.x(), batch.y(), context.generator());
        return new Outcome(Objective.classificationLoss(model.forward(adv), batch.y(), labelSmoothing), null);
    }

    @Override
    public String toString() {
        return "pgd-at(clean-epochs=" + cleanEpochs + ", attack " + inner + ")";
    }
}

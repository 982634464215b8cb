package dev.brink.robust.train;

import dev.brink.engine.Tensor;
import dev.brink.nn.Module;
import dev.brink.nn.data.Batch;
import dev.brink.nn.train.Objective;
import dev.brink.nn.train.TrainingContext;
import dev.brink.robust.attack.Attacks;

import java.util.List;

/**
 * Mean cross-entropy with label smoothing, plus {@code l1 * sum |w|} and {@code l2 * sum w^2} over the weights
 * (parameters named {@code *.weight}; biases and batch-norm parameters are not penalized), as Galloway et al.
 * regularize their logistic regression and CNNs. A one-logit model gets the binary cross-entropy.
 */
public final class CrossEntropyObjective implements Objective {
    static final List<Attacks.Option> OPTIONS = List.of(
            new Attacks.Option("label-smoothing", "0", "label smoothing in [0, 1)"),
            new Attacks.Option("l1", "0", "L1 penalty coefficient on the weights"),
            new Attacks.Option("l2", "0", "L2 penalty coefficient on the weights (sum of squares, not halved)"));

    private final double labelSmoothing;
    private final WeightPenalty penalty;

    public CrossEntropyObjective(double labelSmoothing, double l1, double l2) {
        if (!(labelSmoothing >= 0 && labelSmoothing < 1)) throw new IllegalArgumentException("cross-entropy: label-smoothing must be in [0, 1), got " + labelSmoothing);
        this.labelSmoothing = labelSmoothing;
        this.penalty = new WeightPenalty(l1, l2);
    }

    static CrossEntropyObjective fromOptions(Attacks.Options o, ObjectiveSetup setup) {
        return new CrossEntropyObjective(o.real("label-smoothing"), o.real("l1"), o.real("l2"));
    }

    @Override
    public Outcome apply(Module model, Batch batch, TrainingContext context) {
        Tensor logits = model.forward(batch.x());
        Tensor loss = Objective.classificationLoss(logits, batch.y(), labelSmoothing);
        Tensor reg = penalty.of(model);
        return reg == null ? new Outcome(loss, logits) : new Outcome(loss.add(reg), logits, reg.detach());
    }
}

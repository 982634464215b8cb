package dev.brink.robust.train;

import dev.brink.engine.Tensor;
import dev.brink.nn.Module;
import dev.brink.nn.data.Batch;
import dev.brink.nn.train.Objective;
import dev.brink.nn.train.TrainingContext;

import java.util.function.Supplier;

/**
 * Where the gradient regularizers ({@code input-gradient}, {@code jacobian-reg}, {@code emr}) take their inputs:
 * the clean batch, or adversarial examples of the run's inner attack ({@code --train-attack}, else
 * {@link #DEFAULT_ATTACK}), generated in eval mode with the run's generator; and a helper that runs a computation
 * with the model in eval mode and restores its mode afterwards.
 */
final class RegularizerInputs {
    private RegularizerInputs() {}

    /** The inner attack of {@code on=adversarial} when no {@code --train-attack} is given (Madry et al.'s MNIST PGD). */
    static final String DEFAULT_ATTACK = "pgd:eps=0.3,norm=linf,steps=40,step=0.01";

    /** Which inputs a regularizer is computed on. */
    enum Source { CLEAN, ADVERSARIAL }

    /** The option {@code on=clean|adversarial}. */
    static Source source(dev.brink.robust.attack.Attacks.Options o) {
        return o.choice("on", "clean", "adversarial").equals("clean") ? Source.CLEAN : Source.ADVERSARIAL;
    }

    /**
     * The inner attack of {@code on=adversarial} ({@code --train-attack}, else {@link #DEFAULT_ATTACK}, run with the
     * model in eval mode), or null for clean inputs.
     */
    static InnerAttack inner(Source source, ObjectiveSetup setup) {
        return source == Source.CLEAN ? null : InnerAttack.of(setup, DEFAULT_ATTACK, true);
    }

    /** The batch's inputs for the regularizer: x itself, or the inner attack's adversarial batch (detached). */
    static Tensor inputs(InnerAttack inner, Module model, Batch batch, TrainingContext context) {
        return inner == null ? batch.x().detach() : inner.craft(model, batch.x(), batch.y(), context.generator());
    }

    /** Runs {@code body} with the model in eval mode (batch norm on running statistics), restoring its mode. */
    static <T> T inEval(Module model, Supplier<T> body) {
        boolean training = model.isTraining();
        if (training) model.eval();
        try {
            return body.get();
        } finally {
            if (training) model.train();
        }
    }

    /** The option {@code mode=train|eval}: whether the regularizer's forward runs in eval mode. */
    static boolean evalMode(dev.brink.robust.attack.Attacks.Options o) {
        return o.choice("mode", "train", "eval").equals("eval");
    }

    /** A per-sample penalty {@code [N]} of inputs x against labels y; stores the logits it computed in {@code logits[0]} when given. */
    interface Penalty {
        Tensor of(Tensor x, Tensor y, Tensor[] logits);
    }

    /**
     * The outcome of a gradient regularizer: {@code lambda * mean(penalty)} on the regularizer's inputs (in eval mode
     * when {@code eval}), plus the clean cross-entropy when {@code ce}, whose logits are the penalty's own where it ran
     * on the clean batch in train mode (one forward pass fewer).
     */
    static Objective.Outcome outcome(Module model, Batch batch, TrainingContext context, InnerAttack inner, boolean eval,
                                     boolean ce, double lambda, Penalty penalty) {
        Tensor x = inputs(inner, model, batch, context);
        Tensor[] logits = new Tensor[1];
        Tensor pen = eval ? inEval(model, () -> penalty.of(x, batch.y(), null)).mean() : penalty.of(x, batch.y(), logits).mean();
        Tensor reg = pen.mul(lambda);
        if (!ce) return new Objective.Outcome(reg, null, reg.detach());
        Tensor clean = inner == null && !eval ? logits[0] : model.forward(batch.x());
        Tensor loss = Objective.classificationLoss(clean, batch.y(), 0).add(reg);
        return new Objective.Outcome(loss, clean, reg.detach());
    }
}
